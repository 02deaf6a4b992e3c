/** Mempool options and defaults. */

/** Bounds of the mempool. */
export interface MempoolOptions {
  /** Max pending txs in total. */
  readonly maxTxs: number;
  /** Max total bytes of pending signed txs. */
  readonly maxBytes: number;
  /** A tx's nonce must be below the sender's committed nonce + nonceWindow (also a per-sender cap). */
  readonly nonceWindow: number;
  /** How many committed nonces of senders with nothing pending to remember (guards against state lag). */
  readonly maxIdleSenders: number;
}

/** Defaults: 50,000 txs, 64 MiB, a 1,024-nonce window. */
export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 50_000,
  maxBytes: 64 * 1024 * 1024,
  nonceWindow: 1024,
  maxIdleSenders: 10_000,
};

/** Merges and validates options; throws RangeError on nonsense. */
export function resolveMempoolOptions(options: Partial<MempoolOptions> = {}): MempoolOptions {
  const o = { ...defaultMempoolOptions, ...options };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isSafeInteger(v) || v < (k === 'maxIdleSenders' ? 0 : 1))
      throw new RangeError(`mempool ${k}: ${v}`);
  }
  return o;
}
