/**
 * Summarises a V8 `.cpuprofile` (a validator's `--cpu-prof` output, docs/bench.md "Profiling a node
 * under load"): busy time, the shares of what the node does (apply split into execute / stage /
 * the rest, the actor-event index, HTTP submit, gossip admission, queries; else libp2p, fastify,
 * node's net, LevelDB, GC, by the innermost library on the stack), and the top functions by self
 * and inclusive time.
 * Shares are of busy (non-idle) samples. Optionally only a window of seconds from the profile's start,
 * e.g. the timed part of a bench run (find it with `--timeline`).
 *
 *   node --import tsx scripts/cpuprofile-summary.ts FILE [--from S] [--to S] [--top N] [--timeline]
 *     [--per-tx US]   (also print each share as µs of a per-tx CPU figure, e.g. the bench's cpu_us_per_tx)
 */
import { parseArgs } from 'node:util';
import { type CallFrame, readProfile } from './cpuprofile-read.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    from: { type: 'string', default: '0' },
    to: { type: 'string', default: '1e9' },
    top: { type: 'string', default: '25' },
    timeline: { type: 'boolean', default: false },
    'per-tx': { type: 'string', default: '' },
  },
});
const file = positionals[0];
if (file === undefined) {
  console.error('usage: cpuprofile-summary.ts FILE [--from S] [--to S] [--top N] [--timeline] [--per-tx US]');
  process.exit(2);
}
const p = readProfile(file);
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** Node phases by function name, outermost first on the stack wins; apply is split further. */
const PHASES: readonly (readonly [string, string])[] = [
  ['#applyEntry', 'apply'],
  ['#index', 'actor-event index (notify)'],
  ['submit', 'http: tx admission'],
  // gossipsub calls the node's listener synchronously: without this, admission counts as gossipsub
  ['receiveBatch', 'gossip: tx admission'],
  ['query', 'query (VM, read-only)'],
];
const APPLY_PARTS = ['executeBlock', 'stage', 'applyStaged', 'verifyTxs', 'commitBlock'];
/** Otherwise the innermost frame's library (or, failing that, any frame's on the stack). */
const LIBS: readonly (readonly [RegExp, string])[] = [
  [/gossipsub/, 'libp2p gossipsub'],
  [/libp2p-noise/, 'libp2p noise'],
  [/yamux/, 'libp2p yamux'],
  [/libp2p|multiformats|it-|uint8array/, 'libp2p other'],
  [/fastify|find-my-way|avvio|ajv/, 'fastify'],
  [/classic-level|abstract-level/, 'leveldb'],
  [/node:_http|node:net|stream_base|internal\/streams/, 'node net/http'],
  [/crypto/, 'node crypto'],
];

const name = (f: CallFrame) =>
  `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
const stackOf = (id: number): CallFrame[] => {
  const out: CallFrame[] = [];
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) out.push(byId.get(x)!.callFrame);
  return out; // innermost first
};

function category(stack: readonly CallFrame[]): string {
  for (let i = stack.length - 1; i >= 0; i--) {
    const phase = PHASES.find(([fn]) => fn === stack[i]!.functionName);
    if (phase === undefined) continue;
    if (phase[1] !== 'apply') return phase[1];
    const part = APPLY_PARTS.find((fn) => stack.some((f) => f.functionName === fn));
    return `apply: ${part ?? 'other (decode, block checks, fan-out)'}`;
  }
  const leaf = stack[0]!;
  if (leaf.functionName === '(garbage collector)' || leaf.functionName === '(program)')
    return leaf.functionName;
  const lib =
    LIBS.find(([re]) => re.test(leaf.url)) ?? LIBS.find(([re]) => stack.some((f) => re.test(f.url)));
  return lib?.[1] ?? 'other';
}

const from = Number(values.from) * 1e6;
const to = Number(values.to) * 1e6;
const cats = new Map<string, number>();
const self = new Map<string, number>();
const incl = new Map<string, number>();
const otherSelf = new Map<string, number>();
const seconds = new Map<number, { busy: number; apply: number }>();
const add = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
let busy = 0;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  const rel = t - p.startTime;
  const d = p.timeDeltas[i + 1] ?? 0;
  const id = p.samples[i]!;
  if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
  const stack = stackOf(id);
  const s = Math.floor(rel / 1e6);
  const sec = seconds.get(s) ?? { busy: 0, apply: 0 };
  sec.busy += d;
  if (stack.some((f) => f.functionName === '#applyEntry')) sec.apply += d;
  seconds.set(s, sec);
  if (rel < from || rel >= to) continue;
  busy += d;
  const cat = category(stack);
  add(cats, cat, d);
  if (cat === 'other') add(otherSelf, name(stack[0]!), d);
  add(self, name(stack[0]!), d);
  for (const k of new Set(stack.map(name))) add(incl, k, d);
}

const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)} %`;
const perTx = Number(values['per-tx']);
const us = (v: number) => (perTx > 0 ? `  ${((perTx * v) / busy).toFixed(0).padStart(5)} µs/tx` : '');
const top = Number(values.top);
if (values.timeline) {
  console.log('second  busy %  apply %');
  for (const [s, v] of [...seconds].sort((a, b) => a[0] - b[0])) {
    console.log(
      `${String(s).padStart(6)}  ${(v.busy / 1e4).toFixed(0).padStart(6)}  ${(v.apply / 1e4).toFixed(0).padStart(7)}`,
    );
  }
}
console.log(`busy ${(busy / 1000).toFixed(0)} ms in the window`);
console.log('-- where the time goes');
for (const [k, v] of [...cats].sort((a, b) => b[1] - a[1])) console.log(`${pct(v)}${us(v)}  ${k}`);
console.log(`-- 'other': top ${top} by self time`);
for (const [k, v] of [...otherSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log(`-- top ${top} by self time`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
console.log(`-- top ${top} by inclusive time`);
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}  ${k}`);
