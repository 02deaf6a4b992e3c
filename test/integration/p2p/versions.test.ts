/**
 * Raft protocol versions between real hosts on 127.0.0.1: this release (2, still serving 1), the
 * previous release (1 only) and a future one that dropped every version of this one. One cluster for the file.
 */
import * as lp from 'it-length-prefixed';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import type { P2PHostOptions } from '../../../node/p2p/host.js';
import { DropReason } from '../../../node/p2p/metrics.js';
import { encodeRaftMessage } from '../../../node/p2p/raft-codec.js';
import {
  DEFAULT_RAFT_VERSIONS,
  RAFT_PROTOCOL_VERSION,
  raftProtocolId,
  raftVersionsOf,
} from '../../../node/p2p/version.js';
import { nodeIdOf, peerAddresses, seed, startHost, stopAll, type TestNode, waitFor } from './helpers.js';

/** A version no release speaks yet. */
const FUTURE = RAFT_PROTOCOL_VERSION + 1;

const RELEASES: Record<string, Partial<P2PHostOptions>> = {
  current: {},
  previous: { protocolVersion: 1, minProtocolVersion: 1 },
  future: { protocolVersion: FUTURE, minProtocolVersion: FUTURE },
};

let nodes: Record<string, TestNode>;
const inbox = new Map<string, Message[]>();

beforeAll(async () => {
  const names = Object.keys(RELEASES);
  const ids = await Promise.all(names.map((n) => nodeIdOf(seed(`versions-${n}`))));
  nodes = {};
  for (const [i, name] of names.entries()) {
    const s = seed(`versions-${name}`);
    const { host, port, metrics } = await startHost(s, [], { allowedPeers: ids, ...RELEASES[name] });
    const id = ids[i] ?? '';
    nodes[name] = { id, seed: s, host, port, metrics };
    host.raft.onRaftMessage((m) => inbox.set(id, [...(inbox.get(id) ?? []), m]));
  }
  const all = Object.values(nodes);
  for (const n of all) await n.host.setPeers(peerAddresses(all.filter((x) => x !== n)));
});

afterAll(async () => {
  await stopAll(Object.values(nodes).map((n) => n.host));
});

const get = (name: string): TestNode => {
  const n = nodes[name];
  if (n === undefined) throw new Error(name);
  return n;
};
const heartbeat = (from: TestNode, to: TestNode, commit: number): Message => ({
  type: 'heartbeat',
  from: from.id,
  to: to.id,
  term: 1,
  commit,
});
const received = (to: TestNode, commit: number) =>
  (inbox.get(to.id) ?? []).some((m) => m.type === 'heartbeat' && m.commit === commit);

describe('this release and the previous one', () => {
  test('this release speaks version 1 to a previous-release peer, both ways', async () => {
    const [cur, prev] = [get('current'), get('previous')];
    await waitFor(() => {
      cur.host.raft.sendMessage(heartbeat(cur, prev, 11));
      prev.host.raft.sendMessage(heartbeat(prev, cur, 12));
      return received(prev, 11) && received(cur, 12);
    }, 'heartbeats both ways');
    expect(cur.host.raft.peerVersion(prev.id)).toBe(1);
    expect(prev.host.raft.peerVersion(cur.id)).toBe(1);
    expect(cur.host.raft.incompatiblePeers()).not.toContainEqual(expect.objectContaining({ peer: prev.id }));
  });

  test('a bare frame on the version-1 stream, as the previous release writes it, is delivered', async () => {
    const [cur, prev] = [get('current'), get('previous')];
    const s = await prev.host.libp2p.dialProtocol(cur.host.libp2p.peerId, raftProtocolId('test', 'raft', 1));
    s.send(lp.encode.single(encodeRaftMessage(heartbeat(prev, cur, 13))));
    await waitFor(() => received(cur, 13), 'the legacy frame');
    await s.close().catch(() => {});
  });

  test('a frame whose version is not its stream’s is dropped and counted', async () => {
    const [cur, prev] = [get('current'), get('previous')];
    const before = cur.metrics.droppedFor(DropReason.BadVersion);
    const s = await prev.host.libp2p.dialProtocol(cur.host.libp2p.peerId, raftProtocolId('test', 'raft', 1));
    const body = encodeRaftMessage(heartbeat(prev, cur, 14));
    s.send(lp.encode.single(new Uint8Array([2, ...body])));
    await waitFor(
      () => cur.metrics.droppedFor(DropReason.BadVersion) === before + 1,
      'the version-2 frame on a version-1 stream',
    );
    await s.close().catch(() => {});
    expect(received(cur, 14)).toBe(false);
  });
});

describe('a peer with no version in common', () => {
  test('this release refuses it, naming the versions it serves, and sends it nothing', async () => {
    const [cur, fut] = [get('current'), get('future')];
    await waitFor(() => {
      cur.host.raft.sendMessage(heartbeat(cur, fut, 21));
      return cur.host.raft.incompatiblePeers().some((p) => p.peer === fut.id);
    }, 'the future peer refused');
    expect(cur.host.raft.incompatiblePeers()).toContainEqual({ peer: fut.id, versions: [FUTURE] });
    const before = cur.metrics.droppedFor(DropReason.Incompatible);
    expect(cur.host.raft.sendMessage(heartbeat(cur, fut, 22))).toBe(false);
    expect(cur.metrics.droppedFor(DropReason.Incompatible)).toBe(before + 1);
    expect(received(fut, 21) || received(fut, 22)).toBe(false);
  });

  test('the future peer refuses this release and the previous one in turn', async () => {
    const [cur, prev, fut] = [get('current'), get('previous'), get('future')];
    await waitFor(() => {
      fut.host.raft.sendMessage(heartbeat(fut, cur, 31));
      fut.host.raft.sendMessage(heartbeat(fut, prev, 32));
      return fut.host.raft.incompatiblePeers().length === 2;
    }, 'both refused');
    expect(fut.host.raft.incompatiblePeers()).toEqual(
      expect.arrayContaining([
        { peer: cur.id, versions: raftVersionsOf(DEFAULT_RAFT_VERSIONS) },
        { peer: prev.id, versions: [1] },
      ]),
    );
    expect(received(cur, 31) || received(prev, 32)).toBe(false);
  });
});
