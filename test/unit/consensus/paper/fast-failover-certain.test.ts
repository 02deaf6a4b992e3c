/**
 * Fast failover on a certain loss (issue 18): the transport's connect to the leader's port was
 * refused, so its process is gone (a live leader that is cut off times out, it never refuses). The
 * pre-vote exists to keep a node that merely lost touch from deposing a live leader (thesis 9.6);
 * with no live leader there is nothing to protect, so the first-ranked survivor campaigns at once
 * with a real vote (term + 1). Safety (§5.2, §5.4) never depends on the pre-vote: the sentences
 * below only decide who campaigns, when, and with which kind of request.
 */
import { describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../../../consensus/types.js';
import { Pump } from '../helpers/pump.js';

// The node's settings: pre-vote and check-quorum on; jitter fixed so the normal timeout is 10 ticks.
const options = { preVote: true, checkQuorum: true, electionTick: 10, leaderLostStaggerTick: 2 };
const certain = { certain: true } as const;

function cluster(ids: readonly NodeId[] = ['a', 'b', 'c']): Pump {
  const p = new Pump(ids, { options, random: () => () => 0 });
  p.elect('a');
  return p;
}

const kinds = (p: Pump, id: NodeId): string[] =>
  p
    .node(id)
    .events.map((e) => e.type)
    .filter((t) => t === 'becamePreCandidate' || t === 'becameCandidate');

describe('fast failover: a certain loss skips the pre-vote', () => {
  it('the first-ranked survivor told of a certain loss is a candidate of term + 1 at once, asking for real votes', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a', certain);
    expect([p.raft('b').role, p.raft('b').term, p.raft('b').vote]).toEqual(['candidate', 2, 'b']);
    expect(p.take('b').filter((m) => m.type === 'vote' || m.type === 'preVote')).toMatchObject([
      { type: 'vote', to: 'c', term: 2 },
    ]);
    expect(kinds(p, 'b')).toEqual(['becameCandidate']);
  });

  it('both survivors told of a certain loss: a new leader in one term, one vote round, no tick', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a', certain);
    p.raft('c').leaderLost('a', certain);
    p.stabilize();
    expect(p.leader()).toBe('b');
    expect([p.raft('b').term, p.raft('c').term]).toEqual([2, 2]);
    expect(p.sentOf('preVote').filter((m) => m.term > 1)).toEqual([]);
  });

  it('an uncertain report (a failed redial) still starts with a pre-election', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a', { certain: false });
    expect([p.raft('b').role, p.raft('b').term]).toEqual(['preCandidate', 1]);
    expect(p.take('b').filter((m) => m.type === 'vote' || m.type === 'preVote')).toMatchObject([
      { type: 'preVote', to: 'c', term: 2 },
    ]);
  });

  it('a survivor ranked r >= 1 waits 1 + r * stagger ticks and then pre-campaigns, certain or not', () => {
    const p = cluster();
    p.isolate('a');
    p.isolate('b'); // the first-ranked survivor never campaigns
    p.raft('c').leaderLost('a', certain);
    const lost = p.node('c').events.find((e) => e.type === 'leaderLost');
    expect(lost).toMatchObject({ inTicks: 1 + options.leaderLostStaggerTick, certain: true });
    p.tick(1 + options.leaderLostStaggerTick, ['c']);
    expect(kinds(p, 'c')).toEqual(['becamePreCandidate']);
  });

  it('the rank-1 survivor that refused the vote under the lease grants it when told of its own loss', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a', certain);
    p.stabilize(); // c still honours a's lease: it refuses silently
    expect(p.node('c').events.filter((e) => e.type === 'voteRefused')).toMatchObject([
      { pre: false, candidate: 'b', reason: 'inLease' },
    ]);
    p.raft('c').leaderLost('a', certain);
    expect(p.take('c')).toMatchObject([{ type: 'voteResp', to: 'b', term: 2, reject: false }]);
    expect(kinds(p, 'c')).toEqual([]);
  });

  it('the fast candidate asks again every tick the voters that have not answered', () => {
    const p = cluster();
    p.isolate('a');
    p.raft('b').leaderLost('a', certain);
    p.stabilize(); // refused silently by c (lease)
    p.tick(1, ['b']); // c is still not told: refused again
    p.tick(1, ['b']);
    expect(p.sentOf('vote', { from: 'b', to: 'c' }).length).toBe(3);
    p.raft('c').leaderLost('a', { certain: false }); // answers the refused request at once
    p.stabilize();
    expect(p.leader()).toBe('b');
    expect(p.raft('b').term).toBe(2);
  });

  it('a survivor whose log is ahead refuses the fast candidate and campaigns instead: one more term at most', () => {
    const p = cluster();
    p.cutLink('a', 'b');
    p.propose('a', 'only a and c have it');
    p.isolate('a');
    p.raft('c').leaderLost('a', certain);
    p.raft('b').leaderLost('a', certain); // b, first-ranked, asks c for its vote for term 2
    p.stabilize();
    expect(p.node('c').events.filter((e) => e.type === 'campaignInstead')).toMatchObject([
      { candidate: 'b' },
    ]);
    expect(p.leader()).toBe('c');
    expect([p.raft('b').term, p.raft('c').term]).toEqual([3, 3]);
    expect(p.node('c').appliedData).toContain('only a and c have it');
  });

  it('a survivor campaigning instead is not stalled by the refusal of its earlier pre-election (bench run B-1)', () => {
    const p = cluster();
    p.cutLink('a', 'b');
    p.propose('a', 'only a and c have it');
    p.isolate('a');
    const of = (ms: Message[], type: Message['type'], to: NodeId) =>
      ms.filter((m) => m.type === type && m.to === to);
    p.raft('b').leaderLost('a', certain);
    const bVote = of(p.take('b'), 'vote', 'c');
    p.raft('c').leaderLost('a', certain);
    for (let i = 0; i < 1 + options.leaderLostStaggerTick; i++) p.raft('c').tick();
    const cFirstPre = of(p.take('c'), 'preVote', 'b'); // c's staggered pre-election, for term 2
    for (const m of bVote) p.deliver(m); // c refuses b (its log is ahead) and asks for term 3
    const cSecondPre = of(p.take('c'), 'preVote', 'b');
    expect(cSecondPre).toMatchObject([{ term: 3 }]);
    for (const m of cFirstPre) p.deliver(m); // b, candidate of term 2, refuses the term-2 ask...
    for (const m of p.take('b')) p.deliver(m); // ...and c hears that refusal while asking for term 3
    for (const m of cSecondPre) p.deliver(m); // b grants the term-3 ask
    for (const m of p.take('b')) p.deliver(m);
    expect([p.raft('c').role, p.raft('c').term]).toEqual(['candidate', 3]);
    p.stabilize();
    expect(p.leader()).toBe('c');
  });

  it('five nodes, every survivor told of a certain loss: one leader, one new term', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const p = cluster(ids);
    p.isolate('a');
    for (const id of ['b', 'c', 'd', 'e']) p.raft(id).leaderLost('a', certain);
    p.stabilize();
    p.tick(10, ['b', 'c', 'd', 'e']);
    expect(['b', 'c', 'd', 'e'].filter((id) => p.raft(id).role === 'leader')).toEqual(['b']);
    expect(['b', 'c', 'd', 'e'].map((id) => p.raft(id).term)).toEqual([2, 2, 2, 2]);
  });
});

describe('fast failover: a certain report about a live leader (only a bug can send one)', () => {
  // What happens: b campaigns for term 2; c, which hears a, refuses silently (lease) and a, the
  // leader, too; b answers a's next heartbeat (a stale term) with its term, so a steps down. a's
  // log is at least b's, so b wins term 2 with a's vote when b missed nothing; a b that missed
  // entries is refused, and the first election timeout elects someone in term 3. No committed
  // entry is lost either way (§5.4: a candidate behind the log never gets a majority).
  it('b up to date: it takes over in term 2, and every committed entry stays', () => {
    const p = cluster();
    p.propose('a', 'committed before the report');
    p.raft('b').leaderLost('a', certain);
    p.tick(options.electionTick * 3);
    expect(p.leader()).toBe('b');
    expect(['a', 'b', 'c'].map((id) => p.raft(id).term)).toEqual([2, 2, 2]);
    for (const id of ['a', 'b', 'c']) expect(p.node(id).appliedData).toContain('committed before the report');
  });

  it('b behind the leader: at most two terms and one election timeout, and every committed entry stays', () => {
    const p = cluster();
    p.cutLink('a', 'b');
    p.propose('a', 'b has not got it');
    p.raft('b').leaderLost('a', certain);
    p.heal();
    p.tick(options.electionTick * 5);
    const leader = p.leader();
    expect(leader === 'a' || leader === 'c').toBe(true);
    expect(Math.max(...['a', 'b', 'c'].map((id) => p.raft(id).term))).toBeLessThanOrEqual(3);
    for (const id of ['a', 'b', 'c']) expect(p.node(id).appliedData).toContain('b has not got it');
  });
});
