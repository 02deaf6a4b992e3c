/**
 * Transaction admission, the one path every tx takes into the mempool whether it came over HTTP or
 * gossip: decode within limits, check chain and gas rules, verify the signature once (a hash seen
 * before is not verified again), admit, and gossip what came from clients in batches so one gossip
 * message carries many txs under load (at most one batch per `gossipBatchMs`) while a lone tx leaves
 * at once.
 */
import { ChainError, isChainError } from '../../protocol/chain/errors.js';
import { checkTxRules, decodeSignedTx, type TxLimits, type TxRules } from '../../protocol/chain/tx.js';
import { decodeTxBatch, encodeTxBatch } from '../../protocol/chain/tx-batch.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';

/** What admission needs from the mempool. */
export interface AdmissionPool {
  /** Admits or throws ChainError (duplicate, nonce, full). */
  add(tx: SignedTx): void;
}

/** Signature verification with a memory of hashes already verified. */
export interface TxSignatureVerifier {
  /**
   * For each tx, in order, true when its signature holds; remembers the verdicts by tx hash. One
   * call per batch: the node posts the batch to its verify workers at once (node/blocks/verify.ts).
   */
  verifyTxs(txs: readonly SignedTx[]): Promise<readonly boolean[]>;
}

export interface IngressOptions {
  readonly limits: TxLimits;
  readonly rules: TxRules;
  /** Gossip batch: flush at this many txs, or this many ms after the previous flush (at once after a quiet spell). */
  readonly gossipBatchTxs: number;
  readonly gossipBatchMs: number;
}

/** What admission works with. */
export interface IngressDeps {
  readonly pool: AdmissionPool;
  readonly verifier: TxSignatureVerifier;
  /** Publishes a batch frame of client txs to the other validators. */
  gossip(batch: Uint8Array): void;
  /** Called for each tx admitted, after it entered the pool. */
  onAdmitted(tx: SignedTx, source: 'http' | 'gossip'): void;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
}

export class TxIngress {
  #batch: Uint8Array[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  /** When the last gossip batch went out (Date.now()). */
  #lastFlush = Number.NEGATIVE_INFINITY;

  readonly #pool: AdmissionPool;
  readonly #verifier: TxSignatureVerifier;
  readonly #metrics: NodeMetrics;
  readonly #log: Logger;

  constructor(
    private readonly opts: IngressOptions,
    private readonly deps: IngressDeps,
  ) {
    this.#pool = deps.pool;
    this.#verifier = deps.verifier;
    this.#metrics = deps.metrics;
    this.#log = deps.log;
  }

  /** Admits a client's tx; throws ChainError with the reason when refused. */
  async submit(bytes: Uint8Array): Promise<SignedTx> {
    const [r] = await this.submitBatch([bytes]);
    if (r instanceof ChainError) throw r;
    return r!;
  }

  /**
   * Admits a client's batch of txs: each is decoded and checked on its own, the signatures of the
   * lot verified in one call to the verifier, then admitted in the order given, so consecutive
   * nonces of one sender in one batch are admitted in order. Never throws for one bad tx: each
   * result is the admitted tx or the ChainError that refused it.
   */
  async submitBatch(txs: readonly Uint8Array[]): Promise<Array<SignedTx | ChainError>> {
    const checked = await this.#checkAll(txs);
    let admitted = 0;
    for (let i = 0; i < checked.length; i++) {
      const r = this.#admitFromClient(checked[i]!);
      if (!(r instanceof ChainError)) admitted++;
      checked[i] = r;
    }
    if (admitted > 0) this.#metrics.txAdmitted.inc({ source: 'http' }, admitted);
    return checked;
  }

  /** A checked client tx into the mempool (announced, queued for gossip), or its refusal (counted). */
  #admitFromClient(checked: SignedTx | ChainError): SignedTx | ChainError {
    let r = checked;
    if (!(r instanceof ChainError)) {
      try {
        this.#pool.add(r);
        this.deps.onAdmitted(r, 'http');
        this.#queueGossip(r.bytes);
        return r;
      } catch (err) {
        if (!isChainError(err)) throw err;
        r = err;
      }
    }
    this.#metrics.txRejected.inc({ code: r.code });
    return r;
  }

  /** Admits a gossiped batch; refusals are counted, not thrown (peers resend what we already hold). */
  async receiveBatch(bytes: Uint8Array, from: string): Promise<void> {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(bytes, this.opts.limits.maxTxBytes);
    } catch (err) {
      if (!isChainError(err)) throw err;
      this.#metrics.txRejected.inc({ code: err.code });
      this.#log.debug({ from, code: err.code }, 'malformed tx batch from peer');
      return;
    }
    const checked = await this.#checkAll(txs);
    let admitted = 0;
    for (const r of checked) {
      let code: string;
      if (r instanceof ChainError) code = r.code;
      else {
        try {
          this.#pool.add(r);
          admitted++;
          this.deps.onAdmitted(r, 'gossip');
          continue;
        } catch (err) {
          if (!isChainError(err)) throw err;
          code = err.code;
        }
      }
      // A duplicate from gossip is normal (the tx reached us twice); anything else is counted.
      if (code !== 'duplicate') this.#metrics.txRejected.inc({ code });
    }
    if (admitted > 0) this.#metrics.txAdmitted.inc({ source: 'gossip' }, admitted);
  }

  /** Sends what is queued for gossip now (on stop). */
  flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#lastFlush = Date.now();
    this.deps.gossip(encodeTxBatch(batch));
  }

  /**
   * Each tx decoded within limits and checked against chain and gas rules, then the signatures of
   * those that passed verified in one call: the tx, or the ChainError that refuses it, in order.
   */
  async #checkAll(txs: readonly Uint8Array[]): Promise<Array<SignedTx | ChainError>> {
    const out = new Array<SignedTx | ChainError>(txs.length);
    const decoded: SignedTx[] = [];
    for (let i = 0; i < txs.length; i++) {
      try {
        const tx = decodeSignedTx(txs[i]!, this.opts.limits); // refuses an oversized tx first (too_large)
        checkTxRules(tx, this.opts.rules);
        out[i] = tx;
        decoded.push(tx);
      } catch (err) {
        if (!isChainError(err)) throw err;
        out[i] = err;
      }
    }
    if (decoded.length === 0) return out;
    const ok = await this.#verifier.verifyTxs(decoded);
    let k = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i] instanceof ChainError) continue;
      if (ok[k++] !== true) out[i] = new ChainError('bad_signature', 'signature does not verify');
    }
    return out;
  }

  #queueGossip(bytes: Uint8Array): void {
    this.#batch.push(bytes);
    if (this.#batch.length >= this.opts.gossipBatchTxs) this.flush();
    else if (this.#flushTimer === null) {
      // Like Nagle's algorithm: a tx after a quiet spell goes out at once (with whatever else came in
      // the same turn), so a lone tx is not held back; under load at most one batch leaves per
      // gossipBatchMs, since one message per tx costs every validator more than the wait.
      const wait = Math.max(0, this.#lastFlush + this.opts.gossipBatchMs - Date.now());
      this.#flushTimer = setTimeout(() => this.flush(), wait);
    }
  }
}
