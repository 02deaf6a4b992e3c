/**
 * A rolling upgrade from the previous release's build (releases.json, extracted from git by its
 * commit) to this code: three validators of the old release as real processes on 127.0.0.1 under a
 * steady put load, each stopped and restarted on this code with the same home (config, keys and
 * data dir), one at a time. Every acknowledged put is committed on every node, the state roots
 * agree, no peer is refused, no committed block is rejected and no put fails.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { validatorsWithoutFeatureGovernance } from '../../../cli/governance.js';
import { RAFT_MIN_COMPATIBLE_VERSION, RAFT_PROTOCOL_VERSION } from '../../../node/p2p/version.js';
import { sameChain } from '../../helpers/chain-check.js';
import { createNetwork, type Network, ROOT, type TestNode, waitFor } from '../../helpers/network.js';
import { PutLoad } from './put-load.js';
import { type Materialised, materialise, previousRelease, raftVersionsIn } from './release.js';

let old: Materialised;
let net: Network;
let load: PutLoad;
/** The Raft version each node's code speaks at most, by index. */
const speaks: number[] = [];

/** Waits until the leader's links speak the highest version both ends have, and none is refused. */
async function linksAgree(): Promise<void> {
  await waitFor(async () => {
    const leader = await net.waitLeader();
    const st = await leader.status();
    for (const n of net.nodes) {
      if (n === leader) continue;
      const id = (await n.status()).nodeId;
      const view = st.validators.find((x) => x.peerId === id);
      const want = Math.min(speaks[leader.index] ?? 0, speaks[n.index] ?? 0);
      if (view?.protocolVersion !== want || view.refusedVersions !== null) return false;
    }
    return true;
  }, `the leader's links to speak ${speaks}`);
}

/** Stops `n` (SIGTERM) while the load goes through `via`, and starts it again on this code. */
async function upgrade(n: TestNode, via: TestNode): Promise<void> {
  await load.moveTo(via);
  await n.stop();
  n.root = ROOT;
  await n.start();
  speaks[n.index] = RAFT_PROTOCOL_VERSION;
}

beforeAll(async () => {
  old = await materialise(await previousRelease());
  console.info(
    `${old.release.tag} (${old.release.commit.slice(0, 12)}) extracted, deps by ${old.deps}, ` +
      `in ${Math.round(old.ms)} ms${old.lockDiff.length > 0 ? `; lock differs: ${old.lockDiff.join(', ')}` : ''}`,
  );
  net = await createNetwork({ nodes: 3, mode: 'child', start: false });
  for (const n of net.nodes) {
    n.root = old.dir;
    n.startTimeoutMs = 90_000;
    speaks[n.index] = old.release.raftProtocols.current;
  }
  await net.startAll();
  await net.waitLeader();
  load = new PutLoad(net, net.node(2), 'upgrade-from-release/load');
  load.start();
  await load.more(3, `on ${old.release.tag}`);
}, 180_000);

afterAll(async () => {
  await load?.stop();
  await net?.cleanup();
  if (old !== undefined && process.env.EHRCHAIN_KEEP_TEST_DIRS !== '1')
    await rm(old.dir, { recursive: true, force: true });
});

describe('a rolling upgrade from the previous release to this code, one node at a time', () => {
  test('releases.json states the Raft versions the release declares, and this code still speaks one', async () => {
    expect(await raftVersionsIn(old.dir)).toEqual(old.release.raftProtocols);
    expect(RAFT_MIN_COMPATIBLE_VERSION).toBeLessThanOrEqual(old.release.raftProtocols.current);
  });

  test('each node restarted on this code rejoins and commits with the old ones', async () => {
    const [a, b, c] = [net.node(0), net.node(1), net.node(2)];
    for (const [n, via] of [
      [a, c],
      [b, c],
      [c, a],
    ] as const) {
      await upgrade(n, via);
      await load.more(3, `after ${n.name} runs this code`);
      await linksAgree();
      // The CLI refuses to propose a feature activation while a node of the old release remains.
      const old = (await validatorsWithoutFeatureGovernance(n.url)).map((x) => x.split(' ')[0]);
      expect(old).toEqual(net.nodes.filter((x) => x.root !== ROOT).map((x) => x.name));
    }
  }, 150_000);

  test('every acknowledged put is on every node, state roots agree, nothing was refused', async () => {
    await load.stop();
    expect(load.acked.length).toBeGreaterThanOrEqual(12);
    await net.waitCommitted(load.acked);
    await sameChain(net.nodes);
    expect(load.refused).toEqual([]);
    for (const n of net.nodes) {
      const log = await n.log();
      expect(log).not.toContain('refusing validator');
      expect(log).not.toContain('committed block rejected');
      expect(log).not.toContain('STATE DIVERGENCE');
    }
  }, 90_000);
});
