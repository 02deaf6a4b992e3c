/**
 * Untimed setup through real txs (consent-mix and records): each sender's txs go to one node in
 * chunks of at most 48 consecutive nonces (inside the nonce window: 1024 by default, 64 at least); a chunk is
 * submitted in one `POST /v1/txs`, then its last tx is awaited (a sender's txs commit in nonce order) and the
 * receipts of the chunk are read. Senders run concurrently, over one keep-alive pool.
 */

import type { Signer } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import { createHttpPool, type HttpPool } from './http.js';

/** One setup call. */
export interface SetupCall {
  readonly method: string;
  readonly args: readonly Uint8Array[];
}

/** A sender and its calls, in nonce order from `nonce`. */
export interface SetupBatch {
  readonly signer: Signer;
  readonly nonce: number;
  readonly calls: readonly SetupCall[];
}

/** A receipt as read back. */
export interface SetupReceipt {
  readonly status: 'ok' | 'reverted';
  readonly error?: string;
  readonly returnData: string;
}

/** Totals of a setup. */
export interface SetupStats {
  txs: number;
  ok: number;
  reverted: number;
  ms: number;
  errors: Record<string, number>;
}

const CHUNK = 48;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const newSetupStats = (): SetupStats => ({ txs: 0, ok: 0, reverted: 0, ms: 0, errors: {} });

class SetupRefused extends Error {}

/**
 * Submits a sender's chunk in one `POST /v1/txs` (in nonce order); txs refused for a full mempool,
 * and the whole chunk on a 503 or a connection error, are resent after a back-off.
 */
async function submit(pool: HttpPool, url: string, txs: readonly Uint8Array[]): Promise<void> {
  let todo = txs;
  // Bounded: 12 tries (503 mempool full or overloaded, connection errors).
  for (let i = 0; i < 12; i++) {
    try {
      const r = await pool.post(`${url}/v1/txs`, encodeTxBatch(todo), 'application/octet-stream');
      if (r.status === 202) {
        const { results } = JSON.parse(r.body) as {
          results: { error?: { code: string; message?: string } }[];
        };
        const retry: Uint8Array[] = [];
        todo.forEach((tx, j) => {
          const code = results[j]?.error?.code;
          if (code === 'mempool_full') retry.push(tx);
          else if (code !== undefined && code !== 'duplicate')
            throw new SetupRefused(`setup tx refused: ${code} ${results[j]?.error?.message ?? ''}`);
        });
        if (retry.length === 0) return;
        todo = retry;
      } else if (r.status !== 503) {
        throw new SetupRefused(`setup txs refused: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      }
    } catch (e) {
      if (e instanceof SetupRefused) throw e;
    }
    await sleep(50 * 2 ** Math.min(i, 5));
  }
  throw new Error(`setup txs not admitted by ${url} after 12 tries`);
}

async function receipt(pool: HttpPool, url: string, hash: string, deadline: number): Promise<SetupReceipt> {
  // Bounded by the deadline.
  for (let wait = 30; Date.now() < deadline; wait = Math.min(wait * 2, 250)) {
    try {
      const r = await pool.get(`${url}/v1/tx/${hash}`);
      if (r.status === 200) {
        const tx = JSON.parse(r.body) as { status: string; receipt?: SetupReceipt };
        if (tx.status === 'committed' && tx.receipt !== undefined) return tx.receipt;
      }
    } catch {
      // retry
    }
    await sleep(wait);
  }
  throw new Error(`setup tx ${hash} not committed in time`);
}

/**
 * Runs every batch (senders concurrently, at most `parallel` at a time); returns the receipts in
 * the order of each batch's calls. Throws if a tx is refused or not committed within `timeoutMs`.
 */
export async function runSetup(
  urls: readonly string[],
  chainId: string,
  batches: readonly SetupBatch[],
  stats: SetupStats,
  parallel = 64,
  timeoutMs = 120_000,
): Promise<SetupReceipt[][]> {
  const t0 = performance.now();
  const pool = createHttpPool('node', 64, 30_000);
  const out: SetupReceipt[][] = batches.map(() => []);
  let next = 0;
  const deadline = Date.now() + timeoutMs;
  const one = async (b: number): Promise<void> => {
    const batch = batches[b];
    if (batch === undefined) return;
    const url = urls[b % urls.length] ?? '';
    for (let c = 0; c < batch.calls.length; c += CHUNK) {
      const txs = batch.calls.slice(c, c + CHUNK).map((call, i) =>
        signTx(
          {
            chainId,
            sender: batch.signer.publicKey,
            nonce: batch.nonce + c + i,
            gasLimit: 1_000_000,
            contract: 'consent',
            method: call.method,
            args: call.args,
          },
          batch.signer,
        ),
      );
      await submit(
        pool,
        url,
        txs.map((tx) => tx.bytes),
      );
      const hex = txs.map((tx) => Buffer.from(tx.hash).toString('hex'));
      const last = await receipt(pool, url, hex[hex.length - 1] ?? '', deadline);
      const rest = await Promise.all(hex.slice(0, -1).map((h) => receipt(pool, url, h, deadline)));
      for (const r of [...rest, last]) {
        out[b]?.push(r);
        stats.txs++;
        if (r.status === 'ok') stats.ok++;
        else {
          stats.reverted++;
          const code = r.error ?? 'reverted';
          stats.errors[code] = (stats.errors[code] ?? 0) + 1;
        }
      }
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(parallel, batches.length) }, async () => {
        // Bounded by the number of batches.
        while (next < batches.length) await one(next++);
      }),
    );
  } finally {
    pool.close();
    stats.ms += Math.round(performance.now() - t0);
  }
  return out;
}
