/**
 * Block time is consent time, and it is the proposer's clock. Three in-process validators, one with
 * a wrong clock made leader: its blocks from the future never commit (the others keep them out of
 * their logs and elect a leader whose clock agrees), and a leader whose clock is behind the chain
 * hands leadership over rather than stalling time, and so does one whose clock stops. Every tx still
 * commits. One network serves every case, in order; validator 0's clock is the one set wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import type { ChainNode } from '../../../node/node.js';
import { allBlocks } from '../../helpers/chain-check.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';

const HOUR = 3_600_000;
const BOUND = 5_000;
const enc = new TextEncoder();

async function metric(n: ChainNode, name: string): Promise<number> {
  return (await n.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
}

const inproc = (t: TestNode): ChainNode => {
  if (t.node === null) throw new Error(`${t.name} is not running in process`);
  return t.node;
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

describe('a validator with a wrong clock cannot move consent time', () => {
  let net: Network;
  let wrong: TestNode;
  let a: TestNode;
  let b: TestNode;
  /** Validator 0's clock: real time plus `offset`, or stopped at `stoppedAt`. */
  let offset = 0;
  let stoppedAt: number | null = null;

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'inproc',
      start: false,
      config: { block: { distrustMs: 5_000 } },
    });
    [wrong, a, b] = [net.node(0), net.node(1), net.node(2)];
    wrong.clock = () => stoppedAt ?? Date.now() + offset;
    await net.startAll();
  }, 60_000);
  afterAll(async () => {
    await net?.cleanup();
  });

  it('a leader one hour ahead commits no block: the others refuse its blocks and elect another leader', async () => {
    offset = HOUR;
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
    offset = 0;
    await makeLeader(net, wrong);
    await putKeys(net, a, 'before', 1);
    const held = await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total');
    offset = -HOUR;
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
    offset = 0;
    await makeLeader(net, wrong);
    await putKeys(net, a, 'running', 1);
    const held = await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total');
    const from = (await a.status()).height;
    stoppedAt = Date.now();
    await putKeys(net, a, 'stopped', 4);

    // The stopped clock stamps at most one block (the one cut at the instant it stopped, a true
    // time); every later block is cut by a leader whose clock runs.
    const after = (await allBlocks(a)).filter((blk) => blk.height > from);
    const stopped = stoppedAt;
    expect(after.filter((blk) => blk.time === stopped).length).toBeLessThanOrEqual(1);
    for (const blk of after) expect(blk.time, `block ${blk.height}`).toBeGreaterThanOrEqual(stopped);
    expect(after.at(-1)?.time).toBeGreaterThan(stopped);
    expect(await metric(inproc(wrong), 'ehrchain_leader_clock_behind_total')).toBeGreaterThan(held);
    expect((await wrong.status()).role).not.toBe('leader');
    stoppedAt = null;
  }, 150_000);
});
