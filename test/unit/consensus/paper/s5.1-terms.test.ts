/** Raft paper §5.1: terms act as a logical clock; stale terms are detected and rejected. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../../consensus/types.js';
import { entry, Pump } from '../helpers/pump.js';

function appendMsg(from: string, to: string, term: number): Message {
  return { type: 'append', from, to, term, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 };
}

describe('§5.1 Raft basics: terms', () => {
  it('§5.1: a server seeing a larger term updates its current term and reverts to follower (each role)', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const p = new Pump(['a', 'b', 'c']);
      if (role !== 'follower') p.campaign('a');
      if (role === 'candidate') {
        // Make it a lone candidate: nothing reached the others.
        const q = new Pump(['a', 'b', 'c']);
        q.isolate('a');
        q.campaign('a');
        expect(q.raft('a').role).toBe('candidate');
        q.heal();
        q.raft('a').step(appendMsg('b', 'a', q.raft('a').term + 3));
        expect(q.raft('a').role).toBe('follower');
        expect(q.raft('a').term).toBe(4);
        expect(q.raft('a').leader).toBe('b');
        continue;
      }
      const a = p.raft('a');
      const term = a.term + 5;
      a.step(appendMsg('b', 'a', term));
      expect(a.term).toBe(term);
      expect(a.role).toBe('follower');
      expect(a.leader).toBe('b');
      // §5.1: the new term clears the vote, so a stale vote cannot be reused.
      expect(a.vote).toBeNull();
    }
  });

  it('§5.1: a vote request with a larger term makes the receiver adopt the term without knowing a leader', () => {
    const p = new Pump(['a', 'b', 'c']);
    const a = p.raft('a');
    a.step({ type: 'vote', from: 'b', to: 'a', term: 7, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    expect(a.term).toBe(7);
    expect(a.leader).toBeNull();
    expect(a.vote).toBe('b');
  });

  it('§5.1: a server rejects (ignores) a request with a stale term and keeps its state', () => {
    const p = new Pump(['a', 'b', 'c']);
    const a = p.raft('a');
    a.step(appendMsg('b', 'a', 5));
    p.take();
    expect(a.term).toBe(5);
    a.step({
      type: 'append',
      from: 'c',
      to: 'a',
      term: 3,
      prevIndex: 0,
      prevTerm: 0,
      entries: [entry(1, 3, 'x')],
      commit: 1,
    });
    expect(a.term).toBe(5);
    expect(a.leader).toBe('b');
    expect(a.log.lastIndex()).toBe(0);
    // Without check-quorum or pre-vote there is nothing to say to a stale leader.
    expect(p.take('a')).toEqual([]);
  });

  it('§5.1 (with pre-vote/check-quorum): a stale leader is answered with the current term so it steps down', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.campaign('a');
    expect(p.raft('a').role).toBe('leader');
    // b moves to a later term while a does not hear of it.
    p.isolate('a');
    // b and c stop hearing from a; once their lease runs out one of them is elected in a later term.
    for (let i = 0; i < 40 && p.leader() === 'a'; i++) p.tick(1, ['b', 'c']);
    const next = p.leader();
    expect(next === 'b' || next === 'c').toBe(true);
    expect(p.raft('a').role).toBe('leader'); // a has not noticed yet (it does not tick)
    expect(p.raft(next as string).term).toBeGreaterThan(p.raft('a').term);
    p.heal();
    // a's next heartbeat reaches b and c, which answer with their term; a steps down.
    p.tick(1, ['a']);
    expect(p.raft('a').role).toBe('follower');
    expect(p.raft('a').term).toBe(p.raft(next as string).term);
  });

  it('§5.1: a stale-term vote request is ignored and a stale pre-vote is rejected with the current term', () => {
    const p = new Pump(['a', 'b', 'c']);
    const a = p.raft('a');
    a.step(appendMsg('b', 'a', 4));
    p.take();
    a.step({ type: 'vote', from: 'c', to: 'a', term: 2, lastLogIndex: 9, lastLogTerm: 3, transfer: false });
    expect(p.take('a')).toEqual([]);
    a.step({ type: 'preVote', from: 'c', to: 'a', term: 3, lastLogIndex: 9, lastLogTerm: 3 });
    expect(p.take('a')).toEqual([{ type: 'preVoteResp', from: 'a', to: 'c', term: 4, reject: true }]);
  });
});
