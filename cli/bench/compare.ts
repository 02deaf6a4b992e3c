/**
 * `ehrchain bench compare A.json B.json`: the ratios B/A of the key figures (for tx/s, above 1 is
 * better; for latency and memory, below 1 is better).
 */
import { readFile } from 'node:fs/promises';
import type { BenchReport } from './report/json.js';

/** One compared figure. */
export interface CompareRow {
  readonly figure: string;
  readonly a: number;
  readonly b: number;
  /** b / a; null when a is 0. */
  readonly ratio: number | null;
  readonly better: 'higher' | 'lower';
}

type Figures = Pick<
  BenchReport,
  'committed_tps' | 'latency_ms' | 'nodes' | 'committed' | 'failed' | 'rejected'
> &
  // Reports written before the per-tx CPU figure lack it: their row reads 0 and has no ratio.
  Partial<Pick<BenchReport, 'validators'>>;

const max = (xs: readonly number[]) => xs.reduce((m, x) => Math.max(m, x), 0);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Computes the ratios of the key figures of two reports. */
export function compareReports(a: Figures, b: Figures): CompareRow[] {
  const rows: [string, number, number, 'higher' | 'lower'][] = [
    ['committed_tps', a.committed_tps, b.committed_tps, 'higher'],
    ['latency p50 ms', a.latency_ms.p50, b.latency_ms.p50, 'lower'],
    ['latency p95 ms', a.latency_ms.p95, b.latency_ms.p95, 'lower'],
    ['latency p99 ms', a.latency_ms.p99, b.latency_ms.p99, 'lower'],
    ['latency max ms', a.latency_ms.max, b.latency_ms.max, 'lower'],
    [
      'rss_max_mb (max node)',
      max(a.nodes.map((n) => n.rss_max_mb)),
      max(b.nodes.map((n) => n.rss_max_mb)),
      'lower',
    ],
    [
      'cpu_pct (mean node)',
      mean(a.nodes.map((n) => n.cpu_pct)),
      mean(b.nodes.map((n) => n.cpu_pct)),
      'lower',
    ],
    [
      'validator cpu µs/tx (mean node)',
      a.validators?.cpu_us_per_tx ?? 0,
      b.validators?.cpu_us_per_tx ?? 0,
      'lower',
    ],
    ['rejected', a.rejected, b.rejected, 'lower'],
    ['failed', a.failed, b.failed, 'lower'],
  ];
  return rows.map(([figure, x, y, better]) => ({
    figure,
    a: Math.round(x * 100) / 100,
    b: Math.round(y * 100) / 100,
    ratio: x === 0 ? null : Math.round((y / x) * 1000) / 1000,
    better,
  }));
}

/** Formats rows as an aligned text table. */
export function formatCompare(rows: readonly CompareRow[], nameA: string, nameB: string): string {
  const head = ['figure', nameA, nameB, 'B/A', ''];
  const body = rows.map((r) => [
    r.figure,
    String(r.a),
    String(r.b),
    r.ratio === null ? '–' : `${r.ratio}x`,
    r.ratio === null || r.ratio === 1 ? '' : r.ratio > 1 === (r.better === 'higher') ? 'better' : 'worse',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** Reads two JSON reports and prints their comparison. */
export async function runCompare(fileA: string, fileB: string): Promise<string> {
  const a = JSON.parse(await readFile(fileA, 'utf8')) as BenchReport;
  const b = JSON.parse(await readFile(fileB, 'utf8')) as BenchReport;
  for (const [f, r] of [
    [fileA, a],
    [fileB, b],
  ] as const) {
    if (r.schema !== 'ehrchain-bench/1') throw new Error(`${f} is not an ehrchain bench report`);
  }
  return formatCompare(compareReports(a, b), 'A', 'B');
}
