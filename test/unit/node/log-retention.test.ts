/**
 * Snapshot and compaction limits: entries and bytes, whichever comes first, so the in-memory Raft
 * log stays bounded whatever the block size.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../consensus/storage.js';
import { compactionPoint, logBytes, snapshotDue } from '../../../node/raft/log-retention.js';

/** A storage holding entries 1..n, entry i carrying `size(i)` bytes. */
function storageOf(n: number, size: (i: number) => number): MemoryStorage {
  const s = new MemoryStorage({ voters: ['a'] });
  s.append(
    Array.from({ length: n }, (_, k) => ({
      index: k + 1,
      term: 1,
      type: 0,
      data: new Uint8Array(size(k + 1)),
    })),
  );
  return s;
}

const limits = { snapshotEvery: 100, snapshotBytes: 10_000, keepEntries: 20, keepBytes: 1_000 };

describe('log retention', () => {
  it('counts the bytes of the entries still held', () => {
    const s = storageOf(10, (i) => i * 10);
    expect(logBytes(s, 1, 10)).toBe(550);
    expect(logBytes(s, 4, 4)).toBe(40);
    s.compact(5);
    expect(logBytes(s, 1, 10)).toBe(400); // 6..10
    expect(logBytes(s, 1, 5)).toBe(0);
  });

  it('is due after snapshotEvery entries or snapshotBytes bytes, whichever first', () => {
    expect(snapshotDue(99, 0, 9_999, limits)).toBe(false);
    expect(snapshotDue(100, 0, 0, limits)).toBe(true);
    expect(snapshotDue(130, 40, 10_000, limits)).toBe(true);
    expect(snapshotDue(130, 40, 500, limits)).toBe(false);
  });

  it('keeps at most keepEntries small entries below the snapshot', () => {
    const s = storageOf(200, () => 10);
    expect(compactionPoint(s, 150, limits)).toBe(130);
  });

  it('keeps at most keepBytes of big entries below the snapshot', () => {
    const s = storageOf(200, () => 300);
    // 150, 149, 148 hold 900 bytes; 147 would make 1,200.
    expect(compactionPoint(s, 150, limits)).toBe(147);
    const huge = storageOf(10, () => 5_000);
    expect(compactionPoint(huge, 8, limits)).toBe(8); // even the snapshot entry alone is over
  });

  it('never goes below what is already compacted', () => {
    const s = storageOf(30, () => 1);
    s.compact(25);
    expect(compactionPoint(s, 28, limits)).toBe(25);
    expect(compactionPoint(s, 28, limits)).toBeLessThan(s.firstIndex());
  });
});
