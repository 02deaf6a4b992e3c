/** RaftLog: stable storage plus the unstable tail (after etcd's log_test.go). */
import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../../consensus/log.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import type { Entry } from '../../../consensus/types.js';
import { bytes, entry, storageWithLog } from './helpers/pump.js';

const terms = (ents: readonly Entry[]) => ents.map((e) => [e.index, e.term]);

describe('RaftLog', () => {
  it('reads through storage and the unstable tail', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 1, 2]));
    log.append([entry(4, 3), entry(5, 3)]);
    expect([log.firstIndex(), log.lastIndex(), log.lastTerm()]).toEqual([1, 5, 3]);
    expect(terms(log.slice(2, 6))).toEqual([
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 3],
    ]);
    expect(log.termOrUndefined(6)).toBeUndefined();
    expect(log.matchTerm(3, 2)).toBe(true);
    expect(log.matchTerm(3, 1)).toBe(false);
  });

  it('slice honours maxBytes across the storage/unstable boundary', () => {
    const s = new MemoryStorage();
    s.append([entry(1, 1, 'aaa'), entry(2, 1, 'bbb')]);
    const log = new RaftLog(s);
    log.append([entry(3, 1, 'ccc'), entry(4, 1, 'ddd')]);
    expect(log.slice(1, 5, 6).length).toBe(2);
    expect(log.slice(1, 5, 9).length).toBe(3);
    expect(log.slice(2, 5, 0).length).toBe(1);
    expect(log.slice(3, 5).length).toBe(2);
  });

  it('maybeAppend: the table of etcd TestLogMaybeAppend (match, conflict, commit clamping)', () => {
    type Case = [
      prevIndex: number,
      prevTerm: number,
      commit: number,
      ents: Entry[],
      want: number | null,
      wantCommit: number,
    ];
    const cases: Case[] = [
      [3, 2, 3, [entry(4, 4)], null, 1], // prev term mismatch
      [4, 3, 3, [entry(5, 4)], null, 1], // prev index beyond the log
      [3, 3, 3, [], 3, 3],
      [3, 3, 4, [], 3, 3], // commit clamped to the last new index
      [3, 3, 2, [], 3, 2],
      [3, 3, 4, [entry(4, 4)], 4, 4],
      [3, 3, 5, [entry(4, 4), entry(5, 4)], 5, 5],
      [2, 2, 3, [entry(3, 4)], 3, 3], // conflict at 3: truncated and replaced
      [1, 1, 3, [entry(2, 4), entry(3, 4)], 3, 3],
    ];
    for (const [prevIndex, prevTerm, commit, ents, want, wantCommit] of cases) {
      const log = new RaftLog(storageWithLog(['a'], [1, 2, 3]));
      log.commitTo(1);
      const got = log.maybeAppend(prevIndex, prevTerm, commit, ents);
      expect(got, JSON.stringify({ prevIndex, prevTerm, commit })).toBe(want);
      expect(log.committed).toBe(wantCommit);
      if (got !== null) for (const e of ents) expect(log.term(e.index)).toBe(e.term);
    }
  });

  it('maybeAppend refuses to rewrite a committed entry', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 2, 3]));
    log.commitTo(3);
    expect(log.maybeAppend(1, 1, 3, [entry(2, 9)])).toBeNull();
    expect(log.term(2)).toBe(2);
  });

  it('findConflict: 0 when all match, else the first mismatching or new index', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 2, 3]));
    expect(log.findConflict([entry(1, 1), entry(2, 2)])).toBe(0);
    expect(log.findConflict([entry(2, 2), entry(3, 3), entry(4, 4)])).toBe(4);
    expect(log.findConflict([entry(2, 9)])).toBe(2);
  });

  it('findConflictByTerm: the last index at or below `index` whose term is <= term', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 2, 2, 5, 5, 5]));
    expect(log.findConflictByTerm(6, 4)).toEqual({ index: 3, term: 2 });
    expect(log.findConflictByTerm(6, 5)).toEqual({ index: 6, term: 5 });
    expect(log.findConflictByTerm(9, 9)).toEqual({ index: 6, term: 5 });
    expect(log.findConflictByTerm(3, 1)).toEqual({ index: 1, term: 1 });
    expect(log.findConflictByTerm(6, 0)).toEqual({ index: 0, term: 0 });
  });

  it('§5.4.1 isUpToDate compares last term first, then length', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 2, 2]));
    expect(log.isUpToDate(3, 2)).toBe(true);
    expect(log.isUpToDate(2, 2)).toBe(false);
    expect(log.isUpToDate(1, 3)).toBe(true);
    expect(log.isUpToDate(10, 1)).toBe(false);
  });

  it('§5.4.2 maybeCommit commits only an entry of the given term; commit never decreases', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 2, 3]));
    expect(log.maybeCommit(2, 3)).toBe(false);
    expect(log.maybeCommit(3, 3)).toBe(true);
    log.commitTo(1);
    expect(log.committed).toBe(3);
  });

  it('nextCommittedEntries returns committed, unapplied entries once applied is advanced', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 1, 1, 1]));
    log.commitTo(3);
    expect(terms(log.nextCommittedEntries()).map(([i]) => i)).toEqual([1, 2, 3]);
    log.appliedTo(2);
    expect(log.nextCommittedEntries().map((e) => e.index)).toEqual([3]);
    log.appliedTo(3);
    expect(log.hasNextCommittedEntries()).toBe(false);
  });

  it('stableTo drops the persisted prefix of the unstable tail, unless the tail was rewritten', () => {
    const log = new RaftLog(new MemoryStorage());
    log.append([entry(1, 1), entry(2, 1)]);
    log.stableTo(1, 1);
    expect(log.unstable.entries.map((e) => e.index)).toEqual([2]);
    log.append([entry(2, 2)]);
    log.stableTo(2, 1); // stale: entry 2 now has term 2
    expect(log.unstable.entries.map((e) => e.index)).toEqual([2]);
  });

  it('restore replaces the log with a snapshot, which is then the first index - 1', () => {
    const log = new RaftLog(storageWithLog(['a'], [1, 1]));
    log.restore({ meta: { index: 10, term: 3, conf: { voters: ['a'], learners: [] } }, data: bytes('') });
    expect([log.firstIndex(), log.lastIndex(), log.committed, log.term(10)]).toEqual([11, 10, 10, 3]);
    expect(log.nextCommittedEntries()).toEqual([]); // the snapshot must be restored first
    log.stableSnapTo(10);
    expect(log.unstable.snapshot).toBeUndefined();
  });
});
