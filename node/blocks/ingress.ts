/**
 * Transaction admission, the one path every tx takes into the mempool whether it came over HTTP or
 * gossip: decode within limits, check chain and gas rules, verify the signature once (a hash seen
 * before is not verified again), admit, and gossip what came from clients in small batches so one
 * gossip message carries many txs.
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
  /** True when the signature holds; remembers the verdict by tx hash. */
  verify(tx: SignedTx): Promise<boolean>;
}

export interface IngressOptions {
  readonly limits: TxLimits;
  readonly rules: TxRules;
  /** Gossip batch: flush after this many txs or this many ms, whichever first. */
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
    const r = this.#admitFromClient(await this.#checkOrError(bytes));
    if (r instanceof ChainError) throw r;
    return r;
  }

  /**
   * Admits a client's batch of txs: each is decoded, checked and verified on its own (signatures
   * in parallel), then admitted in the order given, so consecutive nonces of one sender in one
   * batch are admitted in order. Never throws for one bad tx: each result is the admitted tx or the
   * ChainError that refused it.
   */
  async submitBatch(txs: readonly Uint8Array[]): Promise<Array<SignedTx | ChainError>> {
    const checked = await Promise.all(txs.map((bytes) => this.#checkOrError(bytes)));
    return checked.map((r) => this.#admitFromClient(r));
  }

  /** A checked client tx into the mempool (counted, announced, queued for gossip), or its refusal. */
  #admitFromClient(checked: SignedTx | ChainError): SignedTx | ChainError {
    let r = checked;
    if (!(r instanceof ChainError)) {
      try {
        this.#pool.add(r);
        this.#metrics.txAdmitted.inc({ source: 'http' });
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

  /** `#check`, with a refusal returned rather than thrown. */
  async #checkOrError(bytes: Uint8Array): Promise<SignedTx | ChainError> {
    try {
      return await this.#check(bytes);
    } catch (err) {
      if (isChainError(err)) return err;
      throw err;
    }
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
    await Promise.all(
      txs.map(async (b) => {
        try {
          const tx = await this.#check(b);
          this.#pool.add(tx);
          this.#metrics.txAdmitted.inc({ source: 'gossip' });
          this.deps.onAdmitted(tx, 'gossip');
        } catch (err) {
          if (!isChainError(err)) throw err;
          // A duplicate from gossip is normal (the tx reached us twice); anything else is counted.
          if (err.code !== 'duplicate') this.#metrics.txRejected.inc({ code: err.code });
        }
      }),
    );
  }

  /** Sends what is queued for gossip now (on stop). */
  flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.deps.gossip(encodeTxBatch(batch));
  }

  /** Decodes within limits, checks chain and gas rules, verifies the signature; throws ChainError. */
  async #check(bytes: Uint8Array): Promise<SignedTx> {
    const tx = decodeSignedTx(bytes, this.opts.limits); // refuses an oversized tx first (too_large)
    checkTxRules(tx, this.opts.rules);
    if (!(await this.#verifier.verify(tx)))
      throw new ChainError('bad_signature', 'signature does not verify');
    return tx;
  }

  #queueGossip(bytes: Uint8Array): void {
    this.#batch.push(bytes);
    if (this.#batch.length >= this.opts.gossipBatchTxs) this.flush();
    else if (this.#flushTimer === null)
      this.#flushTimer = setTimeout(() => this.flush(), this.opts.gossipBatchMs);
  }
}
