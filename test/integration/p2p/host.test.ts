/** Three real libp2p hosts over 127.0.0.1: connectivity, Raft transport, tx gossip, DHT, requests. */

import { randomBytes } from 'node:crypto';
import * as lp from 'it-length-prefixed';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import { P2PError } from '../../../node/p2p/errors.js';
import { DropReason } from '../../../node/p2p/metrics.js';
import { defaultP2POptions } from '../../../node/p2p/options.js';
import { encodeRaftMessage } from '../../../node/p2p/raft-codec.js';
import { RequestRefusal } from '../../../node/p2p/request.js';
import { sampleMessages } from './arbitraries.js';
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
const node = (i: number): TestNode => {
  const n = nodes[i];
  if (n === undefined) throw new Error(`no node ${i}`);
  return n;
};

beforeAll(async () => {
  nodes = await startCluster(3, 'host', {
    raft: { maxFrameBytes: 64 * 1024, backoffMinMs: 20, backoffMaxMs: 300 },
  });
  await waitFor(() => nodes.every((n) => n.host.connectedPeers().length === 2), 'full mesh', 10_000);
});

afterAll(async () => {
  await stopAll(nodes.map((n) => n.host));
});

/** Collects decoded Raft messages per receiver. */
function collect(): { got: Map<string, Message[]>; off: () => void } {
  const got = new Map<string, Message[]>();
  const offs = nodes.map((n) => {
    got.set(n.id, []);
    return n.host.raft.onRaftMessage((m) => got.get(n.id)?.push(m));
  });
  return {
    got,
    off: () => {
      for (const f of offs) f();
    },
  };
}

describe('p2p host, 3 validators', () => {
  test('all hosts connect to each other', () => {
    for (const n of nodes) {
      expect(n.host.connectedPeers().sort()).toEqual(
        nodes
          .filter((x) => x !== n)
          .map((x) => x.id)
          .sort(),
      );
    }
  });

  test('every Raft message type round-trips between each ordered pair', async () => {
    const { got, off } = collect();
    const expected = new Map<string, Message[]>(nodes.map((n) => [n.id, []]));
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        for (const m of sampleMessages(a.id, b.id)) {
          expect(a.host.raft.sendMessage(m)).toBe(true);
          expected.get(b.id)?.push(m);
        }
      }
    }
    await waitFor(() => nodes.every((n) => got.get(n.id)?.length === 20), 'all messages', 10_000);
    off();
    for (const n of nodes) {
      const sortKey = (m: Message) => `${m.from}/${m.type}`;
      const sort = (xs: Message[]) => [...xs].sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
      expect(sort(got.get(n.id) ?? [])).toEqual(sort(expected.get(n.id) ?? []));
    }
  });

  test('messages are delivered in order per pair', async () => {
    const { got, off } = collect();
    const N = 500;
    for (let i = 1; i <= N; i++) {
      for (const a of nodes) {
        for (const b of nodes) {
          if (a !== b)
            a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 1, commit: i });
        }
      }
    }
    await waitFor(() => nodes.every((n) => got.get(n.id)?.length === 2 * N), 'ordered batch', 15_000);
    off();
    for (const n of nodes) {
      for (const a of nodes) {
        if (a === n) continue;
        const commits = (got.get(n.id) ?? [])
          .filter((m) => m.from === a.id)
          .map((m) => (m.type === 'heartbeat' ? m.commit : -1));
        expect(commits).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      }
    }
  });

  test('a snapshot larger than the frame limit travels on the snapshot lane', async () => {
    const { got, off } = collect();
    const data = new Uint8Array(randomBytes(200 * 1024));
    const [a, b] = [node(0), node(1)];
    const snap: Message = {
      type: 'snapshot',
      from: a.id,
      to: b.id,
      term: 9,
      snapshot: {
        meta: { index: 100, term: 9, conf: { voters: nodes.map((n) => n.id), learners: [] } },
        data,
      },
    };
    expect(a.host.raft.sendMessage(snap)).toBe(true);
    a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 9, commit: 1 });
    await waitFor(() => (got.get(b.id)?.length ?? 0) === 2, 'snapshot + heartbeat');
    off();
    const rx = got.get(b.id)?.find((m) => m.type === 'snapshot');
    if (rx?.type !== 'snapshot') throw new Error('no snapshot');
    // (toEqual on a 200 KiB Uint8Array is slow: compare the bytes directly.)
    expect(Buffer.compare(rx.snapshot.data, data)).toBe(0);
    expect({ ...rx, snapshot: { ...rx.snapshot, data: null } }).toEqual({
      ...snap,
      snapshot: { ...snap.snapshot, data: null },
    });
  });

  test('a message with a forged `from` is dropped and counted', async () => {
    const { got, off } = collect();
    const [a, b, c] = [node(0), node(1), node(2)];
    const forged = encodeRaftMessage({ type: 'timeoutNow', from: c.id, to: b.id, term: 99 });
    const before = b.metrics.droppedFor(DropReason.ForgedSender);
    const misBefore = b.metrics.droppedFor(DropReason.Misaddressed);
    a.host.raft.send(b.id, forged);
    // Honest sender, but addressed to someone else.
    a.host.raft.send(b.id, encodeRaftMessage({ type: 'timeoutNow', from: a.id, to: c.id, term: 99 }));
    a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 99, commit: 5 });
    await waitFor(() => (got.get(b.id)?.length ?? 0) >= 1, 'the honest message');
    off();
    expect(got.get(b.id)?.map((m) => m.type)).toEqual(['heartbeat']);
    expect(b.metrics.droppedFor(DropReason.ForgedSender)).toBe(before + 1);
    expect(b.metrics.droppedFor(DropReason.Misaddressed)).toBe(misBefore + 1);
  });

  test('random bytes written straight onto the raft stream do not hurt the receiver', async () => {
    const [a, b] = [node(0), node(1)];
    const protocol = b.host.raft.protocol;
    for (let i = 0; i < 20; i++) {
      const s = await a.host.libp2p.dialProtocol(b.host.libp2p.peerId, protocol);
      // Half the time raw garbage (bogus length prefixes), half garbage inside valid frames.
      const junk = new Uint8Array(randomBytes(1 + ((i * 97) % 3000)));
      try {
        s.send(i % 2 === 0 ? junk : lp.encode.single(junk));
        await s.close();
      } catch {
        // the receiver may reset the stream first: that is its right
      }
    }
    // An absurd length prefix (2^62) on its own.
    const s = await a.host.libp2p.dialProtocol(b.host.libp2p.peerId, protocol);
    s.send(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]));
    await s.close().catch(() => {});
    expect(b.host.raft.inboundStreams()).toBeLessThanOrEqual(3);
    // Garbage inside a valid frame mostly fails the version check before the decoder sees it.
    const bad = () =>
      b.metrics.droppedFor(DropReason.BadMessage) + b.metrics.droppedFor(DropReason.BadVersion);
    await waitFor(() => bad() >= 10, 'bad frames counted');
    const { got, off } = collect();
    a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 1, commit: 77 });
    await waitFor(() => (got.get(b.id)?.length ?? 0) === 1, 'a good message after the junk');
    off();
    expect(b.host.running).toBe(true);
  });

  test('tx gossip reaches every host; a duplicate publish does not throw', async () => {
    const [a] = [node(0)];
    await waitFor(() => a.host.txSubscribers().length === 2, 'tx topic subscribers');
    const got = new Map<string, { bytes: Uint8Array; from: string }[]>();
    const offs = nodes.map((n) =>
      n.host.onTx((bytes, from) => got.set(n.id, [...(got.get(n.id) ?? []), { bytes, from }])),
    );
    const tx = new Uint8Array(randomBytes(300));
    const r = await a.host.publishTx(tx);
    expect(r.recipients).toBe(2);
    await waitFor(
      () => (got.get(node(1).id)?.length ?? 0) === 1 && (got.get(node(2).id)?.length ?? 0) === 1,
      'tx delivered',
    );
    expect(await a.host.publishTx(tx)).toEqual({ recipients: 0 });
    for (const f of offs) f();
    for (const n of [node(1), node(2)]) {
      expect(got.get(n.id)?.[0]?.from).toBe(a.id);
      expect(Buffer.from(got.get(n.id)?.[0]?.bytes ?? [])).toEqual(Buffer.from(tx));
    }
    expect(got.get(a.id)).toBeUndefined();
    // A gossip message over maxGossipBytes (a batch frame's limit, 4 MiB by default) is refused.
    await expect(a.host.publishTx(new Uint8Array(defaultP2POptions.maxGossipBytes + 1))).rejects.toThrowError(
      expect.objectContaining({ code: 'too_large' }),
    );
  });

  test('DHT: one host provides a CID, another finds it', async () => {
    const cid = CID.createV1(0x55, await sha256.digest(randomBytes(64)));
    await node(0).host.provide(cid, { timeoutMs: 8000 });
    const found = await node(2).host.findProviders(cid, { signal: AbortSignal.timeout(8000), limit: 1 });
    expect(found.map((p) => p.peerId)).toEqual([node(0).id]);
    const none = await node(2).host.findProviders(CID.createV1(0x55, await sha256.digest(randomBytes(8))), {
      timeoutMs: 1500,
    });
    expect(none).toEqual([]);
  });

  test('DHT: a lone host answers no_peers at once and still announces to a peer that joins in time', async () => {
    const seeds = [seed('lone-0'), seed('lone-1')];
    const allowedPeers = await Promise.all(seeds.map(nodeIdOf));
    const started = await Promise.all(seeds.map((s) => startHost(s, [], { allowedPeers })));
    const [lone, late] = started.map(
      (h, i): TestNode => ({ id: allowedPeers[i] ?? '', seed: seeds[i] ?? seed(''), ...h }),
    );
    try {
      const cid = CID.createV1(0x55, await sha256.digest(randomBytes(64)));
      expect(lone!.host.dhtPeers()).toBe(0);
      // Not 'timeout': the call does not wait out the 60 s it is given.
      await expect(lone!.host.provide(cid, { timeoutMs: 60_000 })).rejects.toMatchObject({
        code: 'no_peers',
      });
      await late!.host.setPeers(peerAddresses([lone!]));
      let found: string[] = [];
      await waitFor(async () => {
        const p = await late!.host.findProviders(cid, { timeoutMs: 2000, limit: 1 });
        found = p.map((x) => x.peerId);
        return found.length > 0;
      }, 'the late peer finds the lone host as the provider');
      expect(found).toEqual([lone!.id]);
    } finally {
      await stopAll(started.map((h) => h.host));
    }
  });

  test('request/response: answers, refusals with a code, size limits, timeouts', async () => {
    const [a, b] = [node(0), node(1)];
    const proto = '/ehrchain/test/echo/1.0.0';
    await b.host.handleRequest(
      proto,
      async (req, ctx) => {
        const cmd = new TextDecoder().decode(req);
        if (cmd === 'deny') throw new RequestRefusal('consent_denied');
        if (cmd === 'crash') throw new Error('secret internals');
        if (cmd === 'big') return new Uint8Array(2048);
        if (cmd === 'slow') await new Promise((r) => setTimeout(r, 3000));
        return new TextEncoder().encode(`${ctx.from}:${cmd}`);
      },
      { maxRequestBytes: 1024 },
    );
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(new TextDecoder().decode(await a.host.request(b.id, proto, enc('hi')))).toBe(`${a.id}:hi`);
    await expect(a.host.request(b.id, proto, enc('deny'))).rejects.toMatchObject({
      code: 'remote_error',
      remoteCode: 'consent_denied',
    });
    await expect(a.host.request(b.id, proto, enc('crash'))).rejects.toMatchObject({ remoteCode: 'internal' });
    await expect(a.host.request(b.id, proto, enc('big'), { maxResponseBytes: 1000 })).rejects.toMatchObject({
      code: 'too_large',
    });
    await expect(a.host.request(b.id, proto, new Uint8Array(5000))).rejects.toBeInstanceOf(P2PError);
    await expect(a.host.request(b.id, proto, enc('slow'), { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'timeout',
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await expect(a.host.request(b.id, proto, enc('slow'), { signal: ac.signal })).rejects.toMatchObject({
      code: 'aborted',
    });
    await expect(a.host.request(b.id, '/ehrchain/test/nope/1.0.0', enc('x'))).rejects.toMatchObject({
      code: 'unreachable',
    });
  });

  test('a restarted peer (same key, same port) is reconnected and receives again', async () => {
    const [a, b] = [node(0), node(1)];
    const { got, off } = collect();
    await b.host.stop();
    await waitFor(() => !a.host.connectedPeers().includes(b.id), 'a sees b gone');
    // Sent while b is down: queued (and possibly lost with the old stream; Raft tolerates it).
    for (let i = 0; i < 5; i++)
      a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 2, commit: i });
    const restarted = await startHost(
      b.seed,
      peerAddresses(nodes.filter((n) => n !== b)),
      {
        allowedPeers: nodes.map((n) => n.id),
        raft: { maxFrameBytes: 64 * 1024, backoffMinMs: 20, backoffMaxMs: 300 },
      },
      b.port,
    );
    b.host = restarted.host;
    off();
    const again: Message[] = [];
    b.host.raft.onRaftMessage((m) => again.push(m));
    await waitFor(() => b.host.connectedPeers().length === 2, 'restarted b reconnected to both');
    await waitFor(() => {
      a.host.raft.sendMessage({ type: 'heartbeat', from: a.id, to: b.id, term: 3, commit: 1 });
      return again.some((m) => m.term === 3);
    }, 'b receives from a after restart');
    expect(got.get(b.id)?.length ?? 0).toBe(0);
  });
});
