/**
 * Fast failover (issue 18): the driver tells the core when its connection to the leader closed and
 * could not be redialled (`Raft.leaderLost`). Raft's safety never depends on timing, so the rule only
 * decides *when* a follower campaigns and whether it still honours the lost leader's lease (§4.2.3):
 * a follower told of the loss stops refusing pre-votes, answers the ones it refused under the lease
 * in the last ticks, and campaigns at once if it ranks first, after 1 + rank * stagger ticks if not;
 * a follower that still hears the leader keeps refusing, so a spurious report disrupts nothing.
 */
import { describe, expect, it } from 'vitest';
import type { NodeId, RaftEvent } from '../../../../consensus/types.js';
import { Pump } from '../helpers/pump.js';

// The node's settings: pre-vote and check-quorum on; jitter fixed so the normal timeout is 10 ticks.
const options = { preVote: true, checkQuorum: true, electionTick: 10, leaderLostStaggerTick: 2 };
const fixedJitter = () => () => 0;

function cluster(ids: readonly NodeId[] = ['a', 'b', 'c']): Pump {
  const p = new Pump(ids, { options, random: fixedJitter });
  p.elect('a');
  return p;
}

/** Ticks `ids` one at a time until some node other than `old` leads; returns the ticks it took. */
function ticksToNewLeader(p: Pump, ids: readonly NodeId[], old: NodeId, max = 40): number {
  for (let t = 1; t <= max; t++) {
    p.tick(1, ids);
    const l = p.leader();
    if (l !== null && l !== old) return t;
  }
  return Number.POSITIVE_INFINITY;
}

describe('fast failover: a follower told its leader is lost', () => {
  it('a killed leader is replaced on the next tick when both survivors are told, not after the election timeout', () => {
    const p = cluster();
    p.isolate('a'); // SIGKILL: nothing more from a
    p.raft('b').leaderLost('a');
    p.raft('c').leaderLost('a');
    expect(ticksToNewLeader(p, ['b', 'c'], 'a')).toBe(1);
    expect(p.leader()).toBe('b');
    expect(p.raft('b').term).toBe(2);
  });

  it('control: without the report the survivors wait out the election timeout', () => {
    const p = cluster();
    p.isolate('a');
    expect(ticksToNewLeader(p, ['b', 'c'], 'a')).toBeGreaterThanOrEqual(options.electionTick);
  });

  it('the first-ranked survivor campaigns at once, the one ranked r >= 1 after 1 + r * leaderLostStaggerTick ticks', () => {
    const p = cluster(['a', 'b', 'c', 'd', 'e']);
    const inTicks = (id: NodeId): number | undefined => {
      p.raft(id).leaderLost('a');
      const e = p.node(id).events.findLast((x: RaftEvent) => x.type === 'leaderLost');
      return e?.type === 'leaderLost' ? e.inTicks : undefined;
    };
    const table: [NodeId, number][] = [
      ['b', 0],
      ['c', 3],
      ['d', 5],
      ['e', 7],
    ];
    for (const [id, ticks] of table) expect([id, inTicks(id)]).toEqual([id, ticks]);
  });

  it('only one survivor becomes leader, in one new term (no split vote)', () => {
    const p = cluster(['a', 'b', 'c', 'd', 'e']);
    p.isolate('a');
    for (const id of ['b', 'c', 'd', 'e']) p.raft(id).leaderLost('a');
    ticksToNewLeader(p, ['b', 'c', 'd', 'e'], 'a');
    p.tick(10, ['b', 'c', 'd', 'e']);
    const leaders = ['b', 'c', 'd', 'e'].filter((id) => p.raft(id).role === 'leader');
    expect(leaders).toEqual(['b']);
    expect(['b', 'c', 'd', 'e'].map((id) => p.raft(id).term)).toEqual([2, 2, 2, 2]);
  });

  it('the first-ranked survivor asks for pre-votes in the report itself, without waiting for a tick', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    expect(p.raft('b').role).toBe('preCandidate');
    expect(p.take('b').filter((m) => m.type === 'preVote')).toMatchObject([{ to: 'c', term: 2 }]);
  });

  it('a killed leader is replaced with no tick at all when both survivors are told', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.raft('c').leaderLost('a');
    p.stabilize();
    expect(p.leader()).toBe('b');
    expect(p.raft('c').leader).toBe('b');
  });

  it('a survivor told after it refused a pre-vote under the lease answers that pre-vote at once', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.stabilize(); // c still honours a's lease and stays silent
    expect(p.raft('b').role).toBe('preCandidate');
    p.raft('c').leaderLost('a');
    expect(p.take('c')).toMatchObject([{ type: 'preVoteResp', to: 'b', reject: false }]);
  });

  it('a survivor that answers a refused pre-vote on the report does not campaign itself (no split vote)', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.stabilize();
    p.raft('c').leaderLost('a');
    p.stabilize();
    p.tick(10, ['b', 'c']);
    expect(p.leader()).toBe('b');
    expect(p.node('c').events.some((e) => e.type === 'becamePreCandidate')).toBe(false);
    expect([p.raft('b').term, p.raft('c').term]).toEqual([2, 2]);
  });

  it('a pre-vote refused under the lease more than two ticks before the report is not answered', () => {
    const p = cluster();
    const c = p.raft('c');
    c.step({ type: 'preVote', from: 'b', to: 'c', term: 2, lastLogIndex: 9, lastLogTerm: 9 });
    p.take('c');
    for (let i = 0; i < 3; i++) c.tick(); // a's heartbeats are not delivered: c keeps a as leader
    c.leaderLost('a');
    expect(p.take('c').filter((m) => m.type === 'preVoteResp')).toEqual([]);
  });

  it('a survivor that refused (in lease) before it was told is asked again on the next tick', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.tick(1, ['b']); // b pre-campaigns; c still honours a's lease and stays silent
    expect(p.raft('b').role).toBe('preCandidate');
    p.raft('c').leaderLost('a');
    p.tick(1, ['b']);
    expect(p.leader()).toBe('b');
    expect(p.raft('b').term).toBe(2);
  });

  it('a survivor that grants a fast-path pre-vote drops its own pending campaign (no split vote)', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.raft('c').leaderLost('a');
    p.tick(1, ['b']);
    p.tick(10, ['b', 'c']);
    expect(p.node('c').events.some((e) => e.type === 'becamePreCandidate')).toBe(false);
    expect(p.raft('c').leader).toBe('b');
  });

  it('two survivors pre-campaigning at once: the one ranked behind stands down, so the vote does not split', () => {
    const p = cluster();
    p.isolate('a');
    p.cutLink('b', 'c'); // each misses the other's first request (skewed detection, stalled loops)
    p.raft('b').leaderLost('a');
    p.raft('c').leaderLost('a');
    p.tick(3, ['b', 'c']);
    expect([p.raft('b').role, p.raft('c').role]).toEqual(['preCandidate', 'preCandidate']);
    p.heal();
    p.isolate('a');
    p.tick(1, ['b', 'c']); // both ask again
    expect(p.leader()).toBe('b');
    expect([p.raft('b').term, p.raft('c').term]).toEqual([2, 2]);
    expect(p.node('c').events.some((e) => e.type === 'becameCandidate')).toBe(false);
  });

  it('a first-ranked survivor whose log is behind is refused, and the second-ranked one takes over', () => {
    const p = cluster();
    p.cutLink('a', 'b');
    p.propose('a', 'only a and c have it');
    p.isolate('a');
    p.raft('b').leaderLost('a');
    p.raft('c').leaderLost('a');
    expect(ticksToNewLeader(p, ['b', 'c'], 'a')).toBe(1 + options.leaderLostStaggerTick);
    expect(p.leader()).toBe('c');
  });

  it('a follower told its leader is lost grants pre-votes at once (the lease no longer binds it)', () => {
    const p = cluster();
    const b = p.raft('b');
    b.leaderLost('a');
    p.take('b');
    b.step({ type: 'preVote', from: 'c', to: 'b', term: 2, lastLogIndex: 9, lastLogTerm: 9 });
    expect(p.take('b')).toMatchObject([{ type: 'preVoteResp', to: 'c', reject: false }]);
  });

  it('a follower that loses its link to a live leader cannot take over while the other follower still hears the leader', () => {
    const p = cluster();
    p.cutLink('a', 'c');
    p.raft('c').leaderLost('a');
    p.tick(50);
    expect(p.leader()).toBe('a');
    expect(p.raft('a').term).toBe(1);
    expect(p.raft('b').term).toBe(1);
    const toC = p.node('b').events.filter((e) => e.type === 'voteGranted' && e.candidate === 'c');
    expect(toC).toEqual([]);
    expect(p.node('c').events.some((e) => e.type === 'becamePreCandidate')).toBe(true);
  });

  it('a report about a live leader whose heartbeats still arrive changes no term', () => {
    const p = cluster();
    p.raft('b').leaderLost('a');
    p.tick(30);
    expect(p.leader()).toBe('a');
    expect(['a', 'b', 'c'].map((id) => p.raft(id).term)).toEqual([1, 1, 1]);
    expect(p.raft('b').leader).toBe('a');
  });

  it('a report naming a peer that is not the leader is ignored', () => {
    const p = cluster();
    p.raft('b').leaderLost('c');
    expect(p.raft('b').leader).toBe('a');
    expect(p.node('b').events.some((e) => e.type === 'leaderLost')).toBe(false);
  });

  it('a report to a leader or a candidate is ignored', () => {
    const p = cluster();
    p.raft('a').leaderLost('a');
    expect(p.raft('a').role).toBe('leader');
    p.isolate('b');
    p.tick(options.electionTick, ['b']);
    expect(p.raft('b').role).toBe('preCandidate');
    p.raft('b').leaderLost('a');
    expect(p.node('b').events.some((e) => e.type === 'leaderLost')).toBe(false);
  });
});
