/**
 * One load worker thread: pre-signs its txs, opens its commit stream, waits for `start`, then sends
 * at its share of the fixed rate (or flat out, keeping at most `inflight` txs uncommitted) over its
 * own keep-alive connection pool, drains, and hands back raw per-tx timings. Loaded through
 * worker-entry.mjs (which registers tsx).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import { decodeDecision } from '../../../vm/consent/abi.js';
import { CONSENT_OPS, OP_CAN_ACCESS } from '../consent/plan.js';
import { type BatchRouting, type BatchWindow, nextBatchWindow } from './batches.js';
import { createHttpPool } from './http.js';
import { pregenerate } from './pregen.js';
import type { FromWorker, OpTally, ToWorker, WorkerInit, WorkerResult } from './protocol.js';
import { CommitTracker, wallNow } from './tracker.js';

const init = workerData as WorkerInit;
if (parentPort === null) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/** Rate mode with --batch: the longest a due tx waits for its batch to fill. */
const BATCH_WAIT_MS = 10;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function run(): Promise<void> {
  const t = performance.now();
  const pre = pregenerate({ ...init, workers: init.workers ?? 1 });
  const pregenMs = performance.now() - t;
  const n = pre.count;
  const tSend = new Float64Array(n).fill(Number.NaN);
  const tAccept = new Float64Array(n).fill(Number.NaN);
  const tCommit = new Float64Array(n).fill(Number.NaN);
  const tBlock = new Float64Array(n).fill(Number.NaN);
  const tDue = new Float64Array(n).fill(Number.NaN);
  const pool = createHttpPool(init.http, init.concurrency);
  const pending = new Map<string, number>();
  let accepted = 0;
  let committed = 0;
  let rejected = 0;
  let failed = 0;
  let busyRetries = 0;
  let reverted = 0;
  const rejectCodes: Record<string, number> = {};
  // consent-mix: per-op tallies, revert codes and the canAccess queries.
  const kinds = pre.kinds;
  const tallies: OpTally[] = CONSENT_OPS.map(() => ({
    sent: 0,
    committed: 0,
    ok: 0,
    reverted: 0,
    rejected: 0,
  }));
  const tally = (k: number): OpTally | undefined =>
    kinds === undefined ? undefined : tallies[kinds[k] ?? 0];
  const revertCodes: Record<string, number> = {};
  const qLat = new Float64Array(kinds === undefined ? 0 : n);
  let qCount = 0;
  let qAllowed = 0;
  let qDenied = 0;
  let qFailed = 0;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const tracker =
    init.mode === 'ehrchain'
      ? new CommitTracker(init.urls, init.followIndex, pool, (hash, status, blockTime, now, error) => {
          const k = pending.get(hash);
          if (k === undefined) return;
          pending.delete(hash);
          tCommit[k] = now;
          tBlock[k] = blockTime;
          committed++;
          if (status === 'reverted') reverted++;
          const t = tally(k);
          if (t !== undefined) {
            t.committed++;
            if (status === 'ok') t.ok++;
            else {
              t.reverted++;
              const code = error ?? 'reverted';
              revertCodes[code] = (revertCodes[code] ?? 0) + 1;
            }
          }
          poke();
        })
      : null;
  await tracker?.start();
  post({ type: 'ready', id: init.id, pregenMs });

  let stopRequested = false;
  const t0 = await new Promise<number>((resolve) => {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'start') resolve(m.t0);
      if (m.type === 'stop') stopRequested = true;
    });
  });
  while (wallNow() < t0) await sleep(Math.max(0, Math.min(5, t0 - wallNow())));

  const down = new Float64Array(init.urls.length);
  const busyDeadline = t0 + init.durationMs + init.drainMs;
  /** POSTs to node `u`; null when it does not answer (it is then skipped for 1 s). */
  const postTo = async (u: number, path: string, body: Uint8Array, type: string) => {
    try {
      return await pool.post(`${init.urls[u]}${path}`, body, type);
    } catch {
      down[u] = wallNow() + 1000;
      return null;
    }
  };
  /** After a 503: wait 20 ms doubling up to 640 ms (the `busy`-th retry of one request). */
  const backOff = (busy: number): Promise<void> => {
    busyRetries++;
    return sleep(20 * 2 ** Math.min(busy, 5));
  };
  /** The node entry k goes to first: its account's (an account sticks to one node). */
  const baseOf = (k: number): number => {
    const account = pre.accounts === undefined ? k % init.accounts : (pre.accounts[k] ?? 0);
    return (account + init.id) % init.urls.length;
  };
  const pickUrl = (k: number, tries: number): number => {
    const base = baseOf(k);
    const now = wallNow();
    for (let i = 0; i < init.urls.length; i++) {
      const j = (base + tries + i) % init.urls.length;
      if ((down[j] ?? 0) <= now) return j;
    }
    return (base + tries) % init.urls.length;
  };
  const path = init.mode === 'etcd' ? '/v3/kv/put' : '/v1/tx';
  const type = init.mode === 'etcd' ? 'application/json' : 'application/octet-stream';

  let httpInFlight = 0;
  /** A canAccess query: GET, latency and decision recorded apart from the txs. */
  const query = async (k: number): Promise<void> => {
    const path = pre.bytes.toString('latin1', pre.offsets[k] ?? 0, pre.offsets[k + 1] ?? 0);
    const t = wallNow();
    tSend[k] = t;
    const t0 = tallies[OP_CAN_ACCESS];
    if (t0 !== undefined) t0.sent++;
    try {
      const r = await pool.get(`${init.urls[pickUrl(k, 0)]}${path}`);
      const body = JSON.parse(r.body) as { status?: string; returnData?: string };
      if (r.status !== 200 || body.status !== 'ok') throw new Error('query failed');
      qLat[qCount++] = wallNow() - t;
      if (decodeDecision(Buffer.from(body.returnData ?? '', 'hex')).allowed) qAllowed++;
      else qDenied++;
    } catch {
      qFailed++;
    }
  };
  const send = async (k: number): Promise<void> => {
    if (kinds !== undefined && kinds[k] === OP_CAN_ACCESS) return query(k);
    const tl = tally(k);
    if (tl !== undefined) tl.sent++;
    const body = pre.bytes.subarray(pre.offsets[k] ?? 0, pre.offsets[k + 1] ?? 0);
    const hash = init.mode === 'ehrchain' ? pre.hashes.toString('hex', k * 32, k * 32 + 32) : '';
    if (hash !== '') pending.set(hash, k);
    tSend[k] = wallNow();
    let tries = 0;
    let busy = 0;
    // Bounded: one try per node; 503s (mempool full, overloaded) are retried with back-off until the
    // run's drain deadline (giving up on one tx earlier would strand its sender's later nonces).
    while (tries < init.urls.length && wallNow() < busyDeadline) {
      const r = await postTo(pickUrl(k, tries), path, body, type);
      if (r === null) {
        tries++;
        continue;
      }
      const { status, body: text } = r;
      const code = status >= 400 ? errorCode(text) : '';
      if (status === 202 || status === 200 || (status === 409 && code === 'duplicate')) {
        tAccept[k] = wallNow();
        accepted++;
        if (init.mode === 'etcd') {
          tCommit[k] = tAccept[k] ?? Number.NaN;
          committed++;
        }
        return;
      }
      if (status === 503) {
        await backOff(++busy);
        continue;
      }
      rejected++;
      if (tl !== undefined) tl.rejected++;
      rejectCodes[code] = (rejectCodes[code] ?? 0) + 1;
      pending.delete(hash);
      return;
    }
    if (wallNow() >= busyDeadline) {
      rejected++;
      rejectCodes.mempool_full = (rejectCodes.mempool_full ?? 0) + 1;
    } else failed++;
    pending.delete(hash);
  };
  /**
   * Batch mode: one POST /v1/txs for txs `ks`, routed like its first tx. Each result counts on its
   * own; txs refused for a full mempool are resent after a back-off, with the same bounds as `send`.
   */
  const sendBatch = async (ks: readonly number[]): Promise<void> => {
    const hashOf = (k: number) => pre.hashes.toString('hex', k * 32, k * 32 + 32);
    const now0 = wallNow();
    for (const k of ks) {
      pending.set(hashOf(k), k);
      tSend[k] = now0;
      const tl = tally(k);
      if (tl !== undefined) tl.sent++;
    }
    const refuse = (k: number, code: string) => {
      rejected++;
      const tl = tally(k);
      if (tl !== undefined) tl.rejected++;
      rejectCodes[code] = (rejectCodes[code] ?? 0) + 1;
      pending.delete(hashOf(k));
    };
    let todo = ks;
    let tries = 0;
    let busy = 0;
    while (todo.length > 0 && tries < init.urls.length && wallNow() < busyDeadline) {
      const body = encodeTxBatch(
        todo.map((k) => pre.bytes.subarray(pre.offsets[k] ?? 0, pre.offsets[k + 1] ?? 0)),
      );
      const r = await postTo(pickUrl(todo[0] ?? 0, tries), '/v1/txs', body, 'application/octet-stream');
      if (r === null) {
        tries++;
        continue;
      }
      const { status, body: text } = r;
      if (status === 503) {
        await backOff(++busy);
        continue;
      }
      if (status !== 202) {
        const code = errorCode(text);
        for (const k of todo) refuse(k, code);
        return;
      }
      const results = (JSON.parse(text) as { results: { hash?: string; error?: { code: string } }[] })
        .results;
      const retry: number[] = [];
      const now = wallNow();
      todo.forEach((k, i) => {
        const code = results[i]?.error?.code;
        if (code === undefined || code === 'duplicate') {
          tAccept[k] = now;
          accepted++;
        } else if (code === 'mempool_full') retry.push(k);
        else refuse(k, code);
      });
      todo = retry;
      if (retry.length > 0) {
        await backOff(++busy);
      }
    }
    for (const k of todo) {
      if (wallNow() >= busyDeadline) refuse(k, 'mempool_full');
      else {
        failed++;
        pending.delete(hashOf(k));
      }
    }
  };
  const batching = init.mode === 'ehrchain' && init.batch > 1;
  // consent-mix batches per node (each actor's txs stay on its node, in nonce order); kv and noop
  // batches are consecutive txs routed like their first.
  const routing: BatchRouting =
    kinds === undefined
      ? { nodeOf: () => 0, isQuery: () => false }
      : { nodeOf: baseOf, isQuery: (k) => kinds[k] === OP_CAN_ACCESS };
  let txInFlight = 0;
  const launch = (k: number) => {
    httpInFlight++;
    txInFlight++;
    void send(k).finally(() => {
      httpInFlight--;
      txInFlight--;
      poke();
    });
  };
  /** Sends txs `ks` in one batch request. */
  const launchBatch = (ks: readonly number[]) => {
    httpInFlight++;
    txInFlight += ks.length;
    void sendBatch(ks).finally(() => {
      httpInFlight--;
      txInFlight -= ks.length;
      poke();
    });
  };

  /** Sends a window: its queries one by one, its txs in one batch per node. */
  const launchWindow = (win: BatchWindow) => {
    for (const k of win.queries) launch(k);
    for (const ks of win.batches) launchBatch(ks);
  };

  let next = 0;
  const progress = setInterval(
    () => post({ type: 'progress', id: init.id, sent: next, accepted, committed }),
    250,
  );
  let exhausted = false;
  const end = t0 + init.durationMs;
  // Bounded by the duration and by the n pre-signed txs.
  while (!stopRequested) {
    const now = wallNow();
    if (now >= end) break;
    if (next >= n) {
      // Out of pre-signed txs before the duration ended (the main thread knows if --count meant it).
      exhausted = true;
      break;
    }
    if (init.rate !== null) {
      const due = Math.min(n, Math.floor(((now - t0) * init.rate) / 1000) + 1);
      while (next < due && httpInFlight < init.concurrency) {
        if (batching) {
          // A batch leaves when full, or once its oldest tx has waited BATCH_WAIT_MS (so a low rate
          // still batches without adding more than that to any tx's latency).
          const win = nextBatchWindow(next, due, init.batch, Number.POSITIVE_INFINITY, routing);
          if (!win.full && now - (t0 + (next * 1000) / init.rate) < BATCH_WAIT_MS) break;
          for (let k = next; k < win.to; k++) tDue[k] = t0 + (k * 1000) / init.rate;
          launchWindow(win);
          next = win.to;
          continue;
        }
        tDue[next] = t0 + (next * 1000) / init.rate;
        launch(next++);
      }
      await sleep(1);
    } else {
      while (
        next < n &&
        httpInFlight < init.concurrency &&
        accepted - committed + txInFlight < init.inflight
      ) {
        if (batching) {
          const budget = init.inflight - (accepted - committed + txInFlight);
          const win = nextBatchWindow(next, n, init.batch, budget, routing);
          launchWindow(win);
          next = win.to;
        } else launch(next++);
      }
      await Promise.race([new Promise<void>((r) => (wake = r)), sleep(5)]);
    }
  }
  // Drain: bounded by drainMs.
  const drainEnd = wallNow() + init.drainMs;
  while (wallNow() < drainEnd && (httpInFlight > 0 || (tracker !== null && pending.size > 0))) {
    await sleep(20);
  }
  clearInterval(progress);
  await tracker?.stop();
  pool.close();
  const result: WorkerResult = {
    type: 'done',
    id: init.id,
    sent: next,
    pregenMs,
    tSend: tSend.subarray(0, next).slice(),
    tAccept: tAccept.subarray(0, next).slice(),
    tCommit: tCommit.subarray(0, next).slice(),
    tBlock: tBlock.subarray(0, next).slice(),
    tDue: tDue.subarray(0, next).slice(),
    rejected,
    failed,
    busyRetries,
    reverted,
    rejectCodes,
    caughtUp: tracker?.caughtUp ?? 0,
    reconnects: tracker?.reconnects ?? 0,
    exhausted,
    ...(kinds === undefined
      ? {}
      : {
          ops: Object.fromEntries(CONSENT_OPS.map((o, i) => [o, tallies[i] as OpTally])),
          revertCodes,
          queries: { lat: qLat.slice(0, qCount), allowed: qAllowed, denied: qDenied, failed: qFailed },
        }),
  };
  post(result, [
    result.tSend.buffer as ArrayBuffer,
    result.tAccept.buffer as ArrayBuffer,
    result.tCommit.buffer as ArrayBuffer,
    result.tBlock.buffer as ArrayBuffer,
    result.tDue.buffer as ArrayBuffer,
  ]);
}

function errorCode(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: { code?: string } }).error;
    return e?.code ?? 'http_error';
  } catch {
    return 'http_error';
  }
}

run().catch((err: unknown) => {
  post({
    type: 'error',
    id: init.id,
    message: err instanceof Error ? (err.stack ?? err.message) : String(err),
  });
});
