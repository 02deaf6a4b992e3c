/**
 * Raft transport throughput over one libp2p stream on loopback (TCP + noise + yamux).
 *
 *   node --import tsx test/perf/p2p.bench.ts
 *
 * Two hosts; A sends Raft messages to B as fast as the bounded queue allows (paced so nothing is
 * dropped); B decodes and validates every message (onRaftMessage). Reports messages/s and MB/s.
 */
import '../../node/polyfill.js';
import { createHash } from 'node:crypto';
import type { Message } from '../../consensus/types.js';
import { createP2PHost, type P2PHost } from '../../node/p2p/host.js';
import { CountingMetrics } from '../../node/p2p/metrics.js';

const seed = (label: string) => new Uint8Array(createHash('sha256').update(`bench-${label}`).digest());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pair(): Promise<[P2PHost, P2PHost]> {
  const a = await createP2PHost({
    chainId: 'bench',
    seed: seed('a'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    metrics: new CountingMetrics(),
  });
  const b = await createP2PHost({
    chainId: 'bench',
    seed: seed('b'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    metrics: new CountingMetrics(),
  });
  await a.setAllowedPeers([b.peerId]);
  await b.setAllowedPeers([a.peerId]);
  await a.start();
  await b.start();
  await a.setPeers([{ peerId: b.peerId, addrs: b.multiaddrs().map((m) => m.split('/p2p/')[0] ?? m) }]);
  while (a.connectedPeers().length === 0) await sleep(10);
  return [a, b];
}

async function run(
  name: string,
  a: P2PHost,
  b: P2PHost,
  make: (i: number) => Message,
  total: number,
  burst = 500,
) {
  let received = 0;
  let bytes = 0;
  const off = b.raft.onRaftMessage(() => {
    received++;
  });
  const offBytes = b.raft.onMessage((_f, buf) => {
    bytes += buf.byteLength;
  });
  // warm up the stream
  a.raft.sendMessage(make(0));
  while (received < 1) await sleep(5);
  received = 0;
  bytes = 0;
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    const queued = a.raft.queued().get(b.peerId) ?? 0;
    // Pace so the bounded queue (4096 frames / 32 MiB) never overflows: nothing is dropped.
    if (queued > 4 * burst || sent - received > 40 * burst) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    for (let k = 0; k < burst && sent < total; k++) a.raft.sendMessage(make(++sent));
    await new Promise((r) => setImmediate(r));
  }
  while (received < total) await sleep(1);
  const s = (performance.now() - t0) / 1000;
  off();
  offBytes();
  console.log(
    `${name.padEnd(34)} ${total} msgs in ${s.toFixed(2)} s: ${Math.round(total / s).toLocaleString()} msg/s, ${(bytes / s / 1e6).toFixed(1)} MB/s`,
  );
}

const [a, b] = await pair();
const from = a.peerId;
const to = b.peerId;
await run('heartbeat (~120 B)', a, b, (i) => ({ type: 'heartbeat', from, to, term: 1, commit: i }), 200_000);
const entry = (i: number, size: number) => ({
  term: 1,
  index: i,
  type: 0 as const,
  data: new Uint8Array(size),
});
await run(
  'append, 10 x 200 B entries',
  a,
  b,
  (i) => ({
    type: 'append',
    from,
    to,
    term: 1,
    prevIndex: i,
    prevTerm: 1,
    commit: i,
    entries: Array.from({ length: 10 }, (_, k) => entry(i * 10 + k, 200)),
  }),
  50_000,
);
await run(
  'append, 1 x 64 KiB entry',
  a,
  b,
  (i) => ({
    type: 'append',
    from,
    to,
    term: 1,
    prevIndex: i,
    prevTerm: 1,
    commit: i,
    entries: [entry(i, 65536)],
  }),
  5_000,
  20,
);
const t0 = performance.now();
await Promise.all([a.stop(), b.stop()]);
console.log(`stop both hosts: ${Math.round(performance.now() - t0)} ms`);
