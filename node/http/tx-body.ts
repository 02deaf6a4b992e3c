/**
 * The txs of a submission body, as `POST /v1/txs` takes them (docs/api.md): a batch frame sent as
 * application/octet-stream (fastify hands it over as a Buffer), or JSON `{"txs": ["<hex>", ...]}`.
 */
import { ChainError } from '../../protocol/chain/errors.js';
import { defaultTxLimits } from '../../protocol/chain/tx.js';
import { decodeTxBatch } from '../../protocol/chain/tx-batch.js';

/**
 * The signed txs of a `POST /v1/txs` body, or null for a body of neither form (the route answers
 * 415). Throws ChainError: `bad_encoding` for a malformed frame, `too_large` beyond `maxTxs` txs or
 * a tx over the default size limit (admission applies the node's own limit to each tx).
 */
export function txsFromBody(body: unknown, maxTxs: number): Uint8Array[] | null {
  // Views, not copies: each tx a view of the body, which nothing else writes to. (A body under 4 KiB
  // may sit in Node's shared Buffer pool: that memory is never handed out twice, and nothing here
  // transfers `.buffer`, so a view of it is safe.)
  if (Buffer.isBuffer(body))
    return decodeTxBatch(
      new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      defaultTxLimits.maxTxBytes,
      maxTxs,
    );
  if (typeof body === 'object' && body !== null && Array.isArray((body as { txs?: unknown }).txs)) {
    const hex = (body as { txs: string[] }).txs;
    // The schema caps the list at the default; a node configured lower is held to its own limit.
    if (hex.length > maxTxs)
      throw new ChainError('too_large', `batch of ${hex.length} txs (limit ${maxTxs})`);
    return hex.map((t) => {
      const b = Buffer.from(t, 'hex');
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    });
  }
  return null;
}
