/**
 * Raft throughput: a 3-node in-process cluster over an in-memory wire (no faults; every message is
 * delivered in the next round, as fast as the loop runs). Each round the leader receives a batch
 * of client proposals (200-byte entries, one `propose` each, as a leader receives them between two
 * Ready cycles), then every node handles its Ready (persist to MemoryStorage, send, apply, advance)
 * and every queued message is delivered. Messages are copied as a decoder would (fresh objects;
 * an append's entry data copied into one fresh buffer, each entry a view into it) unless
 * `--wire share`. Nodes snapshot and compact every 10,000
 * applied entries. A run ends when all entries are committed on the leader and applied on every node.
 *
 *   npm run bench:raft [-- --json] [--runs 7] [--warmup 2] [--entries 200000] [--batch 256]
 *                      [--bytes 200] [--wire copy|share]
 *
 * Prints figures; never passes or fails on time.
 */
import { parseArgs } from 'node:util';
import { BenchCluster, type WireMode } from './raft-cluster.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    entries: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '256' },
    bytes: { type: 'string', default: '200' },
    wire: { type: 'string', default: 'copy' },
  },
});
const RUNS = Number(values.runs);
const ENTRIES = Number(values.entries);
const BATCH = Number(values.batch);
const BYTES = Number(values.bytes);
const WIRE = values.wire as WireMode;
if (WIRE !== 'copy' && WIRE !== 'share') throw new Error('--wire must be copy or share');
const NODES = 3;
const TICK_EVERY_ROUNDS = 50;

interface RunResult {
  seconds: number;
  entriesPerS: number;
  rounds: number;
  messages: number;
  cpuSeconds: number;
}

function runOnce(): RunResult {
  const cluster = new BenchCluster(NODES, WIRE, { electionTick: 10, heartbeatTick: 1 }, 10_000);
  const leader = cluster.elect();
  const nodes = [...cluster.nodes.values()];
  const source = new Uint8Array(BYTES);
  for (let i = 0; i < BYTES; i++) source[i] = (i * 31 + 7) & 0xff;
  let proposed = 0;
  let rounds = 0;
  let messages = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (nodes.some((n) => n.applied < ENTRIES)) {
    // Client proposals arriving between two Ready cycles; each is a fresh buffer.
    for (let i = 0; i < BATCH && proposed < ENTRIES; i++) {
      const data = source.slice();
      data[0] = proposed & 0xff;
      data[1] = (proposed >>> 8) & 0xff;
      data[2] = (proposed >>> 16) & 0xff;
      if (!leader.raft.propose(data).ok) break; // too many uncommitted: wait for commits
      proposed++;
    }
    messages += cluster.round();
    if (++rounds % TICK_EVERY_ROUNDS === 0) cluster.tick();
    if (rounds > 50 * ENTRIES) throw new Error('bench made no progress');
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  if (leader.raft.status().role !== 'leader') throw new Error('leadership changed during the run');
  return {
    seconds,
    entriesPerS: ENTRIES / seconds,
    rounds,
    messages,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
function median(xs: number[]): number {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

// Warm-up: JIT and heap sizing (the first runs are markedly slower).
for (let i = 0; i < Number(values.warmup); i++) runOnce();
const results: RunResult[] = [];
for (let i = 0; i < RUNS; i++) {
  const r = runOnce();
  results.push(r);
  if (!values.json)
    console.log(
      `  run ${i + 1}: ${fmt(r.entriesPerS)} entries/s (${r.seconds.toFixed(3)} s wall, ${r.cpuSeconds.toFixed(3)} s cpu, ${r.rounds} rounds, ${fmt(r.messages)} messages)`,
    );
}
const rates = results.map((r) => r.entriesPerS);
// Entries per CPU-second: less sensitive to other load on a shared machine.
const cpuRate = median(results.map((r) => ENTRIES / r.cpuSeconds));
const med = median(rates);
const min = Math.min(...rates);
const max = Math.max(...rates);
if (values.json) {
  console.log(
    JSON.stringify({
      bench: 'raft',
      entries_per_s: Math.round(med),
      median: Math.round(med),
      min: Math.round(min),
      max: Math.round(max),
      runs: rates.map(Math.round),
      entries_per_cpu_s: Math.round(cpuRate),
      nodes: NODES,
      entries: ENTRIES,
      entry_bytes: BYTES,
      batch: BATCH,
      wire: WIRE,
    }),
  );
} else {
  console.log(
    `raft ${NODES} nodes, ${fmt(ENTRIES)} x ${BYTES}-byte entries, batch ${BATCH}, wire ${WIRE}: median ${fmt(med)} entries/s (min ${fmt(min)}, max ${fmt(max)}, spread ${(((max - min) / med) * 100).toFixed(1)}%, ${RUNS} runs); ${fmt(cpuRate)} entries per CPU-second`,
  );
}
