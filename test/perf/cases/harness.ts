/**
 * The micro-benchmark harness of the per-op CPU figures (npm run bench:verify, bench:state,
 * bench:check). A case is a function doing `ops` operations; the figure is the median over rounds
 * of the process's CPU time (user + system, every thread: verify workers included) per op, in µs.
 * CPU time rather than wall time because this machine is shared: other processes stretch wall
 * time, much less the CPU time this process spends. Rounds alternate between the cases given
 * together, so a slow patch of the machine falls on all of them alike.
 */

import { readFileSync } from 'node:fs';

/** One micro-benchmark. */
export interface PerfCase {
  /** Stable name: the key in test/perf/baseline.json. */
  readonly name: string;
  /** Operations one call of `run` does. */
  readonly ops: number;
  /** Does `ops` operations. */
  readonly run: () => unknown;
  /** Called once after the last round (stop workers, close databases). */
  readonly close?: () => unknown;
  /**
   * Whose CPU the figure counts: the whole process (default: every thread, verify workers
   * included) or the main thread alone (`main`: what a validator's event loop spends; Linux only,
   * from /proc/thread-self/schedstat, else the whole process).
   */
  readonly cpu?: 'process' | 'main';
}

/** A case's figures. */
export interface PerfResult {
  readonly name: string;
  /** Median CPU µs per op. */
  readonly cpuUsPerOp: number;
  /** Lowest CPU µs per op of any round (informative: the least disturbed round on a busy machine). */
  readonly minCpuUsPerOp?: number;
  /** Median wall µs per op (informative only). */
  readonly wallUsPerOp: number;
  readonly rounds: number;
}

// The calling thread's CPU time in µs (ns precision), where Linux exposes it; null elsewhere.
function threadCpuUs(): number | null {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1000 : null;
  } catch {
    return null;
  }
}

function processCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const r2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Runs every case `rounds` times in alternation (after one warm-up call each), stopping early once
 * `budgetMs` of wall time has passed after at least 3 rounds.
 */
export async function measure(
  cases: readonly PerfCase[],
  opts: { rounds: number; budgetMs: number },
): Promise<PerfResult[]> {
  for (const c of cases) await c.run();
  const cpu = cases.map((): number[] => []);
  const wall = cases.map((): number[] => []);
  const start = performance.now();
  const mainOk = threadCpuUs() !== null;
  for (let r = 0; r < opts.rounds; r++) {
    for (const [i, c] of cases.entries()) {
      const clock = c.cpu === 'main' && mainOk ? () => threadCpuUs() ?? 0 : processCpuUs;
      const c0 = clock();
      const w0 = performance.now();
      await c.run();
      const w = performance.now() - w0;
      cpu[i]?.push((clock() - c0) / c.ops);
      wall[i]?.push((w * 1000) / c.ops);
    }
    if (r >= 2 && performance.now() - start > opts.budgetMs) break;
  }
  for (const c of cases) await c.close?.();
  return cases.map((c, i) => ({
    name: c.name,
    cpuUsPerOp: r2(median(cpu[i] ?? [])),
    minCpuUsPerOp: r2(Math.min(...(cpu[i] ?? [0]))),
    wallUsPerOp: r2(median(wall[i] ?? [])),
    rounds: cpu[i]?.length ?? 0,
  }));
}

/** Prints results as an aligned table. */
export function printResults(results: readonly PerfResult[]): void {
  for (const r of results) {
    console.log(
      `${r.name.padEnd(52)} ${String(r.cpuUsPerOp).padStart(9)} µs CPU/op (min ${r.minCpuUsPerOp ?? '-'})  ${String(r.wallUsPerOp).padStart(9)} µs wall/op  (${r.rounds} rounds)`,
    );
  }
}
