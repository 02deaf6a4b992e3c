/**
 * The node's one LevelDB and its sublevels. All keys and values are bytes ('view' encoding); every
 * multi-key change goes through one `Batch` (one LevelDB write batch) spanning sublevels, which
 * LevelDB writes atomically.
 *
 *   raft      0x01 || u64be(index) -> entry        0x02 -> hard state      0x03 -> bootstrap conf
 *             0x04 -> snapshot meta                0x05 -> snapshot data
 *   blocks    0x01 || u64be(height) -> block       0x02 || hash -> u64be(height)
 *             0x03 || u64be(height) -> state root after that height
 *   txs       tx hash -> u64be(height) || u32be(index)
 *   receipts  u64be(height) -> all receipts of the block
 *   state     state key -> value
 *   meta      utf8 name -> value (see MetaKey)
 */
import { Level } from 'level';
import { Writer } from './codec.js';
import { DiskGuard, type DiskGuardOptions } from './health.js';
import { openError } from './integrity.js';

/** The open database and its sublevels. */
export interface Db {
  readonly level: Level<Uint8Array, Uint8Array>;
  readonly raft: BytesSublevel;
  readonly blocks: BytesSublevel;
  readonly txs: BytesSublevel;
  readonly receipts: BytesSublevel;
  readonly state: BytesSublevel;
  readonly meta: BytesSublevel;
  /** Every write goes through it: a full disk pauses writes instead of failing them (health.ts). */
  readonly guard: DiskGuard;
}

/** A sublevel with byte keys and values. */
export type BytesSublevel = ReturnType<typeof makeSub>;

/**
 * Byte encoding that hands out plain Uint8Arrays. classic-level returns Buffers, whose `slice()`
 * is a view rather than a copy and which compare unequal to Uint8Arrays in tests.
 */
const bytes = {
  name: 'ehrchain-bytes',
  format: 'view',
  encode: (b: Uint8Array): Uint8Array => b,
  decode: (b: Uint8Array): Uint8Array =>
    Object.getPrototypeOf(b) === Uint8Array.prototype
      ? b
      : new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
} as const;

function makeSub(level: Level<Uint8Array, Uint8Array>, name: string) {
  return level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: bytes, valueEncoding: bytes });
}

/** Opens (creating if missing) the LevelDB at `dir`; a damaged one is StoreError `store_corrupt`. */
export async function openDb(dir: string, disk: Partial<DiskGuardOptions> = {}): Promise<Db> {
  const level = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: bytes, valueEncoding: bytes });
  try {
    await level.open();
  } catch (err) {
    throw openError(dir, err);
  }
  const subs = {
    raft: makeSub(level, 'raft'),
    blocks: makeSub(level, 'blocks'),
    txs: makeSub(level, 'txs'),
    receipts: makeSub(level, 'receipts'),
    state: makeSub(level, 'state'),
    meta: makeSub(level, 'meta'),
  };
  // Sublevels close with their parent and do not reopen with it.
  const reopen = async () => {
    await level.close();
    await level.open();
    for (const s of Object.values(subs)) await s.open();
  };
  return { level, ...subs, guard: new DiskGuard(reopen, dir, disk) };
}

/** Key prefixes inside the `raft` sublevel. */
export const RaftKey = {
  Entry: 0x01,
  HardState: 0x02,
  BootConf: 0x03,
  SnapMeta: 0x04,
  SnapData: 0x05,
} as const;

/** Key prefixes inside the `blocks` sublevel. */
export const BlockKey = { ByHeight: 0x01, ByHash: 0x02, Root: 0x03 } as const;

/** Names of the values in `meta`. */
export const MetaKey = {
  /** u64: height of the last applied block (0 = genesis state only). */
  Height: 'height',
  /** u64: Raft index of the last applied entry. */
  Applied: 'applied',
  /** 32 bytes: state root after `height`. */
  Root: 'root',
  /** 2048 bytes: the LtHash accumulator whose sha256 is `root` (lets open skip recomputing it). */
  LtHash: 'lthash',
  /** 32 bytes: hash of block `height` (zeros at genesis). */
  LastHash: 'lastHash',
  /** bytes: genesis hash, set once. */
  Genesis: 'genesis',
  /** u64: lowest height from which every block up to `height` is stored (snapshot height + 1 after a restore). */
  Base: 'base',
  /** conf state as of the applied index, when the node recorded one. */
  Conf: 'conf',
} as const;

const utf8 = new TextEncoder();
const metaKeys = new Map<string, Uint8Array>();

/** The byte key of a meta name. */
export function metaKey(name: (typeof MetaKey)[keyof typeof MetaKey]): Uint8Array {
  let k = metaKeys.get(name);
  if (k === undefined) {
    k = utf8.encode(name);
    metaKeys.set(name, k);
  }
  return k;
}

/** A one-byte tag followed by a u64be number. */
export function taggedU64(tag: number, n: number): Uint8Array {
  return new Writer().u8(tag).u64(n).finish();
}

/** A one-byte tag followed by raw bytes. */
export function taggedBytes(tag: number, b: Uint8Array): Uint8Array {
  return new Writer().u8(tag).raw(b).finish();
}

/**
 * One operation as abstract-level's implementer API (`_batch`) takes it: the key already carries
 * its sublevel's prefix, encodings are per op.
 */
type RawOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array; keyEncoding: 'view'; valueEncoding: 'view' }
  | { type: 'del'; key: Uint8Array; keyEncoding: 'view' };

/** classic-level's native chained batch, through its implementer methods (no validation, no copies in JS). */
interface RawChainedBatch {
  _put(key: Uint8Array, value: Uint8Array, options: object): void;
  _del(key: Uint8Array, options: object): void;
  _write(options: { sync: boolean }): Promise<void>;
}

/** The implementer API of classic-level that `Batch` uses (abstract-level's documented private API). */
interface RawBatchLevel {
  readonly status: string;
  _chainedBatch(): RawChainedBatch;
  /** The chained batch's constructor attached it to the database; a public write would detach it. */
  detachResource(resource: RawChainedBatch): void;
}

const EMPTY = new Uint8Array(0);
const NO_OPTIONS = {};
const prefixes = new WeakMap<BytesSublevel, Uint8Array>();

/** The bytes a sublevel puts before its keys in the root database (`!name!`). */
function prefixOf(sub: BytesSublevel): Uint8Array {
  let p = prefixes.get(sub);
  if (p === undefined) {
    p = sub.prefixKey(EMPTY, 'view', false).slice();
    prefixes.set(sub, p);
  }
  return p;
}

// V8 keeps a typed array of at most 64 bytes inside the JS heap; the first native call that asks
// for its memory (classic-level's `_put` reads keys and values through napi_get_typedarray_info)
// moves it out, allocating a backing store and an ArrayBuffer for it. A block's keys and small
// values are mostly that size (state keys, tx hashes, nonces, tx index values), so `Batch` copies
// them into a few large off-heap chunks and hands LevelDB views of those (measured: 2,400 `_put`s
// of 40-byte keys and 12-byte values, 0.86-0.91 -> 0.34-0.39 µs of CPU each).
const ON_HEAP_MAX = 64;
const FIRST_CHUNK = 1024;

/**
 * An atomic multi-sublevel batch. Each key gets its sublevel's prefix here (`!txs!` ‖ key: the
 * same bytes abstract-level writes, so the layout and every sublevel read are unchanged) and the
 * operations go into one native classic-level batch through its implementer methods (`_put`,
 * `_del`, `_write`), written at once. Why not `db.batch(ops)` with a `sublevel` per op:
 * abstract-level then clones, validates, re-encodes and prefixes every op in JavaScript, measured
 * at ~4x the CPU per key of `_batch` (17-18 vs 3-4 µs, 1,500-key batches), most of a block's write
 * cost; its public chained batch does the same per op (62k vs 470k keys/s). `_batch` itself reads
 * each op object through N-API property lookups; the native chained batch takes key and value as
 * arguments, about half that again. No hooks or write events are used on this database, which is
 * all `db.batch` would add. Keys, and values of at most 64 bytes, are copied when they are added
 * (into the batch's chunks, above): the caller may reuse its buffers afterwards.
 */
export class Batch {
  /** Prefixed keys, and their values (null: delete), in order. */
  private readonly keys: Uint8Array[] = [];
  private readonly values: (Uint8Array | null)[] = [];
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;

  constructor(private readonly db: Db) {}

  put(key: Uint8Array, value: Uint8Array, opts: { sublevel: BytesSublevel }): void {
    this.keys.push(this.#prefixed(prefixOf(opts.sublevel), key));
    this.values.push(value.length > ON_HEAP_MAX ? value : this.#copy(value));
  }

  del(key: Uint8Array, opts: { sublevel: BytesSublevel }): void {
    this.keys.push(this.#prefixed(prefixOf(opts.sublevel), key));
    this.values.push(null);
  }

  /** `n` bytes of the current chunk; a new chunk (twice the last, at least `n`) when it is full. */
  #reserve(n: number): Uint8Array {
    if (this.at + n > this.chunk.length) {
      // Views of the old chunk keep it alive until the batch is written.
      this.chunk = new Uint8Array(Math.max(FIRST_CHUNK, 2 * this.chunk.length, n));
      this.at = 0;
    }
    const out = this.chunk.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  #prefixed(prefix: Uint8Array, key: Uint8Array): Uint8Array {
    const out = this.#reserve(prefix.length + key.length);
    out.set(prefix, 0);
    out.set(key, prefix.length);
    return out;
  }

  #copy(value: Uint8Array): Uint8Array {
    const out = this.#reserve(value.length);
    out.set(value, 0);
    return out;
  }

  /** Number of operations so far. */
  get length(): number {
    return this.keys.length;
  }

  /** Writes every operation atomically (`sync` = fsync before resolving). */
  async write(opts: { sync: boolean }): Promise<void> {
    if (this.keys.length === 0) return;
    await this.db.guard.write(async () => {
      const level = this.db.level as unknown as RawBatchLevel;
      // Not open (closing, closed): the public path, for its usual LEVEL_DATABASE_NOT_OPEN error.
      if (level.status !== 'open') return this.db.level.batch(this.#ops(), { sync: opts.sync });
      // One native call per operation with the key and value as arguments: classic-level's
      // `_batch` instead reads type, key and value off each op object through N-API property
      // lookups, about twice the main-thread CPU per key (2,400-key batches: ~4 vs ~2 µs).
      const b = level._chainedBatch();
      try {
        for (let i = 0; i < this.keys.length; i++) {
          const v = this.values[i];
          if (v === null || v === undefined) b._del(this.keys[i]!, NO_OPTIONS);
          else b._put(this.keys[i]!, v, NO_OPTIONS);
        }
        await b._write({ sync: opts.sync });
      } finally {
        level.detachResource(b);
      }
    });
  }

  #ops(): RawOp[] {
    return this.keys.map((key, i): RawOp => {
      const value = this.values[i];
      return value === null || value === undefined
        ? { type: 'del', key, keyEncoding: 'view' }
        : { type: 'put', key, value, keyEncoding: 'view', valueEncoding: 'view' };
    });
  }
}

/** All entries of a sublevel in key order (optionally within a range), read 1000 at a time. */
export async function readRange(
  sub: BytesSublevel,
  range: { gte?: Uint8Array; lt?: Uint8Array; limit?: number } = {},
): Promise<[Uint8Array, Uint8Array][]> {
  const out: [Uint8Array, Uint8Array][] = [];
  const it = sub.iterator(range);
  try {
    for (;;) {
      const chunk = await it.nextv(1000);
      if (chunk.length === 0) break;
      for (const kv of chunk) out.push(kv);
    }
  } finally {
    await it.close();
  }
  return out;
}
