/**
 * Block time is consent time, and it is the proposer's clock. Three in-process validators, one with
 * a wrong clock made leader: its blocks from the future never commit (the others keep them out of
 * their logs and elect a leader whose clock agrees), and a leader whose clock is behind the chain
 * hands leadership over rather than stalling time, and so does one whose clock stops. Every tx still
 * commits. One network serves every case, in order; validator 0's clock is the one set wrong,
 * except in the last case, where all three are wrong at once (see its comment for the oracle).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { readKeyFile } from '../../../client/keyfile.js';
import type { ChainNode } from '../../../node/node.js';
import type { TxView } from '../../../protocol/api.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { decodeDecision, encodeCanAccess, encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import { allBlocks, sameChain } from '../../helpers/chain-check.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';

const HOUR = 3_600_000;
const BOUND = 5_000;
/** How long the combined case's grant lasts: short, so the test stays short. */
const GRANT_MS = 4_000;
const enc = new TextEncoder();

async function metric(n: ChainNode, name: string): Promise<number> {
  return (await n.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

const inproc = (t: TestNode): ChainNode => {
  if (t.node === null) throw new Error(`${t.name} is not running in process`);
  return t.node;
};

/** A 32-byte synthetic seed (or id) from a label. */
const seedOf = (label: string): Uint8Array => enc.encode(label.padEnd(32, '.')).slice(0, 32);

interface ConsentActor {
  readonly account: Account;
  readonly id: string;
  readonly key: string;
}

const consentActor = (seed: Uint8Array, chainId: string): ConsentActor => {
  const key = toHex(publicKeyFromSeed(seed));
  return { account: new Account(seed, chainId), id: actorIdOf(key), key };
};

/** Makes `target` the leader (by transfer from the current leader, retried), and waits for it. */
async function makeLeader(net: Network, target: TestNode): Promise<void> {
  await waitFor(
    async () => {
      const leader = await net.waitLeader();
      if (leader === target) return (await target.status()).role === 'leader';
      inproc(leader).raft.transferLeadership(inproc(target).nodeId);
      return false;
    },
    `${target.name} leading`,
    30_000,
  );
}

/** Puts `count` keys one after another through `via`, each waited for. */
async function putKeys(net: Network, via: TestNode, label: string, count: number): Promise<void> {
  const me = new Account(enc.encode(`clock-skew/${label}`.padEnd(32, '.')).slice(0, 32), net.chainId);
  for (let i = 0; i < count; i++) {
    const r = await me.call(via.client, 'kv', 'put', [enc.encode(`${label}/${i}`), enc.encode('v')], {
      timeoutMs: 45_000,
    });
    expect(r.receipt?.status).toBe('ok');
  }
}

/** A validator's wall clock as a case sets it: real time plus `offset`, or stopped at `stoppedAt`. */
class TestClock {
  offset = 0;
  stoppedAt: number | null = null;
  readonly now = (): number => this.stoppedAt ?? Date.now() + this.offset;
}

describe('a validator with a wrong clock cannot move consent time', () => {
  let net: Network;
  let wrong: TestNode;
  let a: TestNode;
  let b: TestNode;
  /** Each validator's wall clock, as the case sets it. */
  const clocks = [new TestClock(), new TestClock(), new TestClock()] as const;
  const [clock] = clocks;

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'inproc',
      start: false,
      config: { block: { distrustMs: 5_000 } },
    });
    [wrong, a, b] = [net.node(0), net.node(1), net.node(2)];
    for (const [i, c] of clocks.entries()) net.node(i).clock = c.now;
    await net.startAll();
  }, 60_000);
  afterAll(async () => {
    await net?.cleanup();
  });

  it('a leader one hour ahead commits no block: the others refuse its blocks and elect another leader', async () => {
    clock.offset = HOUR;
    await makeLeader(net, wrong);
    await putKeys(net, a, 'ahead', 6);

    const refused =
      (await metric(inproc(a), 'ehrchain_blocks_refused_future_total')) +
      (await metric(inproc(b), 'ehrchain_blocks_refused_future_total'));
    expect(refused).toBeGreaterThan(0);
    const limit = Date.now() + BOUND;
    for (const blk of await allBlocks(a)) expect(blk.time, `block ${blk.height}`).toBeLessThanOrEqual(limit);
    // The skewed node follows the honest leader and holds the same chain.
    const head = (await a.status()).height;
    await waitFor(async () => (await wrong.status()).height >= head, 'the skewed node catching up', 30_000);
    expect((await wrong.status()).role).not.toBe('leader');
  }, 150_000);

  it('a leader whose clock steps one hour back cuts no block with a stale time and hands leadership over', async () => {
    clock.offset = 0;
    await makeLeader(net, wrong);
    await putKeys(net, a, 'before', 1);
    const held = await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total');
    clock.offset = -HOUR;
    await putKeys(net, a, 'behind', 4);

    const blocks = await allBlocks(a);
    const now = Date.now();
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]!.time).toBeGreaterThanOrEqual(blocks[i - 1]!.time);
      expect(blocks[i]!.time, `block ${blocks[i]!.height}`).toBeGreaterThan(now - 10 * 60_000);
    }
    expect(await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total')).toBeGreaterThan(held);
    expect((await wrong.status()).role).not.toBe('leader');
  }, 150_000);

  it('a leader whose clock stops stamps at most one block with the stopped time and hands leadership over', async () => {
    clock.offset = 0;
    await makeLeader(net, wrong);
    await putKeys(net, a, 'running', 1);
    const held = await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total');
    const from = (await a.status()).height;
    clock.stoppedAt = Date.now();
    await putKeys(net, a, 'stopped', 4);

    // The stopped clock stamps at most one block (the one cut at the instant it stopped, a true
    // time); every later block is cut by a leader whose clock runs.
    const after = (await allBlocks(a)).filter((blk) => blk.height > from);
    const stopped = clock.stoppedAt;
    expect(after.filter((blk) => blk.time === stopped).length).toBeLessThanOrEqual(1);
    for (const blk of after) expect(blk.time, `block ${blk.height}`).toBeGreaterThanOrEqual(stopped);
    expect(after.at(-1)?.time).toBeGreaterThan(stopped);
    expect(await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total')).toBeGreaterThan(held);
    expect((await wrong.status()).role).not.toBe('leader');
    clock.stoppedAt = null;
  }, 150_000);

  /*
   * All three clocks wrong at once: validator 0 an hour ahead, 1 an hour behind, 2 stopped. There is
   * no honest clock, so no time is right; the oracle is what the rules allow. A block more than the
   * bound ahead of a follower's clock stays out of its log, so 0's blocks (an hour ahead of 2's
   * stopped clock and two hours ahead of 1's) never reach a majority; 1 is behind the chain by an
   * hour, so as leader it steps aside without cutting; 2 stamps at most one block with the instant
   * its clock stopped (0 accepts it, 1 refuses it: 0 and 2 are a majority), then its wall clock falls
   * behind its monotonic one and it steps aside. So the chain stalls: consent time stays within the
   * bound of the moment the clocks went wrong, and the grant stays in force on chain although real
   * time passes its end (expiring it needs a clock the others trust). Once 2's clock runs again, 2
   * and 0 (which accepts every block, being ahead) commit; time resumes from 2's clock, the grant
   * expires, and 1 (still behind) keeps those blocks out until its clock is fixed, then catches up.
   * Every node then turns the grant from allowed to refused at the same height, and no block an hour
   * ahead is on any node.
   */
  it('three wrong clocks at once stall consent time; once one runs true the grant expires at one height everywhere', async () => {
    const [ahead, behind, stopped] = clocks;
    const adminKey = await readKeyFile(join(net.dir, 'keys', 'admin-hospital-1.json'));
    const admin = consentActor(adminKey.seed, net.chainId);
    const patient = consentActor(seedOf('clock-skew/patient'), net.chainId);
    const doctor = consentActor(seedOf('clock-skew/doctor'), net.chainId);
    const run = async (who: ConsentActor, op: ConsentOp, via: TestNode): Promise<TxView> => {
      const c = encodeOp(op);
      return who.account.call(via.client, 'consent', c.method, c.args, { timeoutMs: 45_000 });
    };
    let records = 0;
    const anchorOp = (): ConsentOp => ({
      op: 'anchor',
      patient: patient.id,
      recordId: toHex(seedOf(`clock-skew/record/${records++}`)),
      previous: 0,
      cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
      category: 'lab',
      keys: [{ reader: patient.id, key: toHex(new Uint8Array(48).fill(7)) }],
    });
    /** canAccess for the doctor writing lab records, on `n`, at time `at`. */
    const allowedAt = async (n: TestNode, at: number): Promise<boolean> => {
      const q = encodeCanAccess(
        doctor.id,
        patient.id,
        { kind: 'category', category: 'lab' },
        'write',
        'TREAT',
        at,
      );
      const r = await n.client.query('consent', q.method, q.args);
      expect(r.status).toBe('ok');
      return decodeDecision(fromHex(r.returnData)).allowed;
    };

    // Honest clocks: a patient grants the doctor a few seconds of write access; one anchor lands.
    for (const [who, role] of [
      [patient, 'patient'],
      [doctor, 'doctor'],
    ] as const) {
      const licenceExpiry = role === 'patient' ? 0 : Date.now() + 24 * HOUR;
      const op: ConsentOp = {
        op: 'registerActor',
        publicKey: who.key,
        role,
        certHash: toHex(seedOf(role)),
        licenceExpiry,
      };
      const tx = await run(admin, op, a);
      expect(tx.receipt?.status, tx.receipt?.error).toBe('ok');
    }
    const end = Date.now() + GRANT_MS;
    const grant = await run(
      patient,
      {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'actor', id: doctor.id },
        actions: ['write'],
        scope: { kind: 'categories', categories: ['lab'] },
        purposes: ['TREAT'],
        start: Date.now() - HOUR,
        end,
        exceptions: [],
      },
      b,
    );
    expect(grant.receipt?.status, grant.receipt?.error).toBe('ok');
    const allowed = await run(doctor, anchorOp(), b);
    expect(allowed.receipt?.status, allowed.receipt?.error).toBe('ok');
    expect(allowed.height).toBeDefined();

    // Every clock wrong at once; an anchor waits so that whoever leads has a block to cut.
    const wrongAt = Date.now();
    const heightAtSkew = Math.max(
      ...(await Promise.all(net.nodes.map(async (n) => (await n.status()).height))),
    );
    const clockRefusals = async (): Promise<number> => {
      let sum = 0;
      for (const n of net.nodes) {
        sum += await metric(inproc(n), 'ehrchain_blocks_refused_future_total');
        sum += await metric(inproc(n), 'ehrchain_leader_clock_behind_total');
      }
      return sum;
    };
    const refusalsBefore = await clockRefusals();
    ahead.offset = HOUR;
    behind.offset = -HOUR;
    stopped.stoppedAt = wrongAt;
    const c = encodeOp(anchorOp());
    const pending = await b.client.submit(doctor.account.sign('consent', c.method, c.args));
    await waitFor(
      () => Date.now() > end + BOUND,
      'real time past the grant end by the bound',
      2 * GRANT_MS + BOUND,
    );
    for (const n of net.nodes) {
      const after = (await allBlocks(n)).filter((blk) => blk.height > heightAtSkew);
      for (const blk of after)
        expect(blk.time, `${n.name} block ${blk.height}`).toBeLessThanOrEqual(wrongAt + BOUND);
      expect(after.length, `${n.name}: blocks cut while no clock was right`).toBeLessThanOrEqual(1);
      const tip = await n.client.getBlock((await n.status()).height);
      expect(tip.time, `${n.name}: consent time before the grant end`).toBeLessThan(end);
      expect(await allowedAt(n, tip.time), `${n.name}: grant in force at its tip`).toBe(true);
    }

    // The stall is the clock rules at work (a block refused or a leader waiting), not an idle leader.
    expect(await clockRefusals()).toBeGreaterThan(refusalsBefore);

    // Validator 2's clock runs true again: time resumes, and the waiting anchor (and any after it,
    // should it have landed in the stopped instant) is refused.
    stopped.stoppedAt = null;
    let refused = await b.client.waitForReceipt(pending, { timeoutMs: 45_000 });
    for (let i = 0; i < 3 && refused.receipt?.status === 'ok'; i++)
      refused = await run(doctor, anchorOp(), b);
    expect(refused.receipt?.status).toBe('reverted');
    expect(refused.receipt?.error).toContain('no_write_access');

    // Validator 1's clock is fixed too: it takes the blocks it kept out, and every node holds the
    // same receipts and turns the grant from allowed to refused at the same height.
    behind.offset = 0;
    const head = await sameChain([a, b, wrong], 45_000);
    const flips: number[] = [];
    for (const n of net.nodes) {
      for (const tx of [allowed, refused]) {
        const seen = await n.client.getTx(tx.hash);
        expect(seen?.height, `${n.name} ${tx.hash}`).toBe(tx.height);
        expect(seen?.receipt?.status).toBe(tx.receipt?.status);
      }
      const span = (await allBlocks(n)).filter(
        (blk) => blk.height >= allowed.height! && blk.height <= refused.height!,
      );
      let flip = -1;
      for (const blk of span) if (flip < 0 && !(await allowedAt(n, blk.time))) flip = blk.height;
      flips.push(flip);
      // No block an hour ahead (validator 0's clock) is on any node.
      for (const blk of await allBlocks(n))
        expect(blk.time, `${n.name} block ${blk.height}`).toBeLessThanOrEqual(Date.now() + BOUND);
    }
    expect(flips[0]).toBeGreaterThan(allowed.height!);
    expect(flips[0]).toBeLessThanOrEqual(refused.height!);
    expect(flips).toEqual([flips[0], flips[0], flips[0]]);
    expect(head.height).toBeGreaterThanOrEqual(refused.height!);
    ahead.offset = 0;
  }, 150_000);
});
