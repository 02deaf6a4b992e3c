/** Raft thesis §3.10: leadership transfer. */
import { describe, expect, it } from 'vitest';
import { bytes, Pump } from '../helpers/pump.js';

describe('§3.10 Leadership transfer', () => {
  it('§3.10: to an up-to-date follower: the leader sends timeoutNow and the target wins the next term', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true, checkQuorum: true } });
    p.elect('a');
    p.raft('a').transferLeadership('b');
    p.stabilize();
    expect(p.sentOf('timeoutNow', { from: 'a', to: 'b' }).length).toBe(1);
    expect(p.raft('b').role).toBe('leader');
    expect(p.raft('b').term).toBe(2);
    expect(p.raft('a').role).toBe('follower');
    expect(p.raft('a').leader).toBe('b');
  });

  it('§3.10: the target campaigns at once, skipping pre-vote, and its votes carry transfer=true to pass the lease', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true, checkQuorum: true } });
    p.elect('a');
    const preVotesBefore = p.sentOf('preVote', { from: 'b' }).length;
    p.raft('a').transferLeadership('b');
    p.stabilize();
    expect(p.sentOf('preVote', { from: 'b' }).length).toBe(preVotesBefore);
    const votes = p.sentOf('vote', { from: 'b' });
    expect(votes.length).toBe(2);
    expect(votes.every((m) => m.transfer)).toBe(true);
  });

  it('§3.10: to a lagging follower: the leader first brings it up to date, then sends timeoutNow', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('c');
    for (const x of ['1', '2', '3']) p.propose('a', x);
    p.heal();
    p.filter = (m) => m.type !== 'heartbeat'; // c catches up only through the transfer
    p.raft('a').transferLeadership('c');
    const out = p.take('a');
    expect(out.map((m) => m.type)).toEqual(['append']);
    expect(p.raft('c').role).toBe('follower');
    p.heal();
    for (const m of out) p.deliver(m);
    p.stabilize();
    expect(p.raft('c').role).toBe('leader');
    expect(p.raft('c').log.lastIndex()).toBeGreaterThanOrEqual(5);
    expect(p.node('c').appliedData).toEqual(['1', '2', '3']);
  });

  it('§3.10: the leader refuses proposals while a transfer is in progress', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('b');
    p.raft('a').transferLeadership('b');
    expect(p.raft('a').propose(bytes('x'))).toEqual({ ok: false, code: 'transfer_in_progress', leader: 'a' });
  });

  it('§3.10: a transfer that does not complete within an election timeout is aborted; proposals resume', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('b');
    p.raft('a').transferLeadership('b');
    p.tick(10, ['a']);
    expect(p.raft('a').role).toBe('leader');
    expect(p.raft('a').leadTransferee).toBeNull();
    expect(p.raft('a').propose(bytes('x')).ok).toBe(true);
  });

  it('§3.10: transfers to itself, to a learner or to a non-member are ignored; on a follower it is a no-op', () => {
    const p = new Pump(['a', 'b'], { learners: ['l'] });
    p.elect('a');
    for (const to of ['a', 'l', 'zz']) {
      p.raft('a').transferLeadership(to);
      expect(p.raft('a').leadTransferee).toBeNull();
    }
    p.raft('b').transferLeadership('b');
    p.stabilize();
    expect(p.leader()).toBe('a');
  });

  it('§3.10: a transfer aborts when its target is removed from the configuration', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.raft('a').proposeConfChange({ type: 'removeNode', node: 'c' });
    p.isolate('c');
    p.raft('a').transferLeadership('c');
    expect(p.raft('a').leadTransferee).toBe('c');
    p.stabilize();
    expect(p.raft('a').leadTransferee).toBeNull();
    expect(p.raft('a').role).toBe('leader');
  });
});
