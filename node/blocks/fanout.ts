/**
 * What happens after a block is applied, in one place: the mempool drops its txs, the producer
 * learns the height, the records service sees its events, metrics and commit latencies are
 * recorded, the event stream and the actor-event index are fed, and a validator-set change reaches the p2p layer.
 */
import { toHex } from '../../protocol/chain/encoding.js';
import { txKey } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import type { NodeEvents } from '../events.js';
import { headerView } from '../http/views.js';
import type { NodeMetrics } from '../metrics.js';
import type { AppliedBlock } from './applier.js';

/**
 * Commit latency of txs admitted here: admission time by tx hash, bounded. Keyed by the tx's
 * one-byte hash string (`txKey`, made once per decoded tx), not by hex: no string is built per tx at
 * admission or at commit, where every node looks up every committed tx.
 */
export class CommitLatency {
  readonly #admittedAt = new Map<string, number>();

  constructor(private readonly max = 500_000) {}

  admitted(tx: SignedTx, now: number): void {
    if (this.#admittedAt.size < this.max) this.#admittedAt.set(txKey(tx), now);
  }

  /** Seconds since admission, or undefined for a tx admitted elsewhere; forgets the tx. */
  committed(tx: SignedTx, now: number): number | undefined {
    if (this.#admittedAt.size === 0) return undefined;
    const hash = txKey(tx);
    const t = this.#admittedAt.get(hash);
    if (t === undefined) return undefined;
    this.#admittedAt.delete(hash);
    return (now - t) / 1000;
  }
}

export interface AppliedFanoutDeps {
  readonly mempool: { onCommitted(txs: readonly SignedTx[]): void; readonly size: number };
  readonly producer: { onApplied(height: number): void };
  readonly records: { onApplied(a: AppliedBlock): void };
  /** The actor-event index (notify/notifier.ts). */
  readonly notify?: { onApplied(a: AppliedBlock): void };
  readonly metrics: NodeMetrics;
  readonly events: NodeEvents;
  readonly latency: CommitLatency;
  /** Raft's commit index, for the metric. */
  commitIndex(): number;
  /** A committed tx added or removed a validator. */
  onValidatorsChanged(): void;
  /** Monotonic ms. */
  now(): number;
}

export class AppliedFanout {
  constructor(private readonly deps: AppliedFanoutDeps) {}

  onApplied(a: AppliedBlock): void {
    const { deps } = this;
    const h = a.block.header;
    deps.mempool.onCommitted(a.block.txs);
    deps.producer.onApplied(h.height);
    deps.records.onApplied(a);
    deps.notify?.onApplied(a);
    const now = deps.now();
    let ok = 0;
    for (let i = 0; i < a.block.txs.length; i++) {
      const latency = deps.latency.committed(a.block.txs[i]!, now);
      if (latency !== undefined) deps.metrics.commitLatency.observe(latency);
      const r = a.receipts[i]!;
      if (r.status === 'ok') {
        ok++;
        if (r.events.some((e) => e.name === 'validator_added' || e.name === 'validator_removed')) {
          deps.onValidatorsChanged();
        }
      }
    }
    deps.metrics.txCommitted.inc({ status: 'ok' }, ok);
    deps.metrics.txCommitted.inc({ status: 'reverted' }, a.block.txs.length - ok);
    deps.metrics.blockHeight.set(h.height);
    deps.metrics.blockTxs.observe(a.block.txs.length);
    deps.metrics.mempoolTxs.set(deps.mempool.size);
    deps.metrics.raftCommitIndex.set(deps.commitIndex());
    if (deps.events.listenerCount('event') > 0) {
      deps.events.emit('event', { type: 'block', block: headerView(a.block) });
      deps.events.emit('event', {
        type: 'receipts',
        height: h.height,
        receipts: a.receipts.map((r) => ({
          hash: toHex(r.txHash),
          status: r.status,
          ...(r.error === undefined ? {} : { error: r.error }),
        })),
      });
    }
  }
}
