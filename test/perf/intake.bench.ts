/**
 * CPU per tx of the intake path (a 50-tx batch over HTTP, and one by gossip), main thread and all
 * threads, in alternating rounds; then the JS heap each main-thread case allocates per tx, counted
 * between two points with no GC in between (a young generation large enough for a whole run:
 * `npm run bench:intake` passes --max-semi-space-size=128). Allocation does not move with the
 * machine's load the way CPU time does. ROUNDS=n, BUDGET_MS=ms. Prints figures; never fails.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { measure, printResults } from './cases/harness.js';
import { intakeCases } from './cases/intake.js';

const rounds = Number(process.env.ROUNDS ?? 15);
const budgetMs = Number(process.env.BUDGET_MS ?? 20_000);
const cases = intakeCases();
const closes = cases.map((c) => c.close);
printResults(
  await measure(
    cases.map((c) => ({ ...c, close: undefined })),
    { rounds, budgetMs },
  ),
);

let gcs = 0;
const obs = new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
});
obs.observe({ entryTypes: ['gc'] });
for (const c of cases.filter((x) => x.cpu === 'main')) {
  const seen: number[] = [];
  for (let attempt = 0; attempt < 6 && seen.length < 3; attempt++) {
    // Let a pending GC happen first, then count from a quiet point.
    await new Promise((r) => setTimeout(r, 20));
    const g0 = gcs;
    const h0 = process.memoryUsage().heapUsed;
    await c.run();
    const h1 = process.memoryUsage().heapUsed;
    await new Promise((r) => setImmediate(r));
    // A GC the observer has not reported yet shows as less heap than before: not counted.
    if (gcs === g0 && h1 > h0) seen.push((h1 - h0) / c.ops);
  }
  const shown = seen.length === 0 ? 'a GC ran in every try' : `${Math.round(Math.min(...seen))} B`;
  console.log(`${c.name.replace('CPU', '').padEnd(52)} ${shown} of JS heap allocated per tx`);
}
obs.disconnect();
for (const close of closes) await close?.();
