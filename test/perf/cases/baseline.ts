/**
 * The perf regression check's comparison: per-op CPU figures against a checked-in baseline, each
 * divided by a calibration figure measured in the same run, so that a machine that is slower today
 * (this one drifts 2x between days) does not read as a regression. Pure.
 */
import type { PerfResult } from './harness.js';

/** test/perf/baseline.json. */
export interface PerfBaseline {
  readonly schema: 'ehrchain-perf-baseline/1';
  /** When and where it was measured (informative). */
  readonly measured: { readonly at: string; readonly node: string; readonly cpu: string };
  /** CPU µs of the calibration loop in the run that produced the baseline. */
  readonly calibration_us: number;
  /** Case name → median CPU µs per op. */
  readonly cases: Readonly<Record<string, number>>;
}

/** One compared case. */
export interface CheckRow {
  readonly name: string;
  readonly baselineUs: number | null;
  readonly nowUs: number;
  /** (now / calibration now) / (baseline / calibration then); null for a case not in the baseline. */
  readonly ratio: number | null;
  readonly verdict: 'ok' | 'worse' | 'new';
}

/** Compares `results` with `baseline`; a ratio above `threshold` is `worse`. */
export function compareToBaseline(
  baseline: PerfBaseline,
  results: readonly PerfResult[],
  calibrationUs: number,
  threshold: number,
): CheckRow[] {
  const speed = calibrationUs / baseline.calibration_us;
  return results.map((r) => {
    const b = baseline.cases[r.name];
    if (b === undefined || b <= 0)
      return { name: r.name, baselineUs: null, nowUs: r.cpuUsPerOp, ratio: null, verdict: 'new' };
    const ratio = Math.round((r.cpuUsPerOp / speed / b) * 100) / 100;
    return {
      name: r.name,
      baselineUs: b,
      nowUs: r.cpuUsPerOp,
      ratio,
      verdict: ratio > threshold ? 'worse' : 'ok',
    };
  });
}

/** A baseline from this run's results. */
export function baselineOf(
  results: readonly PerfResult[],
  calibrationUs: number,
  measured: PerfBaseline['measured'],
): PerfBaseline {
  return {
    schema: 'ehrchain-perf-baseline/1',
    measured,
    calibration_us: calibrationUs,
    cases: Object.fromEntries(results.map((r) => [r.name, r.cpuUsPerOp])),
  };
}

/** The rows as an aligned text table. */
export function formatCheck(rows: readonly CheckRow[], threshold: number): string {
  const head = ['case', 'baseline µs', 'now µs', 'ratio*', 'verdict'];
  const body = rows.map((r) => [
    r.name,
    r.baselineUs === null ? '–' : String(r.baselineUs),
    String(r.nowUs),
    r.ratio === null ? '–' : `${r.ratio}x`,
    r.verdict === 'worse' ? `WORSE (> ${threshold}x)` : r.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}
