/**
 * Crash faults with real child processes (`ehrchain start`): SIGKILL the leader under load, a new
 * leader takes over, the old one restarts from its directory and catches up; SIGKILL a follower
 * mid-load, restart it, it catches up. Whatever any node reported committed (its server-sent
 * receipts, before and after a kill) ends up on every node, at the same height, with the same receipt.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sameChain } from '../../helpers/chain-check.js';
import { type ReceiptWatch, watchReceipts } from '../../helpers/events.js';
import { committedTx, mapLimit, mustCommit, presign, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';

const TXS = 1_200;
const SENDERS = 40;

const reportedSet = (ws: readonly ReceiptWatch[]) => new Set(ws.flatMap((w) => [...w.receipts.keys()]));

/** Every tx any watcher saw committed is committed on every node, at one height, with that receipt. */
async function assertReportedEverywhere(net: Network, watches: readonly ReceiptWatch[]): Promise<number> {
  const reported = new Map<string, { height: number; status: string; by: string }>();
  for (const w of watches) {
    for (const [h, r] of w.receipts) {
      const seen = reported.get(h);
      if (seen !== undefined) {
        expect(r, `${w.node} and ${seen.by} report ${h} differently`).toEqual({
          height: seen.height,
          status: seen.status,
        });
      }
      reported.set(h, { ...r, by: w.node });
    }
  }
  // Blocks carry only txs in nonce order, so a kv put never reverts, whatever leader built its block.
  const reverted = [...reported].filter(([, r]) => r.status !== 'ok');
  expect(reverted, 'reverted receipts').toEqual([]);
  await net.waitCommitted(reported.keys(), net.nodes, 60_000);
  const hashes = [...reported.keys()];
  const views = await Promise.all(net.nodes.map((n) => mapLimit(hashes, 16, (h) => committedTx(n, h))));
  for (const [i, h] of hashes.entries()) {
    const want = reported.get(h);
    const first = views[0]?.[i];
    expect(first, `${net.node(0).name} lacks ${h}`).not.toBeNull();
    expect({ height: first?.height, status: first?.receipt?.status }).toEqual({
      height: want?.height,
      status: want?.status,
    });
    // Same block, same position, same receipt (gas, return data, events) everywhere.
    for (const [j, v] of views.entries()) expect(v[i], `${net.node(j).name} on ${h}`).toEqual(first);
  }
  return reported.size;
}

describe('crash faults with child processes', () => {
  let net: Network;
  const watches: ReceiptWatch[] = [];

  const watchAll = async (nodes: readonly TestNode[]) => {
    const ws = nodes.map(watchReceipts);
    watches.push(...ws);
    await Promise.all(ws.map((w) => w.ready));
    return ws;
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'child' });
    await net.waitLeader();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await net.diagnose());
  });
  afterAll(async () => {
    for (const w of watches) w.close();
    await net?.cleanup();
  });

  it('SIGKILL of the leader under load: a new leader takes over, the old one restarts and catches up', async () => {
    const ws = await watchAll(net.nodes);
    const old = await net.waitLeader();
    const txs = presign({ chainId: net.chainId, txs: TXS, senders: SENDERS, label: 'crash-leader' });
    let killed: Promise<void> | null = null;
    let killHeight = 0;
    const load = submitAll(txs, {
      targets: () => net.running(),
      concurrency: 16,
      timeoutMs: 90_000,
      seed: 11,
      onSettled: (done) => {
        if (done === Math.floor(TXS / 3) && killed === null) {
          killed = (async () => {
            killHeight = Math.max(...ws.map((w) => w.height()));
            await old.kill();
          })();
        }
      },
    });
    const r = await load;
    await killed;
    expect(killed).not.toBeNull();
    expect(r.accepted.size).toBeGreaterThan(TXS / 2);

    const survivors = net.running();
    expect(survivors).toHaveLength(2);
    const fresh = await net.waitLeader(survivors);
    expect(fresh.name).not.toBe(old.name);
    // The new leader commits: survivors report blocks above the height reached at the kill.
    await waitFor(
      () => ws.some((w) => w.node !== old.name && w.height() > killHeight),
      'blocks after the kill',
    );

    await old.start();
    await watchAll([old]);
    // Nothing a surviving node admitted is lost (bar txs queued behind a nonce only the dead node had).
    const must = mustCommit(txs, r, new Set([old.name]), reportedSet(watches));
    expect(must.length).toBeGreaterThan(TXS / 3);
    await net.waitCommitted(must, net.nodes, 60_000);
    const head = await sameChain(net.nodes, 60_000);
    expect(head.height).toBeGreaterThan(killHeight);
    const n = await assertReportedEverywhere(net, watches);
    expect(n).toBeGreaterThan(0);
  });

  it('SIGKILL of a follower mid-load: it restarts and catches up', async () => {
    const leader = await net.waitLeader();
    const follower = net.nodes.find((n) => n !== leader);
    if (follower === undefined) throw new Error('no follower');
    const txs = presign({ chainId: net.chainId, txs: TXS, senders: SENDERS, label: 'crash-follower' });
    let fault: Promise<void> | null = null;
    const r = await submitAll(txs, {
      targets: () => net.running(),
      concurrency: 16,
      timeoutMs: 90_000,
      seed: 12,
      onSettled: (done) => {
        if (done === Math.floor(TXS / 3) && fault === null) {
          fault = (async () => {
            await follower.kill();
            // Restart while the load goes on.
            await waitFor(() => false, 'a pause', 1_000).catch(() => undefined);
            await follower.start();
            await watchAll([follower]);
          })();
        }
      },
    });
    await fault;
    expect(fault).not.toBeNull();
    expect(r.accepted.size).toBeGreaterThan(TXS / 2);
    // The follower lost only its own mempool: everything accepted elsewhere commits on all nodes.
    const must = mustCommit(txs, r, new Set([follower.name]), reportedSet(watches));
    expect(must.length).toBeGreaterThan(TXS / 3);
    await net.waitCommitted(must, net.nodes, 60_000);
    const head = await sameChain(net.nodes, 60_000);
    expect(head.height).toBeGreaterThan(0);
    await assertReportedEverywhere(net, watches);
  });
});
