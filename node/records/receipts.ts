/**
 * Read receipts: every read a node serves goes on chain in a `recordReads` transaction signed by
 * the node's key (role `node` of its hospital, registered at genesis), batched: a batch goes out
 * when it holds `maxBatch` reads (the contract takes 1..64) or `intervalMs` after its first read.
 * A batch that the node cannot submit is kept and retried with the next one (bounded). A batch
 * whose transaction is applied but reverted with `future_read` (the leader's clock behind ours) or
 * a nonce error (not executed) is queued again. With a journal (read-journal.ts), a read is durable
 * before its blob is served and leaves the journal only once recorded, so a crash loses none.
 * A submitted batch with no receipt that has left the local mempool (evicted, or refused by a
 * peer's) is sent again while running (`resubmitMs`, doubling per attempt up to 60 s): the same
 * signed bytes while its nonce is free, so it can never land twice; with a fresh nonce once
 * another tx took that nonce.
 *
 * The batching is generic ({@link BatchRecorder}): consult receipts (consult-receipts.ts) go the
 * same way in `recordConsults` transactions, through a {@link SubmitLane} shared with the reads so
 * that both recorders' transactions, signed by the same key, take consecutive nonces.
 */

import { toHex } from '../../protocol/chain/encoding.js';
import type { Signer } from '../../protocol/chain/keys.js';
import { encodeSignedTx, signTx } from '../../protocol/chain/tx.js';
import { type Call, recordReadsCall, type ServedRead } from '../../protocol/records/consent-calls.js';
import type { Logger } from '../log.js';
import type { Journaled } from './read-journal.js';

/** Options of the read recorder. */
export interface ReadRecorderOptions {
  readonly intervalMs: number;
  /** 1..64. */
  readonly maxBatch: number;
  /** Reads kept while submission fails; older ones are dropped (and counted). */
  readonly maxPending: number;
  /** A batch without a receipt and gone from the local mempool is resubmitted after this many ms. */
  readonly resubmitMs: number;
}

export const defaultReadRecorderOptions: ReadRecorderOptions = {
  intervalMs: 1000,
  maxBatch: 64,
  maxPending: 10_000,
  resubmitMs: 5000,
};

/** What the recorder needs from the node. */
export interface ReadRecorderDeps {
  readonly chainId: string;
  readonly signer: Signer;
  /** The sender's next nonce as committed state and the mempool see it. */
  nextNonce(): number;
  /** Admits signed tx bytes locally (gossiped from there). */
  submit(bytes: Uint8Array): Promise<unknown>;
  /** Shared with the other recorders signing with the same key; a lane of its own if absent. */
  readonly lane?: SubmitLane;
  /** Whether a tx is in the local mempool; without it, batches are resubmitted only at start. */
  isPending?(txHash: Uint8Array): boolean;
}

/** A submitted batch awaiting its receipt. */
interface Inflight<T> {
  readonly batch: Journaled<T>[];
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  /** When to check it next (ms), and how many times it was resubmitted. */
  due: number;
  attempts: number;
}

/** The nonce and flush order of every recorder signing with one key. */
export interface SubmitLane {
  /** The next nonce to use, or 0 to ask `nextNonce()` again. */
  nonce: number;
  /** The flushes of all recorders, one after the other. */
  queue: Promise<void>;
}

/** A fresh lane. */
export const createSubmitLane = (): SubmitLane => ({ nonce: 0, queue: Promise.resolve() });

/** Where a recorder's entries are made durable (read-journal.ts). */
export interface EntryJournalLike<T> {
  load(): Promise<Journaled<T>[]>;
  append(entry: T): Promise<Journaled<T>>;
  remove(entries: readonly Journaled<T>[]): Promise<void>;
}

/** What one kind of recorder sends: its contract call, and the revert that means "too early". */
export interface BatchKind<T> {
  /** For logs: `reads`, `consults`. */
  readonly noun: string;
  call(batch: readonly T[]): Call;
  /** The contract's error for an entry timed after the block time: re-queued, not dropped. */
  readonly futureError: string;
}

/** Batches entries into transactions of one contract method (reads, consults). */
export class BatchRecorder<T> {
  readonly #pending: Journaled<T>[] = [];
  #journal: EntryJournalLike<T> | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #lane: SubmitLane;
  /** Submitted batches by tx hash (hex), until their receipt is seen. */
  readonly #inflight = new Map<string, Inflight<T>>();
  #sweeper: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Entries submitted on chain / dropped / recorded by a committed tx / re-queued after a revert / resubmitted. */
  submitted = 0;
  resubmitted = 0;
  dropped = 0;
  recorded = 0;
  requeued = 0;

  constructor(
    readonly options: ReadRecorderOptions,
    private readonly deps: ReadRecorderDeps,
    private readonly log: Logger,
    private readonly kind: BatchKind<T>,
  ) {
    this.#lane = deps.lane ?? createSubmitLane();
  }

  /**
   * Takes the journal of reads a previous run served but did not see recorded, and queues them
   * again. From then on every read is journaled before `add` resolves.
   */
  async restore(journal: EntryJournalLike<T>): Promise<number> {
    this.#journal = journal;
    const left = await journal.load();
    this.#pending.unshift(...left);
    if (left.length > 0) {
      this.log.info({ [this.kind.noun]: left.length }, 'resubmitting entries not yet recorded on chain');
      void this.flush();
    }
    return left.length;
  }

  /** Queues an entry; with a journal, resolves once it is durable (serve or answer only after that). */
  async add(entry: T): Promise<void> {
    const j = this.#journal === null ? { ...entry, seq: 0 } : await this.#journal.append(entry);
    this.#pending.push(j);
    if (this.#pending.length > this.options.maxPending) {
      // Without a journal the read is lost; with one it stays journaled and is resubmitted on start.
      this.#pending.shift();
      this.dropped++;
    }
    if (this.#pending.length >= this.options.maxBatch) void this.flush();
    else if (this.#timer === null) this.#timer = setTimeout(() => void this.flush(), this.options.intervalMs);
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** Submits everything pending now (in batches of maxBatch). */
  flush(): Promise<void> {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const done = this.#lane.queue.then(() => this.#flushNow());
    this.#lane.queue = done.catch(() => undefined);
    return done;
  }

  async #flushNow(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.slice(0, this.options.maxBatch);
      const nonce = Math.max(this.#lane.nonce, this.deps.nextNonce());
      const c = this.kind.call(batch);
      const tx = signTx(
        {
          chainId: this.deps.chainId,
          sender: this.deps.signer.publicKey,
          nonce,
          gasLimit: 10_000_000,
          contract: 'consent',
          method: c.method,
          args: c.args,
        },
        this.deps.signer,
      );
      try {
        await this.deps.submit(encodeSignedTx(tx));
      } catch (err) {
        this.log.warn({ err, [this.kind.noun]: batch.length }, `${c.method} not admitted; will retry`);
        this.#lane.nonce = 0;
        if (this.#timer === null) this.#timer = setTimeout(() => void this.flush(), this.options.intervalMs);
        return;
      }
      this.#lane.nonce = nonce + 1;
      this.#pending.splice(0, batch.length);
      const due = Date.now() + this.options.resubmitMs;
      this.#inflight.set(toHex(tx.hash), { batch, bytes: tx.bytes, hash: tx.hash, due, attempts: 0 });
      this.#armSweeper();
      // A tx dropped before inclusion never gets a receipt: forget the oldest beyond a bound.
      if (this.#inflight.size > 1000) this.#inflight.delete(this.#inflight.keys().next().value!);
      this.submitted += batch.length;
    }
  }

  /** The receipt of one of our transactions of this kind (applied, ok or reverted). */
  onReceipt(txHash: Uint8Array, status: 'ok' | 'reverted', error: string | undefined): void {
    const k = toHex(txHash);
    const batch = this.#inflight.get(k)?.batch;
    if (batch === undefined) return;
    this.#inflight.delete(k);
    if (status === 'ok') {
      this.recorded += batch.length;
      this.#forget(batch);
      return;
    }
    // Not executed (a nonce clash, e.g. after a restart with a batch still in flight) or judged
    // too early: the reads are not on chain yet, send them again with a fresh nonce.
    const future = error === this.kind.futureError;
    if (future || error === 'nonce_too_low' || error === 'nonce_too_high') {
      if (!future) this.#lane.nonce = 0;
      this.#pending.unshift(...batch);
      this.requeued += batch.length;
      if (this.#timer === null) this.#timer = setTimeout(() => void this.flush(), this.options.intervalMs);
      return;
    }
    this.dropped += batch.length;
    this.#forget(batch);
    this.log.error({ error, [this.kind.noun]: batch.length }, `${this.kind.noun} reverted: not recorded`);
  }

  #armSweeper(): void {
    if (
      this.#stopped ||
      this.#sweeper !== null ||
      this.deps.isPending === undefined ||
      this.#inflight.size === 0
    )
      return;
    this.#sweeper = setTimeout(() => {
      this.#sweeper = null;
      void this.resubmitDropped().finally(() => this.#armSweeper());
    }, this.options.resubmitMs);
    this.#sweeper.unref();
  }

  /** Resubmits the batches due that have no receipt and are no longer in the local mempool. */
  resubmitDropped(now = Date.now()): Promise<number> {
    // Serialised with every flush on the lane: both take from and put back into queues across awaits.
    const p = this.#lane.queue.then(() => this.#resubmitNow(now));
    this.#lane.queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  }

  async #resubmitNow(now: number): Promise<number> {
    let n = 0;
    let requeued = false;
    for (const [k, f] of [...this.#inflight]) {
      if (f.due > now || this.deps.isPending?.(f.hash) !== false) continue;
      f.attempts++;
      f.due = now + Math.min(60_000, this.options.resubmitMs * 2 ** f.attempts);
      try {
        await this.deps.submit(f.bytes);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // The nonce went to another tx: these entries are not on chain; sign them again.
        if (code === 'nonce_stale' || code === 'nonce_duplicate') {
          this.#inflight.delete(k);
          this.#lane.nonce = 0;
          this.#pending.unshift(...f.batch);
          requeued = true;
        } else if (code !== 'duplicate') {
          this.log.warn({ err, [this.kind.noun]: f.batch.length }, 'resubmission refused; will retry');
          continue;
        }
      }
      this.resubmitted += f.batch.length;
      n++;
    }
    if (requeued) await this.#flushNow();
    if (n > 0) this.log.info({ batches: n, kind: this.kind.noun }, 'dropped from the mempool: resubmitted');
    return n;
  }

  #forget(batch: readonly Journaled<T>[]): void {
    this.#journal
      ?.remove(batch)
      .catch((err: unknown) => this.log.warn({ err }, `${this.kind.noun} journal cleanup failed`));
  }

  /** Entries not yet recorded on chain: queued, or submitted without a receipt. */
  get unrecorded(): number {
    let n = this.#pending.length;
    for (const f of this.#inflight.values()) n += f.batch.length;
    return n;
  }

  /** Nothing pending and nothing submitted without a receipt yet. */
  get idle(): boolean {
    return this.#pending.length === 0 && this.#inflight.size === 0;
  }

  /**
   * Tries a last flush, then waits up to `settleMs` for the batches in flight to be committed (the
   * node still applies blocks while its services stop), and stops the timer.
   */
  async stop(settleMs = 0): Promise<void> {
    await this.flush().catch(() => undefined);
    const deadline = Date.now() + settleMs;
    while (!this.idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#sweeper !== null) clearTimeout(this.#sweeper);
    this.#stopped = true;
    this.#timer = null;
    this.#sweeper = null;
  }
}

/** Batches served reads into `recordReads` transactions. */
export class ReadRecorder extends BatchRecorder<ServedRead> {
  constructor(options: ReadRecorderOptions, deps: ReadRecorderDeps, log: Logger) {
    super(options, deps, log, { noun: 'reads', call: recordReadsCall, futureError: 'future_read' });
  }
}
