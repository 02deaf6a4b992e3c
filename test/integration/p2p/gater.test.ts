/** The allow-list gater: an unknown key can neither connect nor deliver, until it is admitted. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import {
  nodeIdOf,
  peerAddresses,
  seed,
  startCluster,
  startHost,
  stopAll,
  type TestNode,
  waitFor,
} from './helpers.js';

let nodes: TestNode[] = [];
let stranger: Awaited<ReturnType<typeof startHost>> | undefined;

beforeAll(async () => {
  nodes = await startCluster(3, 'gater');
  await waitFor(() => nodes.every((n) => n.host.connectedPeers().length === 2), 'full mesh');
});

afterAll(async () => {
  await stopAll([...nodes.map((n) => n.host), stranger?.host]);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connection gater', () => {
  test('refuses a peer outside the allow-list; setAllowedPeers admits it; removal hangs up', async () => {
    const a = nodes[0];
    if (a === undefined) throw new Error('no node');
    const strangerSeed = seed('stranger');
    const dId = await nodeIdOf(strangerSeed);
    const cluster = nodes.map((n) => n.id);
    // The stranger allows the cluster and keeps dialling every validator.
    stranger = await startHost(strangerSeed, peerAddresses(nodes), { allowedPeers: cluster });
    const d = stranger.host;
    const got: Message[] = [];
    a.host.raft.onRaftMessage((m) => got.push(m));
    const refusedBefore = a.host.refusedConnections();
    for (let i = 0; i < 10; i++) {
      d.raft.sendMessage({ type: 'heartbeat', from: dId, to: a.id, term: 1, commit: i });
      await sleep(100);
    }
    expect(a.host.refusedConnections()).toBeGreaterThan(refusedBefore);
    // (The stranger may see a connection for an instant: its side of the handshake completes
    // before the validator's gater closes it. The validators never accept it.)
    for (const n of nodes) expect(n.host.connectedPeers()).not.toContain(dId);
    expect(got).toEqual([]);

    // Admit the stranger on a only.
    await a.host.setAllowedPeers([...cluster, dId]);
    await waitFor(() => d.connectedPeers().includes(a.id), 'stranger connected to a', 10_000);
    await waitFor(() => {
      d.raft.sendMessage({ type: 'heartbeat', from: dId, to: a.id, term: 2, commit: 1 });
      return got.some((m) => m.from === dId && m.term === 2);
    }, 'stranger delivers to a');
    expect(nodes[1]?.host.connectedPeers()).not.toContain(dId);

    // Take it out again: the connection is closed and stays closed.
    await a.host.setAllowedPeers(cluster);
    await waitFor(() => !a.host.connectedPeers().includes(dId), 'stranger hung up');
    await sleep(600);
    expect(a.host.connectedPeers()).not.toContain(dId);
    // The cluster itself is untouched.
    expect(a.host.connectedPeers().sort()).toEqual(cluster.filter((x) => x !== a.id).sort());
  });
});
