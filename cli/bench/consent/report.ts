/**
 * consent-mix figures for the JSON (`consent: {...}`): the setup (untimed), per-op outcomes of the
 * txs (sent, committed, ok, reverted, rejected), revert codes, and the canAccess queries (answered
 * per second over the load's duration, round-trip percentiles, allowed/denied/failed). Pure.
 */

import type { LoadRun } from '../load/load.js';
import type { OpTally } from '../load/protocol.js';
import { type LatencySummary, summarize } from '../report/latency.js';
import type { ConsentSetup } from './setup.js';

/** The consent section of a run. */
export interface ConsentFigures {
  readonly mix: Readonly<Record<string, number>>;
  readonly setup: {
    readonly measured: false;
    readonly txs: number;
    readonly ok: number;
    readonly reverted: number;
    readonly ms: number;
    readonly actors: ConsentSetup['actors'];
    readonly revocable_grants: number;
    readonly approvable_requests: number;
  };
  readonly ops: Readonly<Record<string, OpTally>>;
  readonly revert_codes: Readonly<Record<string, number>>;
  readonly queries: {
    readonly answered: number;
    readonly per_s: number;
    readonly latency_ms: LatencySummary;
    readonly allowed: number;
    readonly denied: number;
    readonly failed: number;
  };
}

/** Sums the workers' consent tallies. */
export function consentFigures(run: LoadRun, setup: ConsentSetup, durationMs: number): ConsentFigures {
  const ops: Record<string, OpTally> = {};
  const codes: Record<string, number> = {};
  const lats: number[] = [];
  let allowed = 0;
  let denied = 0;
  let failed = 0;
  for (const w of run.results) {
    for (const [op, t] of Object.entries(w.ops ?? {})) {
      const o = ops[op] ?? { sent: 0, committed: 0, ok: 0, reverted: 0, rejected: 0 };
      ops[op] = o;
      o.sent += t.sent;
      o.committed += t.committed;
      o.ok += t.ok;
      o.reverted += t.reverted;
      o.rejected += t.rejected;
    }
    for (const [c, n] of Object.entries(w.revertCodes ?? {})) codes[c] = (codes[c] ?? 0) + n;
    const q = w.queries;
    if (q === undefined) continue;
    for (const v of q.lat) lats.push(v);
    allowed += q.allowed;
    denied += q.denied;
    failed += q.failed;
  }
  return {
    mix: setup.init.mix,
    setup: {
      measured: false,
      txs: setup.stats.txs,
      ok: setup.stats.ok,
      reverted: setup.stats.reverted,
      ms: setup.stats.ms,
      actors: setup.actors,
      revocable_grants: setup.revocable_grants,
      approvable_requests: setup.approvable_requests,
    },
    ops,
    revert_codes: codes,
    queries: {
      answered: lats.length,
      per_s: Math.round((lats.length / Math.max(0.001, durationMs / 1000)) * 100) / 100,
      latency_ms: summarize(lats),
      allowed,
      denied,
      failed,
    },
  };
}
