/** The next Raft membership change toward the validator set in state, one server at a time. */
import { describe, expect, it } from 'vitest';
import { nextMembershipChange } from '../../../node/raft/membership.js';

const status = (voters: string[], learners: string[] = [], commit = 100) => ({
  conf: { voters, learners },
  commit,
});
const match = (m: Record<string, number>) => (id: string) => m[id];

describe('nextMembershipChange', () => {
  it('does nothing when the configuration already is the validator set', () => {
    expect(nextMembershipChange(status(['a', 'b', 'c']), new Set(['a', 'b', 'c']), match({}))).toBeNull();
  });

  it('adds a new validator as a learner first, never straight to voter', () => {
    expect(nextMembershipChange(status(['a', 'b', 'c']), new Set(['a', 'b', 'c', 'd']), match({}))).toEqual({
      type: 'addLearner',
      node: 'd',
    });
  });

  it('promotes a learner only once it has replicated up to the commit index', () => {
    const wanted = new Set(['a', 'b', 'c', 'd']);
    expect(nextMembershipChange(status(['a', 'b', 'c'], ['d'], 100), wanted, match({ d: 99 }))).toBeNull();
    expect(nextMembershipChange(status(['a', 'b', 'c'], ['d'], 100), wanted, match({ d: 100 }))).toEqual({
      type: 'addVoter',
      node: 'd',
    });
  });

  it('removes a voter or learner that is no longer a validator, after any addition', () => {
    expect(nextMembershipChange(status(['a', 'b', 'c'], ['x']), new Set(['a', 'b', 'c']), match({}))).toEqual(
      {
        type: 'removeNode',
        node: 'x',
      },
    );
    // Replacing c by d: d joins first, so the quorum never shrinks before it grows.
    expect(nextMembershipChange(status(['a', 'b', 'c']), new Set(['a', 'b', 'd']), match({}))).toEqual({
      type: 'addLearner',
      node: 'd',
    });
  });
});
