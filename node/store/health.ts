/**
 * The disk guard: every write to the node's LevelDB goes through `DiskGuard.write`, which turns a
 * full disk (ENOSPC, EDQUOT, or LevelDB's sticky background error after one) into a pause instead
 * of a fault. While the disk is full, writes wait; a probe checks free space every `probeMs`; once
 * `resumeFreeBytes` are free it closes and reopens the database (which clears LevelDB's background
 * error and recovers its log) and the waiting writes run again. Callers see a write resolve only
 * once it is durable, so the in-memory mirrors (world state, Raft log) never run ahead of disk.
 *
 * Why a failed write is retried whole, and why writes in flight with it are redone too: a batch
 * that failed half way may leave a torn record at the tail of LevelDB's log, and LevelDB keeps
 * appending after it; on the next open, the log reader drops the torn record *and the rest of its
 * 32 KiB block*, so a write that "succeeded" right after the failure would be silently lost
 * (observed). Every batch the store writes is idempotent (puts and deletes of values computed
 * before the write), so writing it again after the reopen is always safe.
 */
import { statfs } from 'node:fs/promises';
import { StoreError, StoreErrorCode } from './errors.js';

/** Options of the disk guard. */
export interface DiskGuardOptions {
  /** How often to sample free space (always) and probe for recovery (while full), in ms. */
  readonly probeMs: number;
  /** Free bytes needed on the data directory's file system before writes resume after a full disk. */
  readonly resumeFreeBytes: number;
}

export const defaultDiskGuardOptions: DiskGuardOptions = {
  probeMs: 5_000,
  resumeFreeBytes: 64 * 1024 * 1024,
};

/** What the guard reports when the disk fills or has room again. */
export interface DiskState {
  readonly full: boolean;
  /** The write error that made the disk full (absent once it has room again). */
  readonly reason?: string;
  /** Free bytes at the last sample, or null when the file system cannot say. */
  readonly freeBytes: number | null;
}

const DISK_FULL = /ENOSPC|EDQUOT|No space left on device|Disk quota exceeded/i;

/** Whether an error (or its cause) says the disk is full. */
export function isDiskFullError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const o = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (o.code === 'ENOSPC' || o.code === 'EDQUOT') return true;
    if (typeof o.message === 'string' && DISK_FULL.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}

/** Free bytes available to this process on the file system holding `dir`, or null. */
export async function freeBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Serialises nothing; pauses every write of one LevelDB while its disk is full. */
export class DiskGuard {
  readonly #opts: DiskGuardOptions;
  #full = false;
  #reason: string | undefined;
  #free: number | null = null;
  // Bumped on every disk-full failure: a write that started in an older epoch is redone.
  #epoch = 0;
  #inFlight = 0;
  #waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #timer: NodeJS.Timeout | null = null;
  #probing = false;
  #closed = false;
  readonly #listeners = new Set<(s: DiskState) => void>();

  constructor(
    /** Closes and opens the database again (and its sublevels, which close with it). */
    private readonly reopen: () => Promise<void>,
    private readonly dir: string,
    opts: Partial<DiskGuardOptions> = {},
  ) {
    this.#opts = { ...defaultDiskGuardOptions, ...opts };
    this.#timer = setInterval(() => void this.#probe(), this.#opts.probeMs);
    this.#timer.unref();
    void this.#sample();
  }

  /** Whether writes are paused because the disk is full. */
  get full(): boolean {
    return this.#full;
  }

  /** The current state, for status and metrics. */
  state(): DiskState {
    return {
      full: this.#full,
      ...(this.#reason === undefined ? {} : { reason: this.#reason }),
      freeBytes: this.#free,
    };
  }

  /** Calls `f` on every change of `full`; returns the unsubscribe function. */
  onChange(f: (s: DiskState) => void): () => void {
    this.#listeners.add(f);
    return () => this.#listeners.delete(f);
  }

  /**
   * Runs one idempotent write; while the disk is full it waits for room, reopens and runs it again.
   * Rejects with the write's own error for anything but a full disk, and with `not_open` once the
   * guard is closed while the write waits.
   */
  async write(f: () => Promise<void>): Promise<void> {
    for (;;) {
      if (this.#full) await this.#room();
      const epoch = this.#epoch;
      this.#inFlight++;
      let failed: unknown;
      try {
        await f();
      } catch (err) {
        failed = err;
      } finally {
        this.#inFlight--;
      }
      if (failed !== undefined) {
        if (!isDiskFullError(failed) || this.#closed) throw failed;
        this.#enterFull(failed);
        continue;
      }
      // It succeeded, but after another write failed: it may sit behind a torn record. Redo it.
      if (epoch !== this.#epoch) continue;
      return;
    }
  }

  /**
   * Runs one write, or refuses it: for stores whose writers are told to come back later (blob
   * uploads) rather than made to wait. While the disk is full, and when `f` fails for lack of
   * space, rejects with StoreError `disk_full` (the probe reopens the database once there is room,
   * and then writes are taken again). A write that succeeded while another failed beside it may
   * sit behind a torn record (see above): it is refused too, and as every write is idempotent, the
   * writer's retry is safe whether or not it survived.
   */
  async tryWrite(f: () => Promise<void>): Promise<void> {
    if (this.#full) throw this.#refusal();
    const epoch = this.#epoch;
    this.#inFlight++;
    try {
      await f();
    } catch (err) {
      if (!isDiskFullError(err) || this.#closed) throw err;
      this.#enterFull(err);
      throw this.#refusal(err);
    } finally {
      this.#inFlight--;
    }
    if (epoch !== this.#epoch) throw this.#refusal();
  }

  #refusal(cause?: unknown): StoreError {
    const reason =
      cause === undefined ? this.#reason : cause instanceof Error ? cause.message : String(cause);
    return new StoreError(StoreErrorCode.DiskFull, 'the disk is full: retry once space returns', {
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Stops the probe and fails every write waiting for room (`not_open`); running writes finish. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws)
      w.reject(new StoreError(StoreErrorCode.NotOpen, 'store closed while the disk was full'));
  }

  #room(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new StoreError(StoreErrorCode.NotOpen, 'store closed while the disk was full'));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  #enterFull(err: unknown): void {
    this.#epoch++;
    if (this.#full) return;
    this.#full = true;
    this.#reason = err instanceof Error ? err.message : String(err);
    this.#emit();
  }

  #emit(): void {
    const s = this.state();
    for (const f of this.#listeners) f(s);
  }

  async #sample(): Promise<number | null> {
    this.#free = await freeBytes(this.dir);
    return this.#free;
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#closed) return;
    this.#probing = true;
    try {
      const free = await this.#sample();
      if (!this.#full || this.#inFlight > 0) return;
      if (free !== null && free < this.#opts.resumeFreeBytes) return;
      // Reopening clears LevelDB's sticky background error and recovers its log up to any torn
      // record at its tail; nothing is written meanwhile (every write waits on #room).
      try {
        await this.reopen();
      } catch (err) {
        if (!isDiskFullError(err)) throw err;
        this.#epoch++;
        return;
      }
      if (this.#closed) return;
      this.#full = false;
      this.#reason = undefined;
      this.#emit();
      const ws = this.#waiters;
      this.#waiters = [];
      for (const w of ws) w.resolve();
    } catch (err) {
      // A reopen that failed for another reason: the waiting writes fail, and the node with them.
      this.#closed = true;
      const ws = this.#waiters;
      this.#waiters = [];
      const e = err instanceof Error ? err : new Error(String(err));
      for (const w of ws) w.reject(e);
    } finally {
      this.#probing = false;
    }
  }
}
