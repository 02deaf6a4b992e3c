/**
 * Signature verification for the node: the most expensive thing a tx costs, so
 * - it runs libsodium where it loads (node/blocks/ed25519.ts), else node:crypto with public
 *   KeyObjects cached per key (bounded LRU);
 * - verification runs off the main thread: on the libuv pool through the async form of
 *   `crypto.verify`, or on a worker_threads pool (mode chosen by options; see the bench);
 * - a bounded set remembers (tx hash, signature) pairs already verified, so a tx seen twice
 *   (HTTP, then gossip, then in a block) is verified once.
 */
import { verify as nodeVerify } from 'node:crypto';
import { isWeakPointEncoding, KeyCache, verifySignature } from '../../protocol/chain/keys.js';
import { txKey } from '../../protocol/chain/tx.js';
import type { Block, SignedTx } from '../../protocol/chain/types.js';
import { type Ed25519Backend, effectiveBackend, loadSodium, type SodiumVerify } from './ed25519.js';
import { JOB_BYTES, packJob, type SignatureJob, VerifyPool } from './verify-workers.js';

/** Where verification runs: the calling thread, the libuv pool, or worker threads. */
export type VerifyMode = 'sync' | 'async' | 'workers';

/** Verifier options. */
export interface VerifierOptions {
  readonly mode: VerifyMode;
  /** Worker threads in 'workers' mode. */
  readonly workers: number;
  /** Max jobs per message to a worker. */
  readonly maxBatch: number;
  /** Max cached public KeyObjects. */
  readonly keyCacheSize: number;
  /** Max remembered verified (tx hash, signature) pairs. */
  readonly verifiedCacheSize: number;
  /**
   * Max verifications outstanding per `verifyTxs` call in `async` mode (thousands at once measured
   * slower than 64); `workers` mode posts a call's txs at once, `maxBatch` per message.
   */
  readonly maxInFlight: number;
  /**
   * ed25519 implementation in `workers` and `sync` modes: libsodium (`sodium`, falling back to
   * node:crypto if sodium-native does not load) or node:crypto (`node`). `async` mode is always
   * node:crypto (libuv's pool). `EHRCHAIN_ED25519=node` in the environment forces `node`.
   */
  readonly library: Ed25519Backend;
}

/**
 * Defaults, the node's: 2 worker threads, not libuv's pool. LevelDB's writes run in libuv's 4
 * threads, and thousands of queued admission checks there made each block's apply wait 0.7 s under
 * load (bench profile). 60,000 remembered verdicts cover the mempool's txs in flight.
 */
export const defaultVerifierOptions: VerifierOptions = {
  mode: 'workers',
  workers: 2,
  maxBatch: 256,
  keyCacheSize: 10_000,
  verifiedCacheSize: 60_000,
  maxInFlight: 64,
  library: 'sodium',
};

/** Bytes of an ed25519 signature: the only length a verified tx has. */
const SIG = 64;

/**
 * Bounded set of verified (tx hash, signature) pairs, the oldest forgotten first. Keyed by hash (the
 * tx's `txKey`, made once per decoded tx) to a slot of a ring; the slot's signature is kept in one
 * flat array and checked byte for byte, so neither a lookup nor an insert builds a string (an insert
 * used to make the signature's 64-char string: ~0.35 of its ~0.5 µs, and 60,000 such strings on the
 * heap for the collector to mark). The ring of keys gives the order, so an insert allocates no iterator.
 */
export class VerifiedSet {
  /** Slot in `order` and `sigs`, by tx hash key. */
  private readonly map = new Map<string, number>();
  private readonly order: Array<string | undefined>;
  /** Slot i's signature at bytes [64i, 64i + 64). */
  private readonly sigs: Uint8Array;
  private next = 0;

  constructor(readonly capacity: number) {
    this.order = new Array<string | undefined>(Math.max(0, capacity));
    this.sigs = new Uint8Array(Math.max(0, capacity) * SIG);
  }

  /** True if this exact tx (hash and signature) was verified before. */
  has(tx: SignedTx): boolean {
    const slot = this.map.get(txKey(tx));
    if (slot === undefined) return false;
    const sig = tx.signature;
    if (sig.length !== SIG) return false;
    const sigs = this.sigs;
    const at = slot * SIG;
    for (let i = 0; i < SIG; i++) if (sigs[at + i] !== sig[i]) return false;
    return true;
  }

  /** Remembers a verified tx, forgetting the first added beyond capacity. */
  add(tx: SignedTx): void {
    if (this.capacity <= 0 || tx.signature.length !== SIG) return;
    const k = txKey(tx);
    // Already there (another valid signature of the same body): keeps its place in the order.
    const known = this.map.get(k);
    if (known !== undefined) {
      this.sigs.set(tx.signature, known * SIG);
      return;
    }
    const slot = this.next;
    const old = this.order[slot];
    if (old !== undefined) this.map.delete(old);
    this.order[slot] = k;
    this.sigs.set(tx.signature, slot * SIG);
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    this.map.set(k, slot);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Verifies tx and block signatures with caching; `close()` it to stop worker threads. */
export class Verifier {
  readonly options: VerifierOptions;
  readonly keys: KeyCache;
  readonly verified: VerifiedSet;
  private readonly pool: VerifyPool | null;
  private packed = new Uint8Array(0);
  /** libsodium's verify on this thread, when the backend is sodium. */
  private readonly sodium: SodiumVerify | null;
  /** The ed25519 implementation in use (`library` option, environment, whether sodium loaded). */
  readonly backend: Ed25519Backend;

  constructor(options: Partial<VerifierOptions> = {}) {
    this.options = { ...defaultVerifierOptions, ...options };
    this.keys = new KeyCache(this.options.keyCacheSize);
    this.verified = new VerifiedSet(this.options.verifiedCacheSize);
    this.backend = this.options.mode === 'async' ? 'node' : effectiveBackend(this.options.library);
    const sodium = this.backend === 'sodium' ? loadSodium() : null;
    this.sodium = sodium?.verify ?? null;
    this.pool =
      this.options.mode === 'workers'
        ? new VerifyPool(
            {
              workers: this.options.workers,
              maxBatch: this.options.maxBatch,
              keyCacheSize: this.options.keyCacheSize,
              sodiumPath: sodium?.path ?? null,
            },
            (job) => this.verifyOnThisThread(job),
          )
        : null;
  }

  /** Verifies here with the configured backend, the node's rules included; never throws. */
  private verifyOnThisThread(job: SignatureJob): boolean {
    if (this.sodium === null) return verifySignature(job.message, job.signature, job.publicKey, this.keys);
    if (job.signature.length !== 64 || job.publicKey.length !== 32) return false;
    try {
      return this.sodium(job.signature, job.message, job.publicKey);
    } catch {
      return false;
    }
  }

  /** True if this exact tx was already verified by this Verifier. */
  isVerified(tx: SignedTx): boolean {
    return this.verified.has(tx);
  }

  /** Verifies on the calling thread (uses and fills the verified set). */
  verifyTxSync(tx: SignedTx): boolean {
    if (this.verified.has(tx)) return true;
    const ok = this.verifyOnThisThread({
      publicKey: tx.body.sender,
      message: tx.hash,
      signature: tx.signature,
    });
    if (ok) this.verified.add(tx);
    return ok;
  }

  /** Verifies a tx's signature over its hash off the main thread (uses and fills the verified set). */
  async verifyTx(tx: SignedTx): Promise<boolean> {
    if (this.verified.has(tx)) return true;
    const ok = await this.verify({ publicKey: tx.body.sender, message: tx.hash, signature: tx.signature });
    if (ok) this.verified.add(tx);
    return ok;
  }

  /**
   * Verifies many txs' signatures, results in input order (uses and fills the verified set). In
   * `workers` mode the ones not verified before go to the workers packed in one buffer, with one
   * promise for the lot rather than a promise, a job object and a closure per tx; `async` mode runs
   * at most `maxInFlight` at a time on libuv's pool.
   */
  async verifyTxs(txs: readonly SignedTx[]): Promise<boolean[]> {
    const out = new Array<boolean>(txs.length);
    if (this.pool === null) {
      await this.verifyEach(txs, out);
      return out;
    }
    // Indices of the txs sent to the workers, and their packed jobs.
    const sent: number[] = [];
    const jobs = this.packBuffer(txs.length);
    for (let i = 0; i < txs.length; i++) {
      const tx = txs[i]!;
      if (this.verified.has(tx)) out[i] = true;
      else if (!this.checkable(tx.body.sender, tx.signature)) out[i] = false;
      else {
        packJob(jobs, sent.length, { publicKey: tx.body.sender, message: tx.hash, signature: tx.signature });
        sent.push(i);
      }
    }
    if (sent.length === 0) return out;
    const ok = await this.pool.verifyPacked(jobs, sent.length);
    for (let k = 0; k < sent.length; k++) {
      const i = sent[k]!;
      out[i] = ok[k] === 1;
      if (out[i]) this.verified.add(txs[i]!);
    }
    return out;
  }

  /**
   * A buffer for `n` packed jobs, kept across calls: the pool copies a call's jobs before
   * `verifyPacked` returns, and a fresh one per one-tx request was an ArrayBuffer with memory of
   * its own (over 64 bytes) per tx.
   */
  private packBuffer(n: number): Uint8Array {
    if (this.packed.length < n * JOB_BYTES) this.packed = new Uint8Array(Math.max(n, 8) * JOB_BYTES);
    return this.packed;
  }

  /** `verifyTxs` without workers: on this thread (`sync`) or libuv's pool (`async`), maxInFlight lanes. */
  private async verifyEach(txs: readonly SignedTx[], out: boolean[]): Promise<void> {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < txs.length) {
        const i = next++;
        out[i] = await this.verifyTx(txs[i]!);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(txs.length, Math.max(1, this.options.maxInFlight)) }, lane),
    );
  }

  /**
   * Sizes right and neither the key nor R a weak point: OpenSSL (the workers' fallback) does not
   * refuse weak keys and R, so they are refused here for both backends
   * (docs/transactions.md#signature-verification).
   */
  private checkable(publicKey: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    return !isWeakPointEncoding(signature.subarray(0, 32)) && !isWeakPointEncoding(publicKey);
  }

  /** Verifies a block's proposer signature over its hash. */
  verifyBlockSignature(block: Block): Promise<boolean> {
    return this.verify({ publicKey: block.header.proposer, message: block.hash, signature: block.signature });
  }

  /**
   * Verifies the proposer signature and every tx signature of a block; resolves to the index of
   * the first bad tx, -1 for a bad block signature, or null if all hold.
   */
  async verifyBlock(block: Block): Promise<number | null> {
    const [sig, txs] = await Promise.all([this.verifyBlockSignature(block), this.verifyTxs(block.txs)]);
    if (!sig) return -1;
    const bad = txs.indexOf(false);
    return bad === -1 ? null : bad;
  }

  /** Verifies one signature in the configured mode; false (never throws) on malformed input. */
  verify(job: SignatureJob): Promise<boolean> {
    if (this.options.mode === 'sync') return Promise.resolve(this.verifyOnThisThread(job));
    if (!this.checkable(job.publicKey, job.signature)) return Promise.resolve(false);
    if (this.pool) return this.pool.verify(job);
    let key: ReturnType<KeyCache['get']>;
    try {
      key = this.keys.get(job.publicKey);
    } catch {
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      nodeVerify(null, job.message, key, job.signature, (err, ok) => resolve(!err && ok));
    });
  }

  /** What each verify worker reported it runs (empty until they started, or without workers). */
  workerBackends(): readonly Ed25519Backend[] {
    return this.pool?.backends ?? [];
  }

  /** Stops worker threads, if any. */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
