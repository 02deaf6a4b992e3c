/** Messages between the bench's main thread and its load worker threads. */
import type { ConsentInit } from '../consent/pregen.js';
import type { HttpImpl } from '../options.js';

/** What a worker is given (as `workerData`). */
export interface WorkerInit {
  readonly id: number;
  /** `ehrchain`: signed txs, commits learnt by SSE; `etcd`: JSON puts, committed when answered. */
  readonly mode: 'ehrchain' | 'etcd';
  /** Base URLs to submit to (each account sticks to one, moving on when it is down). */
  readonly urls: readonly string[];
  /** Which URL this worker follows for commit events. */
  readonly followIndex: number;
  readonly chainId: string;
  readonly workload: string;
  readonly valueBytes: number;
  readonly accounts: number;
  /** How many txs to pre-sign (the most this worker can send). */
  readonly txs: number;
  /** Hex seed; account keys derive from it, so different runs use fresh accounts. */
  readonly seed: string;
  /** This worker's offered tx/s; null: flat out. */
  readonly rate: number | null;
  readonly durationMs: number;
  readonly concurrency: number;
  /** Flat out: this worker's cap on submitted-but-uncommitted txs. */
  readonly inflight: number;
  /** Txs per request (ehrchain only; more than 1 posts to /v1/txs). */
  readonly batch: number;
  readonly drainMs: number;
  readonly http: HttpImpl;
  /** Number of workers in the run (consent-mix splits its actors between them). */
  readonly workers?: number;
  /** consent-mix: the setup's results (actors, nonces, revocable grants). */
  readonly consent?: ConsentInit;
}

/** consent-mix: what became of one op's entries in a worker. */
export interface OpTally {
  sent: number;
  committed: number;
  ok: number;
  reverted: number;
  rejected: number;
}

/** consent-mix: the canAccess queries of a worker. */
export interface QueryTally {
  /** Round-trip per answered query, ms. */
  readonly lat: Float64Array;
  readonly allowed: number;
  readonly denied: number;
  readonly failed: number;
}

/** Main -> worker. */
export type ToWorker = { readonly type: 'start'; readonly t0: number } | { readonly type: 'stop' };

/** Running totals, sent every 250 ms for the progress bar and fault recovery tracking. */
export interface WorkerProgress {
  readonly type: 'progress';
  readonly id: number;
  readonly sent: number;
  readonly accepted: number;
  readonly committed: number;
}

/**
 * Per-tx raw timings (epoch ms, NaN when unknown), indexed by send order; the main thread derives
 * every figure from these.
 */
export interface WorkerResult {
  readonly type: 'done';
  readonly id: number;
  readonly sent: number;
  readonly pregenMs: number;
  /** When the request was started. */
  readonly tSend: Float64Array;
  /** When the node answered 202 (etcd: 200). */
  readonly tAccept: Float64Array;
  /** When the commit was learnt (SSE arrival on the followed node; etcd: the answer). */
  readonly tCommit: Float64Array;
  /** The block's header time (leader clock at cut); NaN for etcd. */
  readonly tBlock: Float64Array;
  /** The time the fixed-rate schedule wanted the tx sent (NaN flat out). */
  readonly tDue: Float64Array;
  readonly rejected: number;
  readonly failed: number;
  /** 503 answers that were retried. */
  readonly busyRetries: number;
  readonly reverted: number;
  readonly rejectCodes: Readonly<Record<string, number>>;
  readonly caughtUp: number;
  readonly reconnects: number;
  /** The worker ran out of pre-signed txs before the duration ended. */
  readonly exhausted: boolean;
  /** consent-mix: per op (register, grant, ...). */
  readonly ops?: Readonly<Record<string, OpTally>>;
  /** consent-mix: revert codes of committed txs. */
  readonly revertCodes?: Readonly<Record<string, number>>;
  readonly queries?: QueryTally;
}

/** Worker -> main. */
export type FromWorker =
  | { readonly type: 'ready'; readonly id: number; readonly pregenMs: number }
  | WorkerProgress
  | WorkerResult
  | { readonly type: 'error'; readonly id: number; readonly message: string };
