/** Raft paper §5.2: leader election. */
import { describe, expect, it } from 'vitest';
import type { Message, VoteMsg } from '../../../../consensus/types.js';
import { Pump, storageWithLog } from '../helpers/pump.js';

const fixed = () => () => 0;

describe('§5.2 Leader election', () => {
  it('§5.2: servers start as followers with term 0 and no leader', () => {
    const p = new Pump(['a', 'b', 'c']);
    for (const n of p.nodes.values()) {
      expect(n.raft.status()).toMatchObject({ role: 'follower', term: 0, leader: null });
    }
  });

  it('§5.2: a follower that hears nothing for an election timeout becomes candidate: term+1, votes for itself, requests votes from all', () => {
    const p = new Pump(['a', 'b', 'c'], { random: fixed });
    const a = p.raft('a');
    for (let i = 0; i < 9; i++) a.tick();
    expect(a.role).toBe('follower');
    a.tick();
    expect(a.role).toBe('candidate');
    expect(a.term).toBe(1);
    expect(a.vote).toBe('a');
    const rd = a.ready();
    // Hard state (term, vote) is in the same Ready as the vote requests, so it is persisted first.
    expect(rd.hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
    const votes = rd.messages.filter((m): m is VoteMsg => m.type === 'vote');
    expect(votes.map((m) => m.to).sort()).toEqual(['b', 'c']);
    expect(votes.every((m) => m.term === 1 && m.transfer === false)).toBe(true);
    a.advance(rd);
  });

  it('§5.2: election timeouts are randomized in [electionTick, 2*electionTick)', () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const p = new Pump(['a', 'b', 'c'], { random: () => () => r });
      const a = p.raft('a');
      let ticks = 0;
      while (a.role === 'follower') {
        a.tick();
        ticks++;
      }
      expect(ticks).toBe(10 + Math.floor(r * 10));
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
    }
  });

  it('§5.2: a candidate wins with votes from a majority of the full cluster', () => {
    const cases: [number, Record<string, boolean>, 'leader' | 'candidate' | 'follower'][] = [
      [1, {}, 'leader'],
      [3, { b: true, c: true }, 'leader'],
      [3, { b: true }, 'leader'],
      [3, {}, 'candidate'],
      [3, { b: false }, 'candidate'],
      [3, { b: false, c: false }, 'follower'],
      [5, { b: true, c: true, d: true, e: true }, 'leader'],
      [5, { b: true, c: true }, 'leader'],
      [5, { b: true }, 'candidate'],
      [5, { b: false, c: false, d: true }, 'candidate'],
      [5, { b: false, c: false, d: false }, 'follower'],
    ];
    for (const [size, votes, want] of cases) {
      const ids = ['a', 'b', 'c', 'd', 'e'].slice(0, size);
      const p = new Pump(ids);
      const a = p.raft('a');
      while (a.role === 'follower') a.tick();
      p.take('a');
      for (const [from, granted] of Object.entries(votes)) {
        a.step({ type: 'voteResp', from, to: 'a', term: a.term, reject: !granted });
      }
      expect(a.role, `${size} nodes, votes ${JSON.stringify(votes)}`).toBe(want);
    }
  });

  it('§5.2: each server votes for at most one candidate in a term, first come first served', () => {
    const p = new Pump(['a', 'b', 'c']);
    const a = p.raft('a');
    const req = (from: string): Message => ({
      type: 'vote',
      from,
      to: 'a',
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      transfer: false,
    });
    a.step(req('b'));
    a.step(req('c'));
    a.step(req('b')); // a repeated request from the same candidate is granted again
    const resp = p.take('a');
    expect(resp.map((m) => [m.to, m.type === 'voteResp' && m.reject])).toEqual([
      ['b', false],
      ['c', true],
      ['b', false],
    ]);
    expect(a.vote).toBe('b');
  });

  it('§5.2: a candidate that receives AppendEntries from a leader of its term (or later) returns to follower', () => {
    for (const delta of [0, 1]) {
      const p = new Pump(['a', 'b', 'c']);
      p.isolate('a');
      p.campaign('a');
      const a = p.raft('a');
      expect(a.role).toBe('candidate');
      a.step({
        type: 'append',
        from: 'b',
        to: 'a',
        term: a.term + delta,
        prevIndex: 0,
        prevTerm: 0,
        entries: [],
        commit: 0,
      });
      expect(a.role).toBe('follower');
      expect(a.leader).toBe('b');
    }
  });

  it('§5.2: a candidate that neither wins nor loses times out and starts a new election in a new term', () => {
    const p = new Pump(['a', 'b', 'c'], { random: fixed });
    p.isolate('a');
    p.tick(10, ['a']);
    expect(p.raft('a').role).toBe('candidate');
    expect(p.raft('a').term).toBe(1);
    p.tick(10, ['a']);
    expect(p.raft('a').role).toBe('candidate');
    expect(p.raft('a').term).toBe(2);
  });

  it('§5.2: a full election in a 3-node and a 5-node cluster elects one leader that the others follow', () => {
    for (const ids of [
      ['a', 'b', 'c'],
      ['a', 'b', 'c', 'd', 'e'],
    ]) {
      const p = new Pump(ids);
      p.campaign('a');
      expect(p.leader()).toBe('a');
      for (const id of ids) expect(p.raft(id).leader).toBe('a');
      for (const id of ids) expect(p.raft(id).term).toBe(1);
    }
  });

  it('§5.2: leaders send periodic heartbeats (every heartbeatTick) to maintain authority', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { heartbeatTick: 3 } });
    p.campaign('a');
    const before = p.sentOf('heartbeat', { from: 'a' }).length;
    p.tick(2, ['a']);
    expect(p.sentOf('heartbeat', { from: 'a' }).length).toBe(before);
    p.tick(1, ['a']);
    expect(
      p
        .sentOf('heartbeat', { from: 'a' })
        .map((m) => m.to)
        .slice(before)
        .sort(),
    ).toEqual(['b', 'c']);
    // Followers that hear heartbeats never time out.
    p.tick(50);
    expect(p.leader()).toBe('a');
    expect(p.raft('a').term).toBe(1);
  });

  it('§5.2: the vote is persisted: a restarted node does not vote twice in the same term', () => {
    const p = new Pump([]);
    p.addNode('a', storageWithLog(['a', 'b', 'c'], [], { term: 2, vote: 'b' }));
    const a = p.raft('a');
    a.step({ type: 'vote', from: 'c', to: 'a', term: 2, lastLogIndex: 5, lastLogTerm: 2, transfer: false });
    expect(p.take('a')).toEqual([{ type: 'voteResp', from: 'a', to: 'c', term: 2, reject: true }]);
  });

  it('§5.2: the leader is elected with votes from a majority even while a minority is down', () => {
    const p = new Pump(['a', 'b', 'c', 'd', 'e']);
    p.isolate('d');
    p.isolate('e');
    p.campaign('a');
    expect(p.raft('a').role).toBe('leader');
  });
});
