/**
 * When to snapshot the state and how far to compact the Raft log. The log lives in memory until
 * compacted (the Raft core reads it synchronously), so both are bounded in entries and in bytes:
 * a node's memory must not grow with block size times `snapshotEvery`. Pure: no I/O.
 */
import { entrySize } from '../../consensus/storage.js';
import type { Storage } from '../../consensus/types.js';
import type { RaftNodeOptions } from './options.js';

type Limits = Pick<RaftNodeOptions, 'snapshotEvery' | 'snapshotBytes' | 'keepEntries' | 'keepBytes'>;

/** Bytes of the entries in [lo, hi] still held in storage (compacted ones count 0). */
export function logBytes(storage: Storage, lo: number, hi: number): number {
  const from = Math.max(lo, storage.firstIndex());
  if (hi < from) return 0;
  let n = 0;
  for (const e of storage.entries(from, hi + 1)) n += entrySize(e);
  return n;
}

/** True once `snapshotEvery` entries or `snapshotBytes` bytes were applied since the last snapshot. */
export function snapshotDue(applied: number, lastSnapshot: number, bytesSince: number, o: Limits): boolean {
  return applied - lastSnapshot >= o.snapshotEvery || bytesSince >= o.snapshotBytes;
}

/**
 * The index to compact up to after a snapshot at `snapshotIndex`: keeps at most `keepEntries`
 * entries and at most `keepBytes` bytes up to it, never compacting past it. A result below
 * `firstIndex()` means there is nothing to compact.
 */
export function compactionPoint(storage: Storage, snapshotIndex: number, o: Limits): number {
  const floor = Math.max(snapshotIndex - o.keepEntries, storage.firstIndex() - 1);
  let kept = 0;
  for (let i = snapshotIndex; i > floor; i--) {
    kept += logBytes(storage, i, i);
    if (kept > o.keepBytes) return i;
  }
  return floor;
}
