/**
 * From raw per-tx timings to the figures of a report: counts, committed tx/s, end-to-end latency
 * percentiles, the per-second series and the client-observable phase breakdown. Pure.
 *
 * Definitions (docs/bench.md says the same):
 *   submitted     txs a node accepted (HTTP 202; a 409 `duplicate` after a retry counts too)
 *   committed     submitted txs seen in a committed block (ok or reverted receipt)
 *   rejected      txs a node refused (4xx, or 503 after 8 retries)
 *   failed        txs no node answered (connection refused, reset or timed out on every node)
 *   latency       commit learnt (SSE arrival) minus request start, per committed tx
 *   committed_tps committed / (last commit - t0)
 */

import type { LoadRun } from '../load/load.js';
import { type PhaseSummary, SampleBuffer, summarize, summarizePhase } from './latency.js';

/** One second of the run. */
export interface SeriesPoint {
  /** Seconds since t0 (the second [t, t+1)). */
  readonly t: number;
  /** Txs accepted whose request started in this second. */
  readonly submitted: number;
  /** Txs committed in this second. */
  readonly committed_tps: number;
  /** Latency percentiles of the txs committed in this second (0 when none). */
  readonly p50: number;
  readonly p99: number;
  /**
   * Where the latency of this second's commits went: p50 and p99 of each client phase over the
   * txs committed in this second (the warm-up and a slow second show which stage held them).
   */
  readonly phases: {
    readonly admission: SecondPhase;
    readonly submit_to_block: SecondPhase;
    readonly block_to_commit: SecondPhase;
  };
}

/** p50 and p99 of one phase over one second's commits, ms (0 when none). */
export interface SecondPhase {
  readonly p50: number;
  readonly p99: number;
}

/** Client-side phases, each a distribution in ms. */
export interface ClientPhases {
  /** HTTP 202 round-trip: request start to the node's answer. */
  readonly admission: PhaseSummary;
  /** Request start to the block's header time (gossip to the proposer, mempool wait, cut). */
  readonly submit_to_block: PhaseSummary;
  /** Block header time to commit learnt (replicate, commit, apply, SSE delivery). */
  readonly block_to_commit: PhaseSummary;
  /** Fixed rate only: how late the generator sent compared with its schedule. */
  readonly generator_lag: PhaseSummary;
}

/** The aggregate figures of one load run. */
export interface RunFigures {
  readonly committed_tps: number;
  readonly latency_ms: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
  };
  readonly submitted: number;
  readonly committed: number;
  readonly rejected: number;
  readonly failed: number;
  readonly reverted: number;
  /** Submitted but not seen committed by the end of the drain. */
  readonly uncommitted: number;
  readonly busy_retries: number;
  readonly reject_codes: Readonly<Record<string, number>>;
  /** Commits learnt by catching up on missed blocks after a stream broke (stamped late). */
  readonly caught_up: number;
  readonly offered_rate: number | null;
  readonly elapsed_s: number;
  readonly pregen: { readonly txs: number; readonly ms: number };
  readonly exhausted: boolean;
  readonly series: readonly SeriesPoint[];
  readonly phases: ClientPhases;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

interface PerSecond {
  sub: number;
  readonly lat: SampleBuffer;
  readonly adm: SampleBuffer;
  readonly toBlock: SampleBuffer;
  readonly toCommit: SampleBuffer;
}

function secondPhase(b: SampleBuffer): SecondPhase {
  const l = summarize(b.toArray());
  return { p50: l.p50, p99: l.p99 };
}

/** Aggregates a run. */
export function aggregate(run: LoadRun, offeredRate: number | null): RunFigures {
  const { t0 } = run;
  const lat = new SampleBuffer();
  const adm = new SampleBuffer();
  const toBlock = new SampleBuffer();
  const toCommit = new SampleBuffer();
  const lag = new SampleBuffer();
  const perSec: PerSecond[] = [];
  const sec = (t: number) => {
    const s = Math.max(0, Math.floor((t - t0) / 1000));
    while (perSec.length <= s) {
      perSec.push({
        sub: 0,
        lat: new SampleBuffer(),
        adm: new SampleBuffer(),
        toBlock: new SampleBuffer(),
        toCommit: new SampleBuffer(),
      });
    }
    return perSec[s] as PerSecond;
  };
  let submitted = 0;
  let committed = 0;
  let lastCommit = t0;
  let rejected = 0;
  let failed = 0;
  let reverted = 0;
  let busy = 0;
  let caughtUp = 0;
  let exhausted = false;
  const codes: Record<string, number> = {};
  for (const w of run.results) {
    rejected += w.rejected;
    failed += w.failed;
    reverted += w.reverted;
    busy += w.busyRetries;
    caughtUp += w.caughtUp;
    exhausted ||= w.exhausted;
    for (const [c, n] of Object.entries(w.rejectCodes)) codes[c] = (codes[c] ?? 0) + n;
    for (let k = 0; k < w.sent; k++) {
      const s = w.tSend[k] ?? Number.NaN;
      const a = w.tAccept[k] ?? Number.NaN;
      const c = w.tCommit[k] ?? Number.NaN;
      const b = w.tBlock[k] ?? Number.NaN;
      const d = w.tDue[k] ?? Number.NaN;
      if (!Number.isNaN(d) && !Number.isNaN(s)) lag.push(s - d);
      // A commit can be learnt before the 202 arrives, or when the 202 was lost: it was accepted.
      if (!Number.isNaN(a) || !Number.isNaN(c)) {
        submitted++;
        sec(s).sub++;
      }
      if (!Number.isNaN(a)) adm.push(a - s);
      if (Number.isNaN(c)) continue;
      committed++;
      if (c > lastCommit) lastCommit = c;
      lat.push(c - s);
      const cs = sec(c);
      cs.lat.push(c - s);
      if (!Number.isNaN(a)) cs.adm.push(a - s);
      if (!Number.isNaN(b)) {
        toBlock.push(b - s);
        toCommit.push(c - b);
        cs.toBlock.push(b - s);
        cs.toCommit.push(c - b);
      }
    }
  }
  const elapsed = Math.max(0.001, (lastCommit - t0) / 1000);
  const series: SeriesPoint[] = perSec.map((p, t) => {
    const l = summarize(p.lat.toArray());
    return {
      t,
      submitted: p.sub,
      committed_tps: p.lat.length,
      p50: l.p50,
      p99: l.p99,
      phases: {
        admission: secondPhase(p.adm),
        submit_to_block: secondPhase(p.toBlock),
        block_to_commit: secondPhase(p.toCommit),
      },
    };
  });
  return {
    committed_tps: r2(committed / elapsed),
    latency_ms: summarize(lat.toArray()),
    submitted,
    committed,
    rejected,
    failed,
    reverted,
    uncommitted: submitted - committed,
    busy_retries: busy,
    reject_codes: codes,
    caught_up: caughtUp,
    offered_rate: offeredRate,
    elapsed_s: r2(elapsed),
    pregen: { txs: run.pregenTxs, ms: Math.round(run.pregenMs) },
    exhausted,
    series,
    phases: {
      admission: summarizePhase(adm.toArray()),
      submit_to_block: summarizePhase(toBlock.toArray()),
      block_to_commit: summarizePhase(toCommit.toArray()),
      generator_lag: summarizePhase(lag.toArray()),
    },
  };
}
