/**
 * The node's blob store: a LevelDB of its own in `<dataDir>/blobs`, keyed by CID bytes.
 * Sublevels: `data` (cid -> bytes), `meta` (cid -> uploader | size u64 | stored-at u64),
 * `usage` (uploader key -> bytes stored, u64), `gone` (cid -> erased-at u64: erased blobs are
 * never stored again), `reads` (the journal of served reads not yet recorded on chain). Every change is one atomic batch. Bytes are checked against the CID before
 * they are stored; a size limit per blob and a quota per uploader bound what one actor can fill.
 *
 * A full disk: every write goes through a DiskGuard in refusing mode (store/health.ts), so a write
 * that fails for lack of space, and every write after it until the guard's probe finds room again
 * and reopens the database, is refused with StoreError `disk_full` (uploads answer 503). Each write
 * is one atomic batch, so a refused upload leaves nothing behind.
 */
import { Level } from 'level';
import { CID } from 'multiformats/cid';
import { ByteReader, concatBytes, u64 } from '../../protocol/records/bytes.js';
import { checkCid } from '../../protocol/records/cid.js';
import { RecordError } from '../../protocol/records/errors.js';
import { DiskGuard, type DiskGuardOptions, type DiskState } from '../store/health.js';
import { ConsultJournal } from './consult-receipts.js';
import { type JournalLevel, ReadJournal } from './read-journal.js';

/** Limits of the blob store. */
export interface BlobStoreOptions {
  /** Largest blob in bytes. */
  readonly maxBlobBytes: number;
  /** Bytes one uploader may have stored (replicas count on every node that holds one). */
  readonly quotaBytes: number;
}

/** Defaults: 4 MiB per blob, 256 MiB per uploader. */
export const defaultBlobStoreOptions: BlobStoreOptions = {
  maxBlobBytes: 4 * 1024 * 1024,
  quotaBytes: 256 * 1024 * 1024,
};

const bytesEnc = {
  name: 'ehrchain-blob-bytes',
  format: 'view',
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
} as const;

function makeSub(level: Level<Uint8Array, Uint8Array>, name: string) {
  return level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: bytesEnc, valueEncoding: bytesEnc });
}
type Sub = ReturnType<typeof makeSub>;

/** What the store knows about a blob besides its bytes. */
export interface BlobMeta {
  readonly uploader: Uint8Array;
  readonly size: number;
  readonly storedAt: number;
}

/** A content-addressed blob store with per-uploader quotas and tombstones. */
export class BlobStore {
  readonly #level: Level<Uint8Array, Uint8Array>;
  readonly #data: Sub;
  readonly #meta: Sub;
  readonly #usage: Sub;
  readonly #gone: Sub;
  /** Served reads not yet recorded on chain (see read-journal.ts). */
  readonly reads: ReadJournal;
  /** Answered consults not yet recorded on chain (see consult-receipts.ts). */
  readonly consults: ConsultJournal;
  readonly #guard: DiskGuard;
  // Serialises read-modify-write of usage counters.
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    level: Level<Uint8Array, Uint8Array>,
    readonly options: BlobStoreOptions,
    dir: string,
    disk: Partial<DiskGuardOptions>,
  ) {
    this.#level = level;
    const subs: Sub[] = [];
    const sub = (name: string) => {
      const s = makeSub(level, name);
      subs.push(s);
      return s;
    };
    this.#data = sub('data');
    this.#meta = sub('meta');
    this.#usage = sub('usage');
    this.#gone = sub('gone');
    // Sublevels close with their parent and do not reopen with it.
    const reopen = async () => {
      await level.close();
      await level.open();
      for (const s of subs) await s.open();
    };
    this.#guard = new DiskGuard(reopen, dir, disk);
    this.reads = new ReadJournal(this.#guarded(sub('reads')));
    this.consults = new ConsultJournal(this.#guarded(sub('consults')));
  }

  /** Opens (creating) the store in `dir`; `disk`: how the full-disk probe samples (store/health.ts). */
  static async open(
    dir: string,
    options: BlobStoreOptions = defaultBlobStoreOptions,
    disk: Partial<DiskGuardOptions> = {},
  ): Promise<BlobStore> {
    const level = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: bytesEnc, valueEncoding: bytesEnc });
    await level.open();
    return new BlobStore(level, options, dir, disk);
  }

  async close(): Promise<void> {
    this.#guard.close();
    await this.#queue.catch(() => undefined);
    await this.#level.close();
  }

  /** Whether writes are refused for lack of space, and the free bytes last sampled. */
  diskState(): DiskState {
    return this.#guard.state();
  }

  /** Calls `f` when the disk fills or has room again; returns the unsubscribe function. */
  onDiskState(f: (s: DiskState) => void): () => void {
    return this.#guard.onChange(f);
  }

  /** A journal sublevel whose writes go through the guard. */
  #guarded(s: Sub): JournalLevel {
    return {
      put: (key, value) => this.#guard.tryWrite(() => s.put(key, value)),
      batch: (ops) => this.#guard.tryWrite(() => s.batch(ops)),
      iterator: () => s.iterator(),
    };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  /** Bytes stored for `uploader`. */
  async usage(uploader: Uint8Array): Promise<number> {
    const v = await this.#usage.get(uploader);
    return v === undefined ? 0 : new ByteReader(v, 'usage').u64('usage');
  }

  /**
   * Stores `bytes` under `cid` for `uploader`. Idempotent (a blob already held is not charged
   * twice). Throws RecordError too_large, hash_mismatch, quota_exceeded, erased.
   */
  put(cid: CID, bytes: Uint8Array, uploader: Uint8Array, now: number): Promise<boolean> {
    if (bytes.length > this.options.maxBlobBytes)
      return Promise.reject(new RecordError('too_large', `blob over ${this.options.maxBlobBytes} bytes`));
    try {
      checkCid(cid, bytes);
    } catch (err) {
      return Promise.reject(err);
    }
    const key = cid.bytes;
    return this.#serial(async () => {
      if ((await this.#gone.get(key)) !== undefined) throw new RecordError('erased', 'this blob was erased');
      if ((await this.#meta.get(key)) !== undefined) return false;
      const used = await this.usage(uploader);
      if (used + bytes.length > this.options.quotaBytes)
        throw new RecordError('quota_exceeded', `uploader quota of ${this.options.quotaBytes} bytes reached`);
      await this.#guard.tryWrite(() =>
        this.#level
          .batch()
          .put(key, bytes, { sublevel: this.#data })
          .put(key, concatBytes(uploader, u64(bytes.length), u64(now)), { sublevel: this.#meta })
          .put(uploader, u64(used + bytes.length), { sublevel: this.#usage })
          .write(),
      );
      return true;
    });
  }

  /** The bytes of a blob, or undefined. */
  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.#data.get(cid.bytes);
  }

  async has(cid: CID): Promise<boolean> {
    return (await this.#meta.get(cid.bytes)) !== undefined;
  }

  async meta(cid: CID): Promise<BlobMeta | undefined> {
    const v = await this.#meta.get(cid.bytes);
    if (v === undefined) return undefined;
    const r = new ByteReader(v, 'blob meta');
    return { uploader: r.fixed(32, 'uploader'), size: r.u64('size'), storedAt: r.u64('at') };
  }

  /** The CIDs of every blob held, in key order. */
  async *cids(): AsyncGenerator<CID> {
    for await (const key of this.#meta.keys()) yield CID.decode(key);
  }

  async isErased(cid: CID): Promise<boolean> {
    return (await this.#gone.get(cid.bytes)) !== undefined;
  }

  /** Deletes a blob for good (erasure): bytes gone, quota given back, tombstone kept. */
  erase(cid: CID, now: number): Promise<boolean> {
    const key = cid.bytes;
    return this.#serial(async () => {
      const m = await this.meta(cid);
      const b = this.#level.batch().put(key, u64(now), { sublevel: this.#gone });
      if (m !== undefined) {
        const used = await this.usage(m.uploader);
        b.del(key, { sublevel: this.#data })
          .del(key, { sublevel: this.#meta })
          .put(m.uploader, u64(Math.max(0, used - m.size)), { sublevel: this.#usage });
      }
      await this.#guard.tryWrite(() => b.write());
      return m !== undefined;
    });
  }

  /** Test hook: overwrites a blob's bytes without any check (simulates disk corruption). */
  async corruptForTest(cid: CID, bytes: Uint8Array): Promise<void> {
    await this.#guard.tryWrite(() => this.#data.put(cid.bytes, bytes));
  }
}
