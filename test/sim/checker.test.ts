/** The safety checker on hand-made histories: it accepts legal ones and names each violation. */
import { describe, expect, it } from 'vitest';
import { SafetyChecker, SafetyViolation, type ViolationCode } from '../../consensus/sim/checker.js';
import { MemoryStorage } from '../../consensus/storage.js';
import { type Entry, EntryType } from '../../consensus/types.js';

const conf = { voters: ['a', 'b', 'c'], learners: [] };
function e(index: number, term: number, byte = index): Entry {
  return { index, term, type: EntryType.Normal, data: new Uint8Array([byte]) };
}
function violation(f: () => void): ViolationCode | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof SafetyViolation) return err.code;
    throw err;
  }
  return undefined;
}

describe('SafetyChecker', () => {
  it('accepts a legal history: election, replication, conflict overwrite, commit, apply, snapshot', () => {
    const c = new SafetyChecker();
    c.hardState('a', { term: 1, vote: 'a', commit: 0 });
    c.leader('a', 1);
    c.append('a', [e(1, 1), e(2, 1)]);
    c.leaderMessage('a', 1);
    c.append('b', [e(1, 1), e(2, 1)]);
    // c got an uncommitted entry from a deposed leader in term 1? No: from a leader of term 2 that lost it.
    c.append('c', [e(1, 1), e(2, 2, 99)]);
    c.hardState('a', { term: 1, vote: 'a', commit: 1 });
    c.apply('a', e(1, 1));
    c.digest('a', 1, 11);
    // c's term-2 entry was never committed; the term-3 leader b overwrites it.
    c.hardState('b', { term: 3, vote: 'b', commit: 1 });
    c.leader('b', 3);
    c.append('b', [e(3, 3)]);
    c.append('c', [e(2, 1), e(3, 3)]);
    c.hardState('c', { term: 3, vote: 'b', commit: 3 });
    c.apply('c', e(1, 1));
    c.digest('c', 1, 11);
    c.snapshot('a', { index: 3, term: 3, conf });
    c.hardState('a', { term: 3, vote: null, commit: 3 });
    c.digest('a', 3, 33);
    c.digest('c', 3, 33);
    expect(c.lastIndex('a')).toBe(3);
  });

  it('election safety: two leaders in one term, by role or by message', () => {
    const c = new SafetyChecker();
    c.leader('a', 2);
    expect(violation(() => c.leader('b', 2))).toBe('election_safety');
    const d = new SafetyChecker();
    d.leader('a', 2);
    expect(violation(() => d.leaderMessage('c', 2))).toBe('election_safety');
  });

  it('log matching: the same (index, term) with a different prefix, even at different times', () => {
    const c = new SafetyChecker();
    c.append('a', [e(1, 1), e(2, 2)]);
    c.append('b', [e(1, 2, 7)]);
    expect(violation(() => c.append('b', [e(2, 2)]))).toBe('log_matching');
    const d = new SafetyChecker();
    d.append('a', [e(1, 1)]);
    expect(violation(() => d.append('b', [e(1, 1, 5)]))).toBe('log_matching');
  });

  it('leader completeness: a later leader missing a committed entry', () => {
    const c = new SafetyChecker();
    c.append('a', [e(1, 1), e(2, 1)]);
    c.append('b', [e(1, 1), e(2, 1)]);
    c.append('c', [e(1, 1)]);
    c.hardState('a', { term: 1, vote: 'a', commit: 2 });
    c.hardState('c', { term: 2, vote: 'c', commit: 1 });
    expect(violation(() => c.leader('c', 2))).toBe('leader_completeness');
    // A stale leader of the same term as the commit is not required to hold it.
    const d = new SafetyChecker();
    d.append('a', [e(1, 1), e(2, 2)]);
    d.append('b', [e(1, 1)]);
    d.hardState('a', { term: 2, vote: 'a', commit: 2 });
    d.leader('b', 1);
  });

  it('state machine safety: different entries or digests applied at one index', () => {
    const c = new SafetyChecker();
    c.append('a', [e(1, 1)]);
    c.append('b', [e(1, 2, 9)]);
    c.hardState('a', { term: 1, vote: null, commit: 1 });
    c.hardState('b', { term: 2, vote: null, commit: 0 });
    c.apply('a', e(1, 1));
    expect(violation(() => c.hardState('b', { term: 2, vote: null, commit: 1 }))).toBe(
      'state_machine_safety',
    );
    expect(violation(() => c.apply('b', e(1, 2, 9)))).toBe('state_machine_safety');
    c.digest('a', 1, 100);
    expect(violation(() => c.digest('b', 1, 101))).toBe('state_machine_safety');
  });

  it('hard state: double vote, term or commit going back, commit past the log; apply past commit', () => {
    const c = new SafetyChecker();
    c.append('a', [e(1, 1)]);
    c.hardState('a', { term: 2, vote: 'b', commit: 1 });
    expect(violation(() => c.hardState('a', { term: 2, vote: 'c', commit: 1 }))).toBe('hard_state');
    expect(violation(() => c.hardState('a', { term: 1, vote: null, commit: 1 }))).toBe('hard_state');
    expect(violation(() => c.hardState('a', { term: 3, vote: null, commit: 0 }))).toBe('hard_state');
    expect(violation(() => c.hardState('a', { term: 3, vote: null, commit: 2 }))).toBe('hard_state');
    expect(violation(() => c.apply('b', e(1, 1)))).toBe('apply_order');
  });

  it('storage: truncating or rewriting committed entries, gaps, and a storage that disagrees', () => {
    const c = new SafetyChecker();
    c.append('a', [e(1, 1), e(2, 1), e(3, 1)]);
    c.hardState('a', { term: 1, vote: null, commit: 2 });
    expect(violation(() => c.append('a', [e(2, 2)]))).toBe('storage');
    const d = new SafetyChecker();
    d.append('a', [e(1, 1)]);
    expect(violation(() => d.append('a', [e(3, 1)]))).toBe('storage');
    const s = new MemoryStorage({ voters: ['a'] });
    s.append([e(1, 1), e(2, 1)]);
    const g = new SafetyChecker();
    g.append('a', [e(1, 1), e(2, 1)]);
    g.verifyStorage('a', s);
    const f = new SafetyChecker();
    f.append('a', [e(1, 1)]);
    expect(violation(() => f.verifyStorage('a', s))).toBe('storage');
  });

  it('snapshots and compaction keep the shadow log consistent with storage', () => {
    const c = new SafetyChecker();
    const s = new MemoryStorage({ voters: ['a'] });
    const ents = [e(1, 1), e(2, 1), e(3, 2), e(4, 2)];
    s.append(ents);
    c.append('a', ents);
    s.createSnapshot(3, conf, new Uint8Array());
    s.compact(2);
    c.compact('a', s.firstIndex());
    c.verifyStorage('a', s);
    const t = new MemoryStorage({ voters: ['a'] });
    t.applySnapshot(s.snapshot());
    c.snapshot('b', s.snapshot().meta);
    c.verifyStorage('b', t);
    expect(violation(() => c.snapshot('x', { index: 9, term: 9, conf }))).toBe('log_matching');
  });
});
