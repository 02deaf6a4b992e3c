/**
 * `--batch N`: how a worker cuts its pre-signed entries into requests, pure. Entries are taken in
 * order, in windows; in a window, queries (consent-mix `canAccess`) go one per request and txs go
 * in one `POST /v1/txs` per node they are routed to, each batch in entry order. A sender always
 * routes to the same node, so its txs of a window sit in one batch, in nonce order, and its later
 * txs follow in later windows. For kv and noop every entry routes alike (one batch per window,
 * routed like its first tx, as before).
 */

/** One window of entries [from, to), cut into requests. */
export interface BatchWindow {
  /** The first entry after the window. */
  readonly to: number;
  /** Tx batches, one per node with txs in the window (by first entry), each in entry order. */
  readonly batches: readonly (readonly number[])[];
  /** Query entries, in order. */
  readonly queries: readonly number[];
  /** Some batch reached the batch size (with a fixed rate, a window that is not full may wait). */
  readonly full: boolean;
}

/** How entries route. */
export interface BatchRouting {
  /** The node (index) entry k is sent to. */
  readonly nodeOf: (k: number) => number;
  /** Whether entry k is a query (not a tx). */
  readonly isQuery: (k: number) => boolean;
}

/**
 * The window starting at `from`: it grows until one node's batch holds `size` txs, it holds
 * `maxTxs` txs (the closed loop's budget; at least 1), or it reaches `limit` (exclusive).
 */
export function nextBatchWindow(
  from: number,
  limit: number,
  size: number,
  maxTxs: number,
  r: BatchRouting,
): BatchWindow {
  const byNode = new Map<number, number[]>();
  const queries: number[] = [];
  let txs = 0;
  let full = false;
  let k = from;
  // Bounded by limit.
  while (k < limit && !full && txs < Math.max(1, maxTxs)) {
    if (r.isQuery(k)) queries.push(k);
    else {
      const node = r.nodeOf(k);
      let b = byNode.get(node);
      if (b === undefined) {
        b = [];
        byNode.set(node, b);
      }
      b.push(k);
      txs++;
      if (b.length >= size) full = true;
    }
    k++;
  }
  return { to: k, batches: [...byNode.values()], queries, full };
}
