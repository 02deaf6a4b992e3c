/** Raft thesis §6.2 / §4.2.3: check-quorum and the leader lease that stops disruptive elections. */
import { describe, expect, it } from 'vitest';
import { Pump } from '../helpers/pump.js';

describe('check-quorum and leader lease', () => {
  it('a leader that has not heard from a majority within an election timeout steps down', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.elect('a');
    p.isolate('a');
    p.tick(9, ['a']);
    expect(p.raft('a').role).toBe('leader');
    // Two check rounds at most: the first may still count activity from before the partition.
    p.tick(11, ['a']);
    expect(p.raft('a').role).toBe('follower');
    expect(p.raft('a').term).toBe(1);
  });

  it('a leader with a live majority stays leader indefinitely', () => {
    const p = new Pump(['a', 'b', 'c', 'd', 'e'], { options: { checkQuorum: true } });
    p.elect('a');
    p.isolate('d');
    p.isolate('e');
    p.tick(100, ['a', 'b', 'c']);
    expect(p.raft('a').role).toBe('leader');
  });

  it('without check-quorum (control) an isolated leader keeps believing it leads', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('a');
    p.tick(100, ['a']);
    expect(p.raft('a').role).toBe('leader');
  });

  it('leader lease: a follower that heard from the leader within the election timeout ignores a vote request (no term bump, no answer)', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.elect('a');
    const b = p.raft('b');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 5, lastLogIndex: 9, lastLogTerm: 9, transfer: false });
    b.step({ type: 'preVote', from: 'c', to: 'b', term: 5, lastLogIndex: 9, lastLogTerm: 9 });
    expect(b.term).toBe(1);
    expect(p.take('b')).toEqual([]);
  });

  it('leader lease: a vote request marked transfer=true bypasses the lease', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.elect('a');
    const b = p.raft('b');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 2, lastLogIndex: 9, lastLogTerm: 9, transfer: true });
    expect(b.term).toBe(2);
    expect(p.take('b')).toMatchObject([{ type: 'voteResp', to: 'c', reject: false }]);
  });

  it('leader lease: once the lease has run out, the follower grants the vote', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.elect('a');
    const b = p.raft('b');
    for (let i = 0; i < 10; i++) b.tick();
    b.step({ type: 'vote', from: 'c', to: 'b', term: 2, lastLogIndex: 9, lastLogTerm: 9, transfer: false });
    expect(b.term).toBe(2);
    expect(p.take('b')).toMatchObject([{ type: 'voteResp', to: 'c', reject: false }]);
  });

  it('check-quorum + pre-vote: a flapping node cannot depose a healthy leader', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true, preVote: true } });
    p.elect('a');
    // c alone believes the leader is gone (its link from a is cut); b still hears a.
    p.filter = (m) => !(m.from === 'a' && m.to === 'c');
    p.tick(60);
    expect(p.raft('a').role).toBe('leader');
    expect(p.raft('a').term).toBe(1);
  });
});
