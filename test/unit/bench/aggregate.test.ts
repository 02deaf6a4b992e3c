import { describe, expect, it } from 'vitest';
import type { LoadRun } from '../../../cli/bench/load/load.js';
import type { WorkerResult } from '../../../cli/bench/load/protocol.js';
import { aggregate } from '../../../cli/bench/report/aggregate.js';

const N = Number.NaN;
function worker(id: number, rows: [number, number, number, number][]): WorkerResult {
  const col = (i: number) => Float64Array.from(rows.map((r) => r[i] ?? N));
  return {
    type: 'done',
    id,
    sent: rows.length,
    pregenMs: 5,
    tSend: col(0),
    tAccept: col(1),
    tCommit: col(2),
    tBlock: col(3),
    tDue: new Float64Array(rows.length).fill(N),
    rejected: 1,
    failed: 0,
    busyRetries: 0,
    reverted: 0,
    rejectCodes: { bad_signature: 1 },
    caughtUp: 0,
    reconnects: 0,
    exhausted: false,
  };
}

describe('aggregate', () => {
  it('counts, latency, per-second series and phases from raw timings', () => {
    const t0 = 1_000_000;
    const run: LoadRun = {
      t0,
      pregenMs: 5,
      pregenTxs: 5,
      results: [
        worker(0, [
          [t0 + 0, t0 + 10, t0 + 100, t0 + 50],
          [t0 + 500, t0 + 520, t0 + 1200, t0 + 1000],
          [t0 + 900, N, N, N], // rejected: no 202, never committed
        ]),
        worker(1, [
          [t0 + 100, t0 + 130, t0 + 1300, t0 + 1000],
          [t0 + 1500, t0 + 1510, N, N], // accepted, never committed
        ]),
      ],
    };
    const f = aggregate(run, null);
    expect(f.submitted).toBe(4);
    expect(f.committed).toBe(3);
    expect(f.uncommitted).toBe(1);
    expect(f.rejected).toBe(2);
    expect(f.reject_codes).toEqual({ bad_signature: 2 });
    expect(f.latency_ms).toEqual({ p50: 700, p95: 1200, p99: 1200, max: 1200 });
    expect(f.committed_tps).toBeCloseTo(3 / 1.3, 2);
    expect(f.series.map((p) => [p.t, p.submitted, p.committed_tps])).toEqual([
      [0, 3, 1],
      [1, 1, 2],
    ]);
    // per second, the phases of that second's commits: 100 (second 0); 1200 and 1300 (second 1)
    expect(f.series[0]?.phases.submit_to_block).toEqual({ p50: 50, p99: 50 });
    expect(f.series[1]?.phases.admission).toEqual({ p50: 20, p99: 30 });
    expect(f.series[1]?.phases.block_to_commit).toEqual({ p50: 200, p99: 300 });
    expect(f.phases.admission.count).toBe(4);
    expect(f.phases.submit_to_block.p50).toBe(500);
    expect(f.phases.block_to_commit.max).toBe(300);
  });
});
