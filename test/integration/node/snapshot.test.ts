/**
 * InstallSnapshot end to end: with `raft.snapshotEvery` 50 and `raft.keepEntries` 5, a follower that
 * is stopped while the leader commits and compacts past it restarts, catches up by a snapshot (its
 * log says so, and it lacks the blocks the snapshot covers) and then applies new blocks normally.
 *
 * One tx per block (`block.maxTxs` 1) makes many entries fast. Appends the leader sent while the
 * follower was down wait in the leader's transport queue for that peer (up to 4,096 frames) and
 * are delivered when it is back: they carry the entries the leader has since compacted, so the
 * follower would catch up from those stale frames and never need the snapshot. Restarting the
 * leader before the follower returns drops that queue, as a longer outage would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/chain/encoding.js';
import { sameChain } from '../../helpers/chain-check.js';
import { presign, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';

const EVERY = 50;
const KEEP = 5;

async function commitRound(net: Network, label: string, txs: number): Promise<void> {
  const batch = presign({ chainId: net.chainId, txs, senders: txs, label });
  const r = await submitAll(batch, { targets: () => net.running(), concurrency: 8, timeoutMs: 30_000 });
  expect(r.accepted.size).toBe(txs);
  await net.waitCommitted(
    batch.map((t) => t.hash),
    net.running(),
    30_000,
  );
}

describe('a follower far behind catches up by InstallSnapshot', () => {
  let net: Network;
  let lagger: TestNode;

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'inproc',
      logLevel: 'info',
      config: { raft: { snapshotEvery: EVERY, keepEntries: KEEP }, block: { intervalMs: 20, maxTxs: 1 } },
    });
    await net.waitLeader();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await net.diagnose());
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('restores from the snapshot, then applies new blocks', async () => {
    await commitRound(net, 'snap-0', 10);
    const leader = await net.waitLeader();
    const follower = net.nodes.find((n) => n !== leader);
    if (follower === undefined) throw new Error('no follower');
    lagger = follower;
    const before = await lagger.status();
    await lagger.stop();

    // Commit one block per round until the leader has compacted well past the follower's log.
    const target = before.appliedIndex + 2 * EVERY + KEEP;
    for (let round = 0; round < 20; round++) {
      const st = await leader.status();
      if (st.appliedIndex > target) break;
      await commitRound(net, `snap-r${round}`, 50);
    }
    const leaderSt = await leader.status();
    expect(leaderSt.appliedIndex).toBeGreaterThan(target);
    const lastBlockBefore = before.height;
    await leader.stop();
    await leader.start();
    await net.waitLeader();

    await lagger.start();
    const head = await sameChain(net.nodes, 60_000);
    expect(head.height).toBeGreaterThanOrEqual(leaderSt.height);
    await waitFor(
      async () => (await lagger.log()).includes('restored state from a snapshot'),
      'the restore in the log',
      10_000,
    );
    // The snapshot replaced the blocks in between: the lagger holds none of them.
    const gap = await fetch(`${lagger.url}/v1/blocks/${lastBlockBefore + 1}`);
    expect(gap.status).toBe(404);
    expect(await gap.json()).toMatchObject({ error: { code: 'not_found' } });
    const onLeader = await leader.client.getBlock(lastBlockBefore + 1);
    expect(onLeader.height).toBe(lastBlockBefore + 1);

    // After the snapshot it applies blocks one by one like everyone else.
    await commitRound(net, 'snap-after', 20);
    const after = await sameChain(net.nodes, 30_000);
    expect(after.height).toBeGreaterThan(head.height);
    const block = await lagger.client.getBlock(after.height);
    expect(block.hash).toBe((await leader.client.getBlock(after.height)).hash);
    const probe = presign({ chainId: net.chainId, txs: 1, senders: 1, label: 'snap-after' })[0];
    if (probe === undefined) throw new Error('no probe');
    const q = await lagger.client.query('kv', 'get', [probe.key]);
    expect(q).toMatchObject({ status: 'ok', returnData: toHex(probe.value) });

    // What the snapshot restored is durable: a restart resumes from it, not from the old blocks.
    await lagger.stop();
    await lagger.start();
    expect((await lagger.status()).height).toBeGreaterThanOrEqual(after.height);
    await commitRound(net, 'snap-restart', 10);
    await sameChain(net.nodes, 30_000);
  });
});
