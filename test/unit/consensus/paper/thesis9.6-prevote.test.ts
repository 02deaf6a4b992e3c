/** Raft thesis §9.6: pre-vote. A node first asks whether it could win before it disrupts anyone. */
import { describe, expect, it } from 'vitest';
import type { PreVoteRespMsg } from '../../../../consensus/types.js';
import { Pump, storageWithLog } from '../helpers/pump.js';

describe('§9.6 Pre-vote', () => {
  it('§9.6: an election with pre-vote elects a leader in term 1 (the pre-election bumps no term)', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    p.campaign('a');
    expect(p.raft('a').role).toBe('leader');
    expect(p.raft('a').term).toBe(1);
    expect(p.sentOf('preVote', { from: 'a' }).every((m) => m.term === 1)).toBe(true);
    expect(p.sentOf('vote', { from: 'a' }).length).toBe(2);
  });

  it('§9.6: a partitioned node keeps pre-campaigning without ever incrementing its term', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    p.isolate('c');
    p.tick(100, ['c']);
    const c = p.raft('c');
    expect(c.term).toBe(0);
    expect(c.role).toBe('preCandidate');
    expect(p.node('c').storage.initialState().hardState.term).toBe(0);
  });

  it('§9.6: a rejoining partitioned node whose log fell behind does not disrupt the leader (control: without pre-vote it does)', () => {
    for (const preVote of [true, false]) {
      const p = new Pump(['a', 'b', 'c'], { options: { preVote } });
      p.elect('a');
      p.isolate('c');
      p.propose('a', 'meanwhile'); // the majority moves on, so c's log falls behind
      p.tick(60, ['c']);
      p.heal();
      // c campaigns again now that it can reach the others.
      p.tick(20, ['c']);
      p.tick(3, ['a']);
      if (preVote) {
        expect(p.raft('a').role).toBe('leader');
        expect(p.raft('a').term).toBe(1);
      } else {
        expect(p.raft('a').term).toBeGreaterThan(1);
      }
    }
  });

  it("§9.6: a pre-vote is granted for a future term without changing the voter's term or vote", () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    const b = p.raft('b');
    b.step({ type: 'preVote', from: 'a', to: 'b', term: 1, lastLogIndex: 0, lastLogTerm: 0 });
    b.step({ type: 'preVote', from: 'c', to: 'b', term: 1, lastLogIndex: 0, lastLogTerm: 0 });
    const resps = p.take('b') as PreVoteRespMsg[];
    expect(resps.map((m) => [m.to, m.reject, m.term])).toEqual([
      ['a', false, 1],
      ['c', false, 1],
    ]);
    expect(b.term).toBe(0);
    expect(b.vote).toBeNull();
  });

  it("§9.6 + §5.4.1: a pre-vote is rejected when the candidate's log is behind", () => {
    const p = new Pump([]);
    p.addNode('b', storageWithLog(['a', 'b', 'c'], [1, 2], { term: 2 }));
    p.raft('b').step({ type: 'preVote', from: 'a', to: 'b', term: 3, lastLogIndex: 1, lastLogTerm: 1 });
    expect(p.take('b')).toEqual([{ type: 'preVoteResp', from: 'b', to: 'a', term: 2, reject: true }]);
  });

  it('§9.6: a pre-candidate that loses the pre-vote returns to follower in its old term', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    const a = p.raft('a');
    while (a.role === 'follower') a.tick();
    expect(a.role).toBe('preCandidate');
    p.take('a');
    a.step({ type: 'preVoteResp', from: 'b', to: 'a', term: 0, reject: true });
    a.step({ type: 'preVoteResp', from: 'c', to: 'a', term: 0, reject: true });
    expect(a.role).toBe('follower');
    expect(a.term).toBe(0);
  });

  it('§9.6: a rejection carrying a higher term moves the pre-candidate to that term as follower', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    const a = p.raft('a');
    while (a.role === 'follower') a.tick();
    a.step({ type: 'preVoteResp', from: 'b', to: 'a', term: 5, reject: true });
    expect(a.role).toBe('follower');
    expect(a.term).toBe(5);
  });

  it('§9.6: a pre-candidate hearing from a leader of its term becomes its follower', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    const a = p.raft('a');
    while (a.role === 'follower') a.tick();
    a.step({ type: 'heartbeat', from: 'b', to: 'a', term: 0, commit: 0 });
    expect(a.role).toBe('follower');
    expect(a.leader).toBe('b');
  });
});
