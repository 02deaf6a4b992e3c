/**
 * The load generator's main side: starts the worker threads, waits until every one has pre-signed
 * its txs and opened its commit stream, starts them on a common clock, relays progress, and
 * collects their raw timings.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fromRoot } from '../../../node/root.js';
import type { ConsentInit } from '../consent/pregen.js';
import type { BenchOptions } from '../options.js';
import type { FromWorker, WorkerInit, WorkerResult } from './protocol.js';
import { wallNow } from './tracker.js';

/** Where and how to send. */
export interface LoadTarget {
  readonly mode: 'ehrchain' | 'etcd';
  readonly urls: readonly string[];
  readonly chainId: string;
}

/** Running totals over all workers. */
export interface LoadProgress {
  readonly sent: number;
  readonly accepted: number;
  readonly committed: number;
}

/** What one load run hands back. */
export interface LoadRun {
  /** Epoch ms at which sending started. */
  readonly t0: number;
  readonly results: readonly WorkerResult[];
  /** Longest pre-generation time of a worker (done before t0). */
  readonly pregenMs: number;
  readonly pregenTxs: number;
}

/** Hooks a run offers to the caller: progress, and the moment the clock starts. */
export interface LoadHooks {
  onStart?(t0: number): void;
  onProgress?(p: LoadProgress): void;
}

const ENTRY = pathToFileURL(fromRoot('cli', 'bench', 'load', 'worker-entry.mjs'));

/** How many txs each worker pre-signs. */
export function txsPerWorker(o: BenchOptions, rate: number | null): number {
  const per = (total: number) => Math.max(1, Math.ceil(total / o.workers));
  const seconds = o.durationMs / 1000;
  return o.count !== null
    ? per(o.count)
    : rate !== null
      ? per(Math.ceil(rate * seconds) + 1)
      : per(Math.ceil(o.pregenRate * seconds));
}

/** Splits the run's settings between the workers. */
export function workerInits(
  o: BenchOptions,
  target: LoadTarget,
  rate: number | null,
  consent?: ConsentInit,
): WorkerInit[] {
  const w = o.workers;
  const seed = randomBytes(8).toString('hex');
  const per = (total: number) => Math.max(1, Math.ceil(total / w));
  const txs = txsPerWorker(o, rate);
  return Array.from({ length: w }, (_, id) => ({
    id,
    mode: target.mode,
    urls: target.urls,
    followIndex: id % target.urls.length,
    chainId: target.chainId,
    workload: o.workload,
    valueBytes: o.valueBytes,
    accounts: per(o.accounts),
    txs,
    seed,
    rate: rate === null ? null : rate / w,
    durationMs: o.durationMs,
    concurrency: o.concurrency,
    inflight: per(o.inflight),
    batch: o.batch,
    drainMs: o.drainMs,
    http: o.http,
    workers: w,
    ...(consent === undefined ? {} : { consent }),
  }));
}

/** Runs the workers to completion. Rejects if any worker fails before it is done. */
export async function runLoad(inits: readonly WorkerInit[], hooks: LoadHooks = {}): Promise<LoadRun> {
  const workers = inits.map((init) => new Worker(ENTRY, { workerData: init }));
  const progress = inits.map(() => ({ sent: 0, accepted: 0, committed: 0 }));
  const results: WorkerResult[] = [];
  let pregenMs = 0;
  let readyCount = 0;
  let t0 = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      for (const [i, wk] of workers.entries()) {
        wk.on('error', reject);
        wk.on('exit', (code) => {
          if (results.length < workers.length && !results.some((r) => r.id === i)) {
            reject(new Error(`load worker ${i} exited (${code}) before it finished`));
          }
        });
        wk.on('message', (m: FromWorker) => {
          if (m.type === 'error') reject(new Error(`load worker ${m.id}: ${m.message}`));
          else if (m.type === 'ready') {
            pregenMs = Math.max(pregenMs, m.pregenMs);
            if (++readyCount === workers.length) {
              t0 = wallNow() + 100;
              for (const x of workers) x.postMessage({ type: 'start', t0 });
              hooks.onStart?.(t0);
            }
          } else if (m.type === 'progress') {
            progress[m.id] = { sent: m.sent, accepted: m.accepted, committed: m.committed };
            hooks.onProgress?.(
              progress.reduce(
                (a, p) => ({
                  sent: a.sent + p.sent,
                  accepted: a.accepted + p.accepted,
                  committed: a.committed + p.committed,
                }),
                { sent: 0, accepted: 0, committed: 0 },
              ),
            );
          } else if (m.type === 'done') {
            results.push(m);
            if (results.length === workers.length) resolve();
          }
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  results.sort((a, b) => a.id - b.id);
  return { t0, results, pregenMs, pregenTxs: inits.reduce((n, i) => n + i.txs, 0) };
}
