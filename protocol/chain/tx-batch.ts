/**
 * A batch of signed txs in one frame: u16 count, then each signed tx as u32 length + its canonical
 * bytes (docs/transactions.md). Gossip carries txs in this frame, and clients may submit one to
 * `POST /v1/txs`.
 */
import { Reader, Writer } from './encoding.js';
import { ChainError } from './errors.js';

/** The most txs one frame can hold (the count is a u16). */
export const MAX_TX_BATCH = 0xffff;

/** Encodes a batch; throws RangeError beyond MAX_TX_BATCH txs. */
export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  if (txs.length > MAX_TX_BATCH) throw new RangeError(`a tx batch holds at most ${MAX_TX_BATCH} txs`);
  const w = new Writer(6 + txs.reduce((n, t) => n + 4 + t.length, 0));
  w.u16(txs.length);
  for (const t of txs) w.bytes(t, 'tx');
  return w.finish();
}

/**
 * Decodes a batch; throws ChainError('bad_encoding') on any malformation and 'too_large' for a tx
 * over `maxTxBytes` or more than `maxTxs` txs.
 */
export function decodeTxBatch(bytes: Uint8Array, maxTxBytes: number, maxTxs = MAX_TX_BATCH): Uint8Array[] {
  const r = new Reader(bytes);
  const n = r.u16('count');
  if (n > maxTxs) throw new ChainError('too_large', `batch of ${n} txs (limit ${maxTxs})`);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(r.bytes(maxTxBytes, 'tx'));
  r.end('tx batch');
  return out;
}
