/**
 * A full disk, end to end, with real validator processes: each data directory is a small tmpfs.
 * One follower's disk is filled; txs committed meanwhile by the other two make it try to persist,
 * which fails with ENOSPC. (Then the leader's: it sends nothing, the others elect another leader.) It then refuses txs with 503 `disk_full`, says so (log, metric,
 * /v1/status), acknowledges nothing it could not persist, and, once the filler is deleted, reopens
 * its store, catches up and agrees with the others on every block and the state root. A restart
 * afterwards (with the full check on open) proves the store was not damaged.
 *
 * The blob store and the actor-event index have their own LevelDBs: a blob upload on a full disk
 * is refused with 503 `disk_full` and Retry-After and taken again once space returns; the index
 * (on a tmpfs of its own, no network) waits with the block it could not write and loses none.
 *
 * Needs mount permission (root): otherwise skipped with the reason printed, or failed when
 * EHRCHAIN_REQUIRE_TMPFS=1 (CI sets it).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../client/client.js';
import { NotifyStore } from '../../../node/notify/store.js';
import type { ActorEvent } from '../../../protocol/notify.js';
import { sameChain } from '../../helpers/chain-check.js';
import { presign, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';
import {
  fillDisk,
  freeDisk,
  mountTmpfs,
  tmpfsRequired,
  tmpfsUnavailable,
  unmount,
} from '../../helpers/tmpfs.js';
import { RecordsWorld } from '../records/world.js';

const why = tmpfsUnavailable();
if (why !== null && tmpfsRequired()) throw new Error(`EHRCHAIN_REQUIRE_TMPFS=1 but ${why}`);
if (why !== null) console.warn(`disk-full test skipped: ${why}`);

const DISK_BYTES = 48 * 1024 * 1024;

async function commitRound(
  net: Network,
  label: string,
  txs: number,
  targets: () => TestNode[],
): Promise<string[]> {
  const batch = presign({ chainId: net.chainId, txs, senders: txs, label });
  const r = await submitAll(batch, { targets, concurrency: 8, timeoutMs: 30_000 });
  expect(r.accepted.size).toBe(txs);
  await net.waitCommitted(
    batch.map((t) => t.hash),
    targets(),
    30_000,
  );
  return batch.map((t) => t.hash);
}

describe.skipIf(why !== null)('a validator whose disk fills up', () => {
  let net: Network;
  const mounts: string[] = [];

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'child',
      start: false,
      config: {
        store: { diskProbeMs: 200, diskResumeFreeBytes: 8 * 1024 * 1024 },
        block: { intervalMs: 50 },
      },
    });
    for (const n of net.nodes) {
      const data = join(n.home, 'data');
      await mkdir(data, { recursive: true });
      mountTmpfs(data, DISK_BYTES);
      mounts.push(data);
    }
    // One at a time: three processes compiling at once on a loaded machine can miss the start timeout.
    for (const n of net.nodes) await n.start();
    await net.waitLeader();
  }, 120_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await net.diagnose());
  });
  afterAll(async () => {
    for (const n of net?.nodes ?? []) await n.stop().catch(() => n.kill());
    for (const m of mounts) unmount(m);
    await net?.cleanup();
  });

  it('refuses, says why, resumes when space returns, and loses nothing', async () => {
    const all = () => net.running();
    const committed = await commitRound(net, 'df-0', 20, all);
    const leader = await net.waitLeader();
    const full = net.nodes.find((n) => n !== leader);
    if (full === undefined) throw new Error('no follower');
    const others = () => net.nodes.filter((n) => n !== full);
    const filler = join(full.home, 'data', 'filler');
    fillDisk(filler);

    // The two others commit; the full node fails to persist the entries they send it.
    for (let round = 0; round < 20 && !(await full.status()).disk.full; round++) {
      committed.push(...(await commitRound(net, `df-fill-${round}`, 20, others)));
    }
    const st = await full.status();
    expect(st.disk.full).toBe(true);
    const heightWhenFull = st.height;

    const tx = presign({ chainId: net.chainId, txs: 1, senders: 1, label: 'df-refused' })[0]!;
    const res = await fetch(`${full.url}/v1/tx`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(tx.tx.bytes),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('disk_full');
    const metrics = await (await fetch(`${full.url}/metrics`)).text();
    expect(metrics).toMatch(/^ehrchain_disk_full 1$/m);

    // The others go on without it; it applies nothing it could not persist.
    committed.push(...(await commitRound(net, 'df-while-full', 20, others)));
    expect((await full.status()).height).toBe(heightWhenFull);

    await freeDisk(filler);
    await waitFor(async () => !(await full.status()).disk.full, 'the disk to have room again', 30_000);
    committed.push(...(await commitRound(net, 'df-after', 20, all)));
    await net.waitCommitted(committed, net.nodes, 60_000);
    await sameChain(net.nodes, 30_000);
    const log = await full.log();
    expect(log.match(/DISK FULL/g)?.length).toBe(1);
    expect(log).toContain('writes resumed');
    expect(await (await fetch(`${full.url}/metrics`)).text()).toMatch(/^ehrchain_disk_full 0$/m);

    // Nothing on its disk was damaged: it restarts with every entry read and the state recomputed.
    await full.stop();
    await full.start();
    await sameChain(net.nodes, 30_000);
  }, 240_000);

  it('a leader on a full disk sends nothing, so the others elect another and go on', async () => {
    const old = await net.waitLeader();
    const others = () => net.nodes.filter((n) => n !== old);
    const filler = join(old.home, 'data', 'filler');
    fillDisk(filler);
    // Txs sent to the others reach the leader by gossip; persisting its proposal fails.
    const committed: string[] = [];
    const batch = presign({ chainId: net.chainId, txs: 20, senders: 20, label: 'dl-0' });
    await submitAll(batch, { targets: others, concurrency: 8, timeoutMs: 30_000 });
    await waitFor(async () => (await old.status()).disk.full, 'the leader to find its disk full', 30_000);
    const next = await net.waitLeader(others(), 30_000);
    expect(next).not.toBe(old);
    committed.push(...(await commitRound(net, 'dl-1', 20, others)));
    await freeDisk(filler);
    await waitFor(async () => !(await old.status()).disk.full, 'the old leader to have room again', 30_000);
    committed.push(...(await commitRound(net, 'dl-2', 20, () => net.nodes.slice())));
    await net.waitCommitted(committed, net.nodes, 60_000);
    await sameChain(net.nodes, 30_000);
  }, 180_000);

  it('a blob upload on a full disk is refused with 503 disk_full and taken once space returns', async () => {
    const world = await new RecordsWorld(net).init();
    const patient = await world.register('patient');
    const leader = await net.waitLeader();
    const full = net.nodes.find((n) => n !== leader)!;
    const client = world.client(patient, full.index);
    // Larger than what a full tmpfs has left in a partly used page.
    const blob = new Uint8Array(randomBytes(512 * 1024));
    const filler = join(full.home, 'data', 'filler');
    fillDisk(filler);

    const refused = await client.upload(blob).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 503, code: 'disk_full' });
    // Further uploads are refused before their body is read, with Retry-After.
    const res = await fetch(`${full.url}/v1/blobs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-ehr-request': 'AAAA' },
      body: blob,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('disk_full');
    expect(await (await fetch(`${full.url}/metrics`)).text()).toMatch(/^ehrchain_records_disk_full 1$/m);

    await freeDisk(filler);
    await waitFor(
      async () => /^ehrchain_records_disk_full 0$/m.test(await (await fetch(`${full.url}/metrics`)).text()),
      'the blob store to take uploads again',
      30_000,
    );
    const r = await client.upload(blob);
    expect(r.replicas).toBeGreaterThanOrEqual(1);
    expect(await full.log()).toContain('BLOB STORE DISK FULL');
  }, 120_000);
});

describe.skipIf(why !== null)('the actor-event index on a full disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ehrchain-notify-full-'));
    mountTmpfs(dir, 4 * 1024 * 1024);
  });
  afterAll(async () => {
    unmount(dir);
    await rm(dir, { recursive: true, force: true });
  });

  /** One block's write with an event of about 64 KiB (more than what a full tmpfs has left in a page). */
  const blockWrite = (height: number) => {
    const e = {
      id: `${height}-0`,
      type: 'grant',
      actor: 'a'.repeat(64),
      as: 'patient',
      height,
      time: height,
      at: height,
      patient: 'a'.repeat(64),
      by: 'x'.repeat(64 * 1024),
    } as unknown as ActorEvent;
    return {
      height,
      events: [e],
      addTimers: [],
      doneTimers: [],
      guardians: [],
      deliveries: [],
      pruneBelow: 0,
    };
  };

  it('waits with the block it could not write, writes it once space returns, and loses none', async () => {
    const store = await NotifyStore.open(join(dir, 'notify'), { probeMs: 50, resumeFreeBytes: 512 * 1024 });
    await store.write(blockWrite(1), 100);
    const filler = join(dir, 'filler');
    fillDisk(filler);
    let written = false;
    const pending = store.write(blockWrite(2), 100).then(() => {
      written = true;
    });
    await waitFor(async () => store.diskState().full, 'the index to find its disk full', 10_000);
    expect(written).toBe(false);
    expect(store.height).toBe(1);

    await freeDisk(filler);
    await pending;
    await store.write(blockWrite(3), 100);
    expect(store.diskState().full).toBe(false);
    await store.close();

    // Reopened: every block's event is there, in order.
    const again = await NotifyStore.open(join(dir, 'notify'));
    expect(again.height).toBe(3);
    expect((await again.eventsAfter('a'.repeat(64), null, 10)).map((e) => e.id)).toEqual([
      '1-0',
      '2-0',
      '3-0',
    ]);
    await again.close();
  }, 30_000);

  it('a stop while a write waits for room ends it (the next start catches up from the chain)', async () => {
    const store = await NotifyStore.open(join(dir, 'notify-stop'), {
      probeMs: 50,
      resumeFreeBytes: 512 * 1024,
    });
    const filler = join(dir, 'filler');
    fillDisk(filler);
    const pending = store.write(blockWrite(1), 100);
    await waitFor(async () => store.diskState().full, 'the index to find its disk full', 10_000);
    store.interrupt();
    await expect(pending).rejects.toThrow(/not_open/);
    await store.close();
    await freeDisk(filler);
  }, 30_000);
});
