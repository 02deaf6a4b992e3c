/**
 * The state snapshot format, what a lagging or new node receives to catch up (as the data of a Raft
 * snapshot). Layout (all integers big-endian; see docs/state.md):
 *   magic "EHRSNAP" (7 bytes) | version u8 = 1
 *   height u64 | appliedIndex u64 | root [32] | lastBlockHash [32] | genesis: u32 len + bytes
 *   count u64 | count x (key: u32 len + bytes, value: u32 len + bytes), keys strictly ascending
 * Nonces are state entries (reserved key space), so they travel with the rest. Blocks are not
 * included: a restored node serves blocks only above the snapshot height.
 */

import { bytesEqual, compareBytes } from '../state/keys.js';
import { LtHash } from '../state/lthash.js';
import { Reader, Writer } from './codec.js';
import { StoreError, StoreErrorCode } from './errors.js';

/** "EHRSNAP" */
const SNAPSHOT_MAGIC = new Uint8Array([0x45, 0x48, 0x52, 0x53, 0x4e, 0x41, 0x50]);
const SNAPSHOT_VERSION = 1;

/** What a state snapshot says about itself. */
export interface StateSnapshotMeta {
  /** Height of the last block applied in this state. */
  readonly height: number;
  /** Raft index of the last entry applied in this state. */
  readonly appliedIndex: number;
  /** State root of `entries`. */
  readonly root: Uint8Array;
  /** Hash of block `height` (the next block's parent). */
  readonly lastBlockHash: Uint8Array;
  /** Genesis hash of the chain (empty if none was recorded). */
  readonly genesis: Uint8Array;
}

/** A snapshot's content. */
export interface StateSnapshot extends StateSnapshotMeta {
  readonly entries: readonly (readonly [Uint8Array, Uint8Array])[];
}

/** A decoded and verified snapshot, with the accumulator its entries hash to. */
export interface VerifiedStateSnapshot extends StateSnapshot {
  readonly hash: LtHash;
}

/** Encodes a snapshot; `entries` must be sorted by key (WorldState.sortedEntries). */
export function encodeStateSnapshot(s: StateSnapshot): Uint8Array {
  const w = new Writer().raw(SNAPSHOT_MAGIC).u8(SNAPSHOT_VERSION);
  w.u64(s.height).u64(s.appliedIndex).raw(s.root).raw(s.lastBlockHash).bytes(s.genesis);
  w.u64(s.entries.length);
  for (const [k, v] of s.entries) w.bytes(k).bytes(v);
  return w.finish();
}

function malformed(msg: string): StoreError {
  return new StoreError(StoreErrorCode.SnapshotMalformed, msg);
}

/**
 * Decodes a snapshot and verifies that its entries hash to its stated root (and, if given, that the
 * root is `expectedRoot`). Throws StoreError `snapshot_malformed` or `snapshot_root_mismatch`.
 */
export function decodeStateSnapshot(bytes: Uint8Array, expectedRoot?: Uint8Array): VerifiedStateSnapshot {
  let s: StateSnapshot;
  try {
    const r = new Reader(bytes);
    if (!bytesEqual(r.raw(SNAPSHOT_MAGIC.length), SNAPSHOT_MAGIC)) throw malformed('bad magic');
    const version = r.u8();
    if (version !== SNAPSHOT_VERSION) throw malformed(`unknown version ${version}`);
    const height = r.u64();
    const appliedIndex = r.u64();
    const root = r.raw(32);
    const lastBlockHash = r.raw(32);
    const genesis = r.bytes();
    const count = r.u64();
    const entries: [Uint8Array, Uint8Array][] = [];
    let prev: Uint8Array | undefined;
    for (let i = 0; i < count; i++) {
      const k = r.bytes();
      const v = r.bytes();
      if (prev !== undefined && compareBytes(prev, k) >= 0) throw malformed('keys not strictly ascending');
      entries.push([k, v]);
      prev = k;
    }
    r.end();
    s = { height, appliedIndex, root, lastBlockHash, genesis, entries };
  } catch (e) {
    if (e instanceof StoreError && e.code === StoreErrorCode.SnapshotMalformed) throw e;
    throw malformed(e instanceof Error ? e.message : String(e));
  }
  const hash = new LtHash();
  for (const [k, v] of s.entries) hash.add(k, v);
  if (!bytesEqual(hash.root(), s.root)) {
    throw new StoreError(StoreErrorCode.SnapshotRootMismatch, 'entries do not hash to the stated root');
  }
  if (expectedRoot !== undefined && !bytesEqual(s.root, expectedRoot)) {
    throw new StoreError(StoreErrorCode.SnapshotRootMismatch, 'stated root is not the expected root');
  }
  return { ...s, hash };
}
