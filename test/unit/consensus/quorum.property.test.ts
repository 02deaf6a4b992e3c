/**
 * Property tests of the quorum arithmetic against naive reference implementations (in the spirit of
 * etcd's quorum/quick_test.go): random voter sets, match indexes and votes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { committedIndex, voteResult } from '../../../consensus/quorum.js';

/** Naive: the largest index i such that a strict majority of voters have match >= i. */
function naiveCommitted(voters: readonly string[], match: (id: string) => number): number {
  if (voters.length === 0) return 0;
  const candidates = [0, ...voters.map(match)];
  let best = 0;
  for (const i of candidates) {
    const acked = voters.filter((v) => match(v) >= i).length;
    if (acked * 2 > voters.length && i > best) best = i;
  }
  return best;
}

/** Naive: won if granted is a strict majority, lost if even all missing votes cannot make one. */
function naiveVote(
  voters: readonly string[],
  votes: ReadonlyMap<string, boolean>,
): 'won' | 'lost' | 'pending' {
  if (voters.length === 0) return 'lost';
  const granted = voters.filter((v) => votes.get(v) === true).length;
  const missing = voters.filter((v) => !votes.has(v)).length;
  if (granted * 2 > voters.length) return 'won';
  if ((granted + missing) * 2 > voters.length) return 'pending';
  return 'lost';
}

const ids = fc.uniqueArray(fc.constantFrom(...Array.from({ length: 12 }, (_, i) => `n${i}`)), {
  minLength: 0,
  maxLength: 9,
});

describe('committedIndex', () => {
  it('agrees with the naive majority count', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.nat({ max: 50 }), { minLength: 12, maxLength: 12 }), (voters, idx) => {
        const match = (id: string): number => idx[Number(id.slice(1))] ?? 0;
        expect(committedIndex(voters, match)).toBe(naiveCommitted(voters, match));
      }),
      { numRuns: 5000 },
    );
  });

  it('is replicated on a majority and no larger index is', () => {
    fc.assert(
      fc.property(
        ids.filter((v) => v.length > 0),
        fc.array(fc.nat(1_000_000), { minLength: 12, maxLength: 12 }),
        (voters, idx) => {
          const match = (id: string): number => idx[Number(id.slice(1))] ?? 0;
          const c = committedIndex(voters, match);
          const atLeast = (i: number): number => voters.filter((v) => match(v) >= i).length;
          expect(atLeast(c) * 2).toBeGreaterThan(voters.length);
          expect(atLeast(c + 1) * 2).toBeLessThanOrEqual(voters.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is monotone: raising any match index never lowers it', () => {
    fc.assert(
      fc.property(
        ids,
        fc.array(fc.nat({ max: 50 }), { minLength: 12, maxLength: 12 }),
        fc.nat({ max: 11 }),
        fc.nat({ max: 20 }),
        (voters, idx, who, bump) => {
          const before = committedIndex(voters, (id) => idx[Number(id.slice(1))] ?? 0);
          const raised = idx.map((v, i) => (i === who ? v + bump : v));
          expect(committedIndex(voters, (id) => raised[Number(id.slice(1))] ?? 0)).toBeGreaterThanOrEqual(
            before,
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles a match callback that re-enters committedIndex', () => {
    const voters = ['a', 'b', 'c'];
    const inner = (id: string): number => ({ a: 1, b: 2, c: 3 })[id] ?? 0;
    const outer = (id: string): number => committedIndex(voters, inner) + (id === 'a' ? 5 : 0);
    expect(committedIndex(voters, outer)).toBe(naiveCommitted(voters, outer));
  });
});

describe('voteResult', () => {
  const votes = fc.dictionary(
    fc.constantFrom(...Array.from({ length: 14 }, (_, i) => `n${i}`)),
    fc.boolean(),
  );

  it('agrees with the naive count, ignoring votes from non-voters', () => {
    fc.assert(
      fc.property(ids, votes, (voters, dict) => {
        const m = new Map(Object.entries(dict));
        expect(voteResult(voters, m)).toBe(naiveVote(voters, m));
      }),
      { numRuns: 5000 },
    );
  });

  it('never turns from won to lost (or back) as more votes arrive', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), (voters, grants) => {
        const m = new Map<string, boolean>();
        let prev = voteResult(voters, m);
        voters.forEach((v, i) => {
          m.set(v, grants[i] ?? false);
          const now = voteResult(voters, m);
          if (prev !== 'pending') expect(now).toBe(prev);
          prev = now;
        });
        expect(prev).not.toBe('pending');
      }),
      { numRuns: 2000 },
    );
  });

  it('single voter and empty set', () => {
    expect(voteResult(['a'], new Map())).toBe('pending');
    expect(voteResult(['a'], new Map([['a', true]]))).toBe('won');
    expect(voteResult(['a'], new Map([['a', false]]))).toBe('lost');
    expect(voteResult([], new Map())).toBe('lost');
    expect(committedIndex([], () => 7)).toBe(0);
  });
});
