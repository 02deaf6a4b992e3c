/**
 * The state root's parts, CPU per entry: the expansion through libsodium and through node:crypto,
 * and a 1024-lane add one lane at a time, two lanes per u32 word (node/state/lthash.ts) and in a
 * lane arena's WebAssembly SIMD (node/state/lanes.ts, what staging uses).
 * Run: node --import tsx test/perf/lthash.bench.ts (ROUNDS=n, BUDGET_MS=ms). Prints figures; never fails.
 */

import { createLaneArena } from '../../node/state/lanes.js';
import { addLanes, addLanesNaive, entryExpander, type LtHashBackend } from '../../node/state/lthash.js';
import { measure, type PerfCase, printResults } from './cases/harness.js';

const N = 2_000;
const enc = new TextEncoder();
// kv-put shaped entries: a ~20-byte contract key and a 64-byte value.
const inputs = Array.from({ length: N }, (_, i) =>
  enc.encode(`ehrchain/lthash16/entry/v2....patient/${i}/consent${`grant:${i}:`.padEnd(64, 'x')}`),
);
const out = new Uint8Array(2048);

function expandCase(backend: LtHashBackend): PerfCase[] {
  const expand = entryExpander(backend);
  if (expand === null) return [];
  return [
    {
      name: `lthash: expand one entry, ${backend}`,
      ops: N,
      run: () => {
        for (const input of inputs) expand(input, out);
      },
    },
  ];
}

const acc = new Uint16Array(1024);
const vec = new Uint16Array(1024).map((_, i) => (i * 40503) & 0xffff);
const laneCase = (name: string, op: (a: Uint16Array, b: Uint16Array) => void): PerfCase => ({
  name: `lthash: add 1024 lanes, ${name}`,
  ops: N * 10,
  run: () => {
    for (let i = 0; i < N * 10; i++) op(acc, vec);
  },
});

const arena = createLaneArena(2, 'wasm');
arena.slotBytes(1).set(new Uint8Array(vec.buffer));
const arenaCase: PerfCase = {
  name: `lthash: add 1024 lanes, lane arena (${arena.backend})`,
  ops: N * 10,
  run: () => {
    for (let i = 0; i < N * 10; i++) arena.add(0, 1);
  },
};

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 10_000);
printResults(
  await measure(
    [
      ...expandCase('sodium'),
      ...expandCase('node'),
      laneCase('one lane at a time', addLanesNaive),
      laneCase('two lanes per word', addLanes),
      arenaCase,
    ],
    { rounds, budgetMs },
  ),
);
