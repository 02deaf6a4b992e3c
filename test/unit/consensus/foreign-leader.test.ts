/**
 * §5.2 election safety: at most one leader per term, so a follower takes replication of its term
 * only from the leader it follows. A peer claiming the role without having won (a lying validator)
 * cannot put entries into the follower's log at that term.
 */
import { describe, expect, it } from 'vitest';
import { defaultRaftOptions } from '../../../consensus/options.js';
import { Raft } from '../../../consensus/raft.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import { EntryType, type Message } from '../../../consensus/types.js';

function follower(): Raft {
  return new Raft({
    ...defaultRaftOptions,
    id: 'c',
    storage: new MemoryStorage({ voters: ['a', 'b', 'c'] }),
    random: () => 0.5,
  });
}

const append = (from: string, term: number, data: number): Message => ({
  type: 'append',
  from,
  to: 'c',
  term,
  prevIndex: 0,
  prevTerm: 0,
  entries: [{ term, index: 1, type: EntryType.Normal, data: new Uint8Array([data]) }],
  commit: 0,
});

describe('replication only from the leader of the term', () => {
  it('a follower that follows a ignores an append of the same term from b', () => {
    const r = follower();
    r.step({ type: 'heartbeat', from: 'a', to: 'c', term: 2, commit: 0 });
    expect(r.status().leader).toBe('a');
    r.step(append('b', 2, 7));
    expect(r.status().leader).toBe('a');
    expect(r.status().lastIndex).toBe(0);
    // The real leader's entries are taken.
    r.step(append('a', 2, 9));
    expect(r.status().lastIndex).toBe(1);
  });

  it('a follower with no known leader accepts the first leader of the term', () => {
    const r = follower();
    r.step(append('b', 1, 7));
    expect(r.status().leader).toBe('b');
    expect(r.status().lastIndex).toBe(1);
  });
});
