/**
 * `npm run fuzz`: the long fuzz campaign (not part of `npm test`). Throws generated inputs at the tx
 * and block decoders, the gossip batch, Raft frames and the snapshot lane, the records formats, the
 * VM and the HTTP routes (targets-*.ts), bounded by a count and a time, and reports inputs run,
 * accepted, crashes (unexpected exceptions or broken invariants) and hangs, with the seed.
 *
 *   npm run fuzz -- [--count 1000000] [--time 3600] [--seed N] [--targets tx,http] [--from I]
 *                   [--hang-ms 10000] [--json out.json]
 *
 * Every input comes from its own PRNG seeded by (seed, target name, index): `--seed S --targets T
 * --from I --count 1` replays input I of target T alone. A watchdog thread kills the process and
 * names the input when one runs longer than --hang-ms. Exit code 1 on any crash.
 */
import '../../node/polyfill.js';
import { Worker } from 'node:worker_threads';
import { rngFor } from './gen.js';
import type { FuzzTarget } from './target.js';
import { codecTargets } from './targets-codec.js';
import { httpTarget } from './targets-http.js';
import { recordsTargets } from './targets-records.js';
import { vmTargets } from './targets-vm.js';

interface Flags {
  count: number;
  timeS: number;
  seed: number;
  targets: string[] | null;
  from: number;
  hangMs: number;
  json: string | null;
}

function parseFlags(argv: readonly string[]): Flags {
  const f: Flags = {
    count: 1_000_000,
    timeS: 3600,
    seed: Math.floor(Math.random() * 2 ** 31),
    targets: null,
    from: 0,
    hangMs: 10_000,
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i] ?? '';
    const num = () => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${k}: expected a whole number, got "${v}"`);
      return n;
    };
    if (k === '--count') f.count = num();
    else if (k === '--time') f.timeS = num();
    else if (k === '--seed') f.seed = num();
    else if (k === '--from') f.from = num();
    else if (k === '--hang-ms') f.hangMs = num();
    else if (k === '--targets') f.targets = v.split(',');
    else if (k === '--json') f.json = v;
    else throw new Error(`unknown flag ${k}`);
  }
  return f;
}

/** One target's figures. */
interface TargetReport {
  target: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  seconds: number;
  slowestMs: number;
  /** Index of the slowest input (replay it with --from). */
  slowestIndex: number;
  /** The first crash of each kind: message and the input to replay. */
  examples: { index: number; error: string }[];
}

// The watchdog shares [beat, target, index] with the main thread and kills the process on a hang.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const a = new Int32Array(workerData.sab);
let last = -1, since = Date.now();
setInterval(() => {
  const beat = Atomics.load(a, 0);
  if (beat !== last) { last = beat; since = Date.now(); return; }
  if (Atomics.load(a, 3) === 1 || Date.now() - since < workerData.hangMs) return;
  const t = workerData.names[Atomics.load(a, 1)];
  process.stderr.write('HANG: target ' + t + ' input ' + Atomics.load(a, 2) + ' ran over ' + workerData.hangMs +
    ' ms; replay: npm run fuzz -- --seed ' + workerData.seed + ' --targets ' + t + ' --from ' + Atomics.load(a, 2) + ' --count 1\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

async function main(): Promise<void> {
  const f = parseFlags(process.argv.slice(2));
  const wanted = (name: string) => f.targets === null || f.targets.includes(name);
  const targets: FuzzTarget[] = [...codecTargets(), ...recordsTargets(), ...vmTargets()].filter((t) =>
    wanted(t.name),
  );
  if (wanted('http')) targets.push(await httpTarget());
  if (targets.length === 0) throw new Error('no target selected');
  const names = targets.map((t) => t.name);
  const sab = new SharedArrayBuffer(16);
  const shared = new Int32Array(sab);
  const dog = new Worker(WATCHDOG, {
    eval: true,
    workerData: { sab, hangMs: f.hangMs, names, seed: f.seed },
  });
  dog.unref();
  const totalWeight = targets.reduce((n, t) => n + t.weight, 0);
  console.log(
    `fuzz campaign: seed ${f.seed}, ${f.count} inputs within ${f.timeS} s over ${targets.length} targets (${names.join(', ')})`,
  );
  const reports: TargetReport[] = [];
  for (const [ti, t] of targets.entries()) {
    const share = t.weight / totalWeight;
    const count = f.targets !== null && targets.length === 1 ? f.count : Math.ceil(f.count * share);
    const deadline = performance.now() + f.timeS * 1000 * share;
    const rep: TargetReport = {
      target: t.name,
      inputs: 0,
      accepted: 0,
      refused: 0,
      crashes: 0,
      seconds: 0,
      slowestMs: 0,
      slowestIndex: -1,
      examples: [],
    };
    const seen = new Set<string>();
    const t0 = performance.now();
    Atomics.store(shared, 1, ti);
    for (let i = f.from; i < f.from + count; i++) {
      if ((i & 255) === 0 && performance.now() > deadline) break;
      Atomics.store(shared, 2, i);
      Atomics.add(shared, 0, 1);
      const s = performance.now();
      try {
        const out = t.run(rngFor(f.seed, t.name, i));
        if (typeof out === 'boolean' ? out : await out) rep.accepted++;
        else rep.refused++;
      } catch (err) {
        rep.crashes++;
        const e = err instanceof Error ? err : new Error(String(err));
        const kind = `${e.name}: ${e.message.slice(0, 120)} @ ${(e.stack ?? '').split('\n')[1]?.trim() ?? ''}`;
        if (!seen.has(kind) && rep.examples.length < 10) {
          seen.add(kind);
          rep.examples.push({ index: i, error: kind });
        }
      }
      const ms = performance.now() - s;
      if (ms > rep.slowestMs) {
        rep.slowestMs = ms;
        rep.slowestIndex = i;
      }
      rep.inputs++;
    }
    rep.seconds = (performance.now() - t0) / 1000;
    reports.push(rep);
    console.log(
      `${t.name.padEnd(20)} ${String(rep.inputs).padStart(9)} inputs  ${String(rep.accepted).padStart(8)} accepted  ${String(rep.crashes).padStart(3)} crashes  ${rep.seconds.toFixed(1).padStart(7)} s  slowest ${rep.slowestMs.toFixed(1)} ms (#${rep.slowestIndex})`,
    );
    for (const x of rep.examples)
      console.log(
        `  CRASH input ${x.index}: ${x.error}\n    replay: npm run fuzz -- --seed ${f.seed} --targets ${t.name} --from ${x.index} --count 1`,
      );
  }
  Atomics.store(shared, 3, 1);
  for (const t of targets) await t.close?.();
  const inputs = reports.reduce((n, r) => n + r.inputs, 0);
  const crashes = reports.reduce((n, r) => n + r.crashes, 0);
  const seconds = reports.reduce((n, r) => n + r.seconds, 0);
  console.log(
    `total: ${inputs} inputs, ${crashes} crashes, 0 hangs, ${seconds.toFixed(0)} s, seed ${f.seed}`,
  );
  if (f.json !== null) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      f.json,
      `${JSON.stringify({ seed: f.seed, inputs, crashes, hangs: 0, seconds, reports }, null, 2)}\n`,
    );
  }
  await dog.terminate();
  process.exit(crashes > 0 ? 1 : 0);
}

await main();
