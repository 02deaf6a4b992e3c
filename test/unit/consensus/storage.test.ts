/** MemoryStorage: the Storage contract and the driver-side writes. */
import { describe, expect, it } from 'vitest';
import { RaftError } from '../../../consensus/errors.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import { bytes, entry } from './helpers/pump.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof RaftError ? e.code : `not a RaftError: ${String(e)}`;
  }
  return undefined;
}

function filled(n: number): MemoryStorage {
  const s = new MemoryStorage({ voters: ['a'] });
  s.append(Array.from({ length: n }, (_, i) => entry(i + 1, 1 + Math.floor(i / 2), `e${i + 1}`)));
  return s;
}

describe('MemoryStorage', () => {
  it('starts empty with the bootstrap membership (or none for a joiner)', () => {
    const s = new MemoryStorage({ voters: ['a', 'b'], learners: ['l'] });
    expect(s.initialState()).toEqual({
      hardState: { term: 0, vote: null, commit: 0 },
      confState: { voters: ['a', 'b'], learners: ['l'] },
    });
    expect([s.firstIndex(), s.lastIndex(), s.term(0)]).toEqual([1, 0, 0]);
    expect(new MemoryStorage().initialState().confState).toEqual({ voters: [], learners: [] });
  });

  it('setHardState is what initialState returns', () => {
    const s = new MemoryStorage();
    s.setHardState({ term: 3, vote: 'b', commit: 2 });
    expect(s.initialState().hardState).toEqual({ term: 3, vote: 'b', commit: 2 });
  });

  it('entries/term/first/last over a simple log; compacted and unavailable errors', () => {
    const s = filled(5);
    expect(s.entries(2, 4).map((e) => e.index)).toEqual([2, 3]);
    expect(s.term(5)).toBe(3);
    expect(codeOf(() => s.term(6))).toBe('unavailable');
    expect(codeOf(() => s.entries(1, 7))).toBe('unavailable');
    s.createSnapshot(3, { voters: ['a'], learners: [] }, bytes('s'));
    s.compact(3);
    expect([s.firstIndex(), s.lastIndex(), s.term(3)]).toEqual([4, 5, 2]);
    expect(codeOf(() => s.term(2))).toBe('compacted');
    expect(codeOf(() => s.entries(3, 5))).toBe('compacted');
  });

  it('entries honours maxBytes but returns at least one entry', () => {
    const s = new MemoryStorage();
    s.append([entry(1, 1, 'aaaa'), entry(2, 1, 'bbbb'), entry(3, 1, 'cccc')]);
    expect(s.entries(1, 4, 8).length).toBe(2);
    expect(s.entries(1, 4, 7).length).toBe(1);
    expect(s.entries(1, 4, 0).length).toBe(1);
    expect(s.entries(1, 4).length).toBe(3);
  });

  it('append truncates a conflicting suffix and ignores the already-compacted prefix', () => {
    const s = filled(5);
    s.append([entry(3, 9, 'x'), entry(4, 9, 'y')]);
    expect(s.lastIndex()).toBe(4);
    expect(s.term(3)).toBe(9);
    s.createSnapshot(3, { voters: ['a'], learners: [] }, bytes('s'));
    s.compact(3);
    s.append([entry(2, 9), entry(3, 9), entry(4, 9), entry(5, 9)]);
    expect([s.firstIndex(), s.lastIndex()]).toEqual([4, 5]);
  });

  it('append refuses a gap or non-contiguous entries', () => {
    const s = filled(2);
    expect(codeOf(() => s.append([entry(4, 1)]))).toBe('invalid_entries');
    expect(codeOf(() => s.append([entry(3, 1), entry(5, 1)]))).toBe('invalid_entries');
  });

  it('createSnapshot records index/term/conf and refuses old or out-of-range indexes; compact drops entries', () => {
    const s = filled(6);
    const snap = s.createSnapshot(4, { voters: ['a', 'b'], learners: [] }, bytes('d'));
    expect(snap.meta).toEqual({ index: 4, term: 2, conf: { voters: ['a', 'b'], learners: [] } });
    expect(s.snapshot()).toBe(snap);
    expect(s.initialState().confState).toEqual({ voters: ['a', 'b'], learners: [] });
    expect(codeOf(() => s.createSnapshot(4, snap.meta.conf, bytes('')))).toBe('snapshot_out_of_date');
    expect(codeOf(() => s.createSnapshot(9, snap.meta.conf, bytes('')))).toBe('unavailable');
    s.compact(4);
    expect(s.firstIndex()).toBe(5);
    expect(codeOf(() => s.compact(4))).toBe('compacted');
    expect(codeOf(() => s.compact(9))).toBe('unavailable');
  });

  it('applySnapshot replaces the whole log and refuses an older snapshot', () => {
    const s = filled(3);
    const snap = {
      meta: { index: 10, term: 4, conf: { voters: ['a', 'b'], learners: [] } },
      data: bytes('x'),
    };
    s.applySnapshot(snap);
    expect([s.firstIndex(), s.lastIndex(), s.term(10)]).toEqual([11, 10, 4]);
    expect(s.entries(11, 11)).toEqual([]);
    expect(codeOf(() => s.applySnapshot({ ...snap, meta: { ...snap.meta, index: 9 } }))).toBe(
      'snapshot_out_of_date',
    );
    s.append([entry(11, 4)]);
    expect(s.lastIndex()).toBe(11);
  });
});
