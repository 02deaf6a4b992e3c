/**
 * `--sweep FROM:TO:STEP`: steps the offered rate on one network and reports the highest rate the
 * network sustained with p99 under `--p99-bound`. A step counts as sustained when the generator
 * really sent 95% of the offered rate and at most 1% of the attempts were rejected, failed or
 * left uncommitted (otherwise a low p99 only means txs were left behind).
 */
import type { SweepSpec } from './options.js';

/** One step of a sweep. */
export interface SweepPoint {
  readonly rate: number;
  /** Accepted txs per second of the load duration (what the generator managed to offer). */
  readonly sent_tps: number;
  readonly submitted: number;
  readonly committed_tps: number;
  readonly p50: number;
  readonly p99: number;
  readonly rejected: number;
  readonly failed: number;
  readonly uncommitted: number;
}

/** A sweep's outcome. */
export interface SweepResult {
  readonly bound_ms: number;
  readonly points: readonly SweepPoint[];
  /** The highest offered rate that passed (`stepPasses`); null if none. */
  readonly best_rate: number | null;
}

/** The rates a sweep steps through. */
export function sweepRates(s: SweepSpec): number[] {
  const out: number[] = [];
  for (let r = s.from; r <= s.to && out.length <= 100; r += s.step) out.push(r);
  return out;
}

/** True when a step met the bound and kept up with the offered rate. */
function stepPasses(p: SweepPoint, boundMs: number): boolean {
  const attempts = p.submitted + p.rejected + p.failed;
  const lost = p.uncommitted + p.rejected + p.failed;
  return p.committed_tps > 0 && p.p99 < boundMs && p.sent_tps >= 0.95 * p.rate && lost <= 0.01 * attempts;
}

/** Picks the highest passing rate. */
export function selectSweep(points: readonly SweepPoint[], boundMs: number): SweepResult {
  let best: number | null = null;
  for (const p of points) if (stepPasses(p, boundMs) && (best === null || p.rate > best)) best = p.rate;
  return { bound_ms: boundMs, points, best_rate: best };
}
