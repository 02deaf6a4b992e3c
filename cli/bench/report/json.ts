/**
 * The JSON result (`--json FILE`), schema `ehrchain-bench/1`, documented in docs/bench.md. The
 * top-level figures are those of the run reported: the only run, or the median run of `--repeat`.
 */
import { cpus, totalmem } from 'node:os';
import type { BenchOptions } from '../options.js';
import type { RunResult } from '../run.js';
import type { SweepResult } from '../sweep.js';
import type { PhaseSummary } from './latency.js';
import type { BaselineRatios } from './validators.js';

/** The machine the bench ran on. */
export interface MachineInfo {
  readonly cores: number;
  readonly mem_gb: number;
  readonly node_version: string;
  readonly cpu_model: string;
  readonly platform: string;
}

/** Spread of a figure over repeated runs. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly stdev: number;
}

/** The whole report. */
export interface BenchReport extends Omit<RunResult, 'phases'> {
  readonly schema: 'ehrchain-bench/1';
  readonly system: string;
  readonly workload: string;
  readonly duration_s: number;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly phases: RunResult['phases'] & { readonly node_apply_ms_mean: number | null };
  readonly machine: MachineInfo;
  readonly command: readonly string[];
  readonly runs?: readonly RunResult[];
  /** Index into `runs` of the run whose figures are at the top level (median committed_tps). */
  readonly median_run?: number;
  readonly spread?: { readonly committed_tps: Spread; readonly p99: Spread };
  readonly sweep?: SweepResult;
  readonly baseline?: BenchReport;
  /** With a baseline: this run's figures over the baseline's, same invocation, same machine. */
  readonly vs_baseline?: BaselineRatios;
  readonly notes: readonly string[];
}

/** Describes this machine. */
function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cores: c.length,
    mem_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node_version: process.version,
    cpu_model: c[0]?.model ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
  };
}

/** min / median / max / population stdev. */
export function spreadOf(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length));
  const r = (v: number) => Math.round(v * 100) / 100;
  return {
    min: r(s[0] ?? 0),
    median: r(s[Math.floor((s.length - 1) / 2)] ?? 0),
    max: r(s[s.length - 1] ?? 0),
    stdev: r(sd),
  };
}

/** The index of the median run by committed tx/s (the lower median for an even count). */
export function medianRunIndex(runs: readonly { readonly committed_tps: number }[]): number {
  const order = runs.map((r, i) => [r.committed_tps, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]?.[1] ?? 0;
}

function nodeApplyMean(r: RunResult): number | null {
  const xs = r.nodes.map((n) => n.apply_ms_mean).filter((v): v is number => v !== null);
  return xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
}

/** Builds the report from one or more runs of the same configuration. */
export function buildReport(
  o: BenchOptions,
  runs: readonly RunResult[],
  system: string,
  notes: readonly string[],
  extra: { sweep?: SweepResult; baseline?: BenchReport } = {},
): BenchReport {
  const mi = medianRunIndex(runs);
  const top = runs[mi];
  if (top === undefined) throw new Error('no run to report');
  const phases: BenchReport['phases'] = { ...top.phases, node_apply_ms_mean: nodeApplyMean(top) };
  return {
    schema: 'ehrchain-bench/1',
    system,
    workload: o.workload,
    duration_s: o.durationMs / 1000,
    settings: {
      nodes: o.targets.length > 0 ? o.targets.length : o.nodes,
      targets: o.targets,
      rate: o.rate,
      count: o.count,
      workers: o.workers,
      accounts: o.accounts,
      concurrency: o.concurrency,
      inflight: o.inflight,
      batch: o.batch,
      value_bytes: o.valueBytes,
      http: o.http,
      proxy: o.proxy,
      repeat: o.repeat,
      drain_s: o.drainMs / 1000,
      pregenerated: true,
    },
    ...top,
    phases,
    machine: machineInfo(),
    command: o.command,
    ...(runs.length > 1
      ? {
          runs,
          median_run: mi,
          spread: {
            committed_tps: spreadOf(runs.map((r) => r.committed_tps)),
            p99: spreadOf(runs.map((r) => r.latency_ms.p99)),
          },
        }
      : {}),
    ...extra,
    notes,
  };
}

/** Per-phase summaries in a fixed order, for tables. */
export function phaseRows(p: BenchReport['phases']): [string, PhaseSummary][] {
  return [
    ['admission (HTTP 202 round-trip)', p.admission],
    ['submit → block header time', p.submit_to_block],
    ['block header time → commit seen (SSE)', p.block_to_commit],
    ['generator lag (fixed rate)', p.generator_lag],
  ];
}
