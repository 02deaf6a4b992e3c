/**
 * Validator cost per committed tx and the same-run ratio against a baseline system. Pure.
 *
 * CPU per committed tx is the figure that holds when each validator gets a machine of its own:
 * throughput on one shared box is bounded by the sum of every process's CPU, while each node's
 * CPU per tx is what one machine would have to pay (docs/bench.md).
 */
import type { NodeFigures } from '../network/sampler.js';

/** The validators' cost over one run. */
export interface ValidatorFigures {
  /** Mean over the nodes of CPU µs per committed tx (null when nothing committed). */
  readonly cpu_us_per_tx: number | null;
  /** The highest node's CPU µs per committed tx. */
  readonly cpu_us_per_tx_max: number | null;
  /** The highest RSS any node reached, MB. */
  readonly rss_max_mb: number;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Fills each node's `cpu_us_per_tx` from its `cpu_s` and the run's committed txs. */
export function withCpuPerTx(nodes: readonly NodeFigures[], committed: number): NodeFigures[] {
  return nodes.map((n) => ({ ...n, cpu_us_per_tx: committed > 0 ? r1((n.cpu_s * 1e6) / committed) : null }));
}

/** Mean and max CPU per committed tx over the nodes, and their max RSS. */
export function validatorFigures(nodes: readonly NodeFigures[]): ValidatorFigures {
  const per = nodes.map((n) => n.cpu_us_per_tx).filter((v): v is number => v !== null);
  return {
    cpu_us_per_tx: per.length === 0 ? null : r1(per.reduce((a, b) => a + b, 0) / per.length),
    cpu_us_per_tx_max: per.length === 0 ? null : Math.max(...per),
    rss_max_mb: nodes.reduce((m, n) => Math.max(m, n.rss_max_mb), 0),
  };
}

/** What a report holds that the ratio needs. */
export interface RatioInput {
  readonly committed_tps: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  readonly validators: ValidatorFigures;
}

/** This system over the baseline, measured in the same bench invocation. */
export interface BaselineRatios {
  readonly baseline: string;
  /** committed tx/s over the baseline's (above 1: more throughput). */
  readonly committed_tps: number | null;
  /** p50 and p99 latency over the baseline's (below 1: faster). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** Mean CPU per committed tx over the baseline's members' (below 1: cheaper). */
  readonly cpu_us_per_tx: number | null;
  /** Max RSS over the baseline's (below 1: smaller). */
  readonly rss_max_mb: number | null;
}

const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || b === 0 ? null : Math.round((a / b) * 1000) / 1000;

/** The same-run ratios of `r` against `base`. */
export function baselineRatios(r: RatioInput, base: RatioInput, name: string): BaselineRatios {
  return {
    baseline: name,
    committed_tps: ratio(r.committed_tps, base.committed_tps),
    p50: ratio(r.latency_ms.p50, base.latency_ms.p50),
    p99: ratio(r.latency_ms.p99, base.latency_ms.p99),
    cpu_us_per_tx: ratio(r.validators.cpu_us_per_tx, base.validators.cpu_us_per_tx),
    rss_max_mb: ratio(r.validators.rss_max_mb, base.validators.rss_max_mb),
  };
}
