/**
 * A rolling upgrade of three in-process validators under a steady put load: all start speaking only
 * Raft protocol version 1 (the previous release's protocol: p2p.protocolVersion 1), then are
 * restarted one at a time on this release's default (still serving 1). On the way, one is
 * restarted speaking only a version no other node has (this release's + 1): the others refuse it, say
 * so in their
 * log, status and metrics, and keep committing. Every acknowledged put ends up on every node.
 *
 * This plays the release before versioning with this code's protocolVersion 1 (byte for byte that
 * release's protocol ids and frames: test/integration/p2p/versions.test.ts); the upgrade from the
 * real previous release's build is upgrade-from-release.test.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_RAFT_VERSIONS, RAFT_PROTOCOL_VERSION, raftVersionsOf } from '../../../node/p2p/version.js';
import type { ValidatorView } from '../../../protocol/api.js';
import { sameChain } from '../../helpers/chain-check.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';
import { PutLoad } from './put-load.js';

let net: Network;
let load: PutLoad;

async function setVersion(n: TestNode, p2p: { protocolVersion?: number; minProtocolVersion?: number }) {
  const file = join(n.home, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as { p2p: Record<string, unknown> };
  delete config.p2p.protocolVersion;
  delete config.p2p.minProtocolVersion;
  Object.assign(config.p2p, p2p);
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
}

/** Restarts `n` with new p2p version options while the load goes through `via`. */
async function restart(
  n: TestNode,
  via: TestNode,
  p2p: { protocolVersion?: number; minProtocolVersion?: number },
) {
  await load.moveTo(via);
  await n.stop();
  await setVersion(n, p2p);
  await n.start();
  speaks[n.index] = p2p.protocolVersion ?? RAFT_PROTOCOL_VERSION;
}

/** A version no release speaks yet, and this release's list as its log names it. */
const FUTURE = RAFT_PROTOCOL_VERSION + 1;
const ours = raftVersionsOf(DEFAULT_RAFT_VERSIONS).join(', ');

/** The Raft version each node speaks now (what its p2p.protocolVersion is), by index. */
const speaks = [1, 1, 1];

/**
 * Waits until the leader's links speak the highest version both ends have. Only the leader talks
 * to every validator: two followers exchange no Raft message, so their link has no version.
 */
async function linksSpeak(): Promise<void> {
  await waitFor(async () => {
    const leader = await net.waitLeader();
    const st = await leader.status();
    for (const n of net.nodes) {
      if (n === leader) continue;
      const id = (await n.status()).nodeId;
      const want = Math.min(speaks[leader.index] ?? 0, speaks[n.index] ?? 0);
      if (st.validators.find((v) => v.peerId === id)?.protocolVersion !== want) return false;
    }
    return true;
  }, `the leader's links to speak ${speaks}`);
}

async function viewOf(from: TestNode, of: TestNode): Promise<ValidatorView | undefined> {
  const st = await from.status();
  const id = (await of.status()).nodeId;
  return st.validators.find((v) => v.peerId === id);
}

beforeAll(async () => {
  net = await createNetwork({
    nodes: 3,
    mode: 'inproc',
    start: false,
    logLevel: 'info',
    config: { p2p: { protocolVersion: 1 } },
  });
  await net.startAll();
  await net.waitLeader();
  load = new PutLoad(net, net.node(2));
  load.start();
  await load.more(3, 'on the previous release');
}, 60_000);

afterAll(async () => {
  await load?.stop();
  await net?.cleanup();
});

describe('a rolling upgrade from protocol version 1 to 2, one node at a time', () => {
  test('an upgraded node speaks version 1 with the others and commits with them', async () => {
    const [a, b] = [net.node(0), net.node(1)];
    await restart(a, b, {});
    await load.more(3, 'after the first upgrade');
    await linksSpeak();
    expect((await viewOf(b, a))?.refusedVersions).toBeNull();
  }, 90_000);

  test('with two upgraded, each link speaks the highest version both ends have', async () => {
    const [b, c] = [net.node(1), net.node(2)];
    await restart(b, c, {});
    await load.more(3, 'after the second upgrade');
    await linksSpeak();
  }, 90_000);

  test('a node speaking only an unknown version is refused, named in log, status and metric; the others commit', async () => {
    const [a, b, c] = [net.node(0), net.node(1), net.node(2)];
    await restart(c, a, { protocolVersion: FUTURE, minProtocolVersion: FUTURE });
    const cId = (await c.status()).nodeId;
    await waitFor(
      async () => (await viewOf(a, c))?.refusedVersions?.[0] === FUTURE,
      'node3 refused by node1',
    );
    await waitFor(
      async () => (await viewOf(b, c))?.refusedVersions?.[0] === FUTURE,
      'node3 refused by node2',
    );
    expect(await a.log()).toContain(
      `refusing validator ${cId}: it speaks Raft protocol version ${FUTURE}, this node ${ours}`,
    );
    expect(await c.log()).toContain(`this node ${FUTURE}`);
    const metrics = await (await fetch(`${a.url}/metrics`)).text();
    expect(metrics).toContain(`ehrchain_p2p_incompatible_peers{peer="${cId}",versions="${FUTURE}"} 1`);
    const stuck = (await c.status()).height;
    await load.more(5, 'while node3 is refused');
    expect((await c.status()).height).toBe(stuck);
  }, 90_000);

  test('upgraded to this release, it is accepted again, catches up, and nothing acknowledged is lost', async () => {
    const [a, b, c] = [net.node(0), net.node(1), net.node(2)];
    await restart(c, a, {});
    await load.more(3, 'after the last upgrade');
    await linksSpeak();
    expect((await viewOf(a, c))?.refusedVersions).toBeNull();
    await load.stop();
    await net.waitCommitted(load.acked, [a, b, c]);
    await sameChain([a, b, c]);
  }, 120_000);
});
