/**
 * Self time by function of V8 `.cpuprofile` files (`node --cpu-prof`), for reading a validator's
 * profile without DevTools. Run:
 *   node --import tsx scripts/cpuprofile-top.ts [--top N] [--last SECONDS] [--filter TEXT] [--callers TEXT [--depth N]] FILE...
 * Per file: busy time, the share of each function's self time (idle and "(program)" left out of
 * the busy total, GC in it), and a few groups by source (GC, libp2p, fastify, protocol, mempool,
 * verify, state, store, ...). `--last` keeps only the samples of the profile's last N seconds (the
 * load, not the start-up); `--filter` keeps the rows whose name or file contains TEXT; `--callers`
 * splits the self time of the functions matching TEXT by their nearest caller in our code (the
 * nearest N with `--depth N`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type CallFrame, readProfile } from './cpuprofile-read.js';

// Source groups, first match wins: where a main thread's time goes, by file.
const GROUPS: ReadonlyArray<readonly [string, RegExp]> = [
  ['gc', /^\(garbage collector\)$/],
  ['libp2p', /@libp2p|@chainsafe|libp2p|it-|uint8arraylist|protons|yamux|noise/],
  ['http', /fastify|light-my-request|avvio|find-my-way|under-pressure/],
  ['leveldb', /level|abstract-level/],
  ['protocol', /\/protocol\//],
  ['mempool', /\/node\/mempool\//],
  ['verify', /\/node\/blocks\/verify/],
  ['ingress', /\/node\/blocks\/ingress/],
  ['state', /\/node\/state\//],
  ['store', /\/node\/store\//],
  ['blocks', /\/node\/blocks\//],
  ['raft', /\/consensus\/|\/node\/raft\//],
  ['vm', /\/vm\//],
  ['node-internal', /^node:|^internal\//],
];

// A bundled build (dist/, esbuild with source maps) is mapped back to its sources.
const maps = new Map<string, SourceMap | null>();
function original(f: CallFrame): CallFrame {
  if (!f.url.startsWith('file://') || !f.url.endsWith('.mjs')) return f;
  let map = maps.get(f.url);
  if (map === undefined) {
    const file = `${fileURLToPath(f.url)}.map`;
    map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8'))) : null;
    maps.set(f.url, map);
  }
  const e = map?.findEntry(f.lineNumber, f.columnNumber);
  if (e === undefined || e === null || !('originalSource' in e)) return f;
  return { ...f, url: e.originalSource, lineNumber: e.originalLine };
}

function groupOf(f: CallFrame): string {
  const key = f.url === '' ? f.functionName : f.url;
  for (const [name, re] of GROUPS) if (re.test(key)) return name;
  return f.url === '' ? 'native' : 'other';
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('node_modules/');
  if (i >= 0) return url.slice(i + 13);
  const j = url.search(/\/(node|protocol|consensus|vm|cli|client)\//);
  return j >= 0 ? url.slice(j + 1) : url.replace(/^file:\/\//, '');
}

const label = (f: CallFrame): string =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;

function summarise(
  file: string,
  top: number,
  lastSec: number,
  filter: string,
  callers: string,
  depth: number,
): void {
  const p = readProfile(file);
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  // With --callers: self time of the functions whose label contains `callers`, by the nearest
  // caller outside node's internals (who asked for the hash, the copy, the string).
  const callerOf = (id: number): string => {
    const chain: string[] = [];
    let at = parent.get(id);
    while (at !== undefined && chain.length < depth) {
      const f = original(byId.get(at)!.callFrame);
      if (f.url !== '' && !/^node:|^internal\//.test(f.url)) chain.push(label(f));
      at = parent.get(at);
    }
    return chain.length === 0 ? '(root)' : chain.join(' < ');
  };
  const byCaller = new Map<string, number>();
  const total = p.timeDeltas.reduce((a, b) => a + b, 0);
  const from = lastSec > 0 ? total - lastSec * 1e6 : 0;
  const self = new Map<string, number>();
  const groups = new Map<string, number>();
  let t = 0;
  let busy = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < from) continue;
    const node = byId.get(p.samples[i] ?? -1);
    if (node === undefined) continue;
    const f = original(node.callFrame);
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    // A sample's time is the delta to the next one.
    const dt = p.timeDeltas[i + 1] ?? 0;
    busy += dt;
    const key = label(f);
    self.set(key, (self.get(key) ?? 0) + dt);
    if (callers !== '' && key.includes(callers)) {
      const c = callerOf(node.id);
      byCaller.set(c, (byCaller.get(c) ?? 0) + dt);
    }
    const g = groupOf(f);
    groups.set(g, (groups.get(g) ?? 0) + dt);
  }
  const pct = (v: number): string => `${((100 * v) / busy).toFixed(1).padStart(5)} %`;
  console.log(`\n${file}: busy ${(busy / 1e6).toFixed(2)} s of ${((total - from) / 1e6).toFixed(2)} s`);
  console.log('  groups:');
  for (const [g, v] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`    ${pct(v)}  ${g}`);
  console.log('  functions (self):');
  const rows = [...self].filter(([k]) => filter === '' || k.includes(filter)).sort((a, b) => b[1] - a[1]);
  for (const [k, v] of rows.slice(0, top)) console.log(`    ${pct(v)}  ${k}`);
  if (callers === '') return;
  console.log(`  callers of ${callers} (self time of it, by caller):`);
  for (const [k, v] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`    ${pct(v)}  ${k}`);
}

const args = process.argv.slice(2);
let top = 40;
let last = 0;
let filter = '';
let callers = '';
let depth = 1;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--top') top = Number(args[++i]);
  else if (a === '--last') last = Number(args[++i]);
  else if (a === '--filter') filter = args[++i] ?? '';
  else if (a === '--callers') callers = args[++i] ?? '';
  else if (a === '--depth') depth = Number(args[++i]);
  else files.push(a);
}
if (files.length === 0) {
  console.error(
    'usage: cpuprofile-top.ts [--top N] [--last SECONDS] [--filter TEXT] [--callers TEXT [--depth N]] FILE...',
  );
  process.exit(2);
}
for (const f of files) summarise(f, top, last, filter, callers, depth);
