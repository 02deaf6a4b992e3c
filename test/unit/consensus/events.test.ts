/**
 * RaftConfig.onEvent: the core reports role changes, votes and why, step-downs and why, installed
 * snapshots and leadership transfers. Each case scripts one situation and reads one node's events.
 */
import { describe, expect, it } from 'vitest';
import type { Message, RaftEvent } from '../../../consensus/types.js';
import { formatEvent } from './helpers/events.js';
import { Pump, storageWithLog } from './helpers/pump.js';

/** The events of `id` so far, rendered, and forgotten (so the next read sees only new ones). */
function drain(p: Pump, id: string): string[] {
  const evs = p.node(id).events;
  return evs.splice(0, evs.length).map(formatEvent);
}

/** Only the events of the given types. */
function only(p: Pump, id: string, ...types: RaftEvent['type'][]): string[] {
  return p
    .node(id)
    .events.filter((e) => types.includes(e.type))
    .map(formatEvent);
}

describe('role changes', () => {
  it('a campaign without pre-vote: the winner becomes candidate then leader', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    expect(drain(p, 'a')).toEqual(['becameCandidate term=1', 'becameLeader term=1']);
  });

  it('a voter moves to the new term as follower, then grants its vote', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    expect(drain(p, 'b')).toEqual([
      'becameFollower term=1 leader=none',
      'voteGranted term=1 pre=false candidate=a voteTerm=1',
    ]);
  });

  it('with pre-vote the campaign starts as a pre-candidate in the old term', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { preVote: true } });
    p.campaign('a');
    expect(drain(p, 'a')).toEqual([
      'becamePreCandidate term=0',
      'becameCandidate term=1',
      'becameLeader term=1',
    ]);
    expect(only(p, 'b', 'voteGranted')).toEqual([
      'voteGranted term=0 pre=true candidate=a voteTerm=1',
      'voteGranted term=1 pre=false candidate=a voteTerm=1',
    ]);
  });

  it('no event when the node is built (it starts as a follower of no one)', () => {
    const p = new Pump(['a', 'b', 'c']);
    expect(drain(p, 'a')).toEqual([]);
  });
});

describe('votes refused, and why', () => {
  const request = (
    type: 'vote' | 'preVote',
    from: string,
    term: number,
    lastLogIndex = 0,
    lastLogTerm = 0,
  ): Message =>
    type === 'vote'
      ? { type, from, to: 'b', term, lastLogIndex, lastLogTerm, transfer: false }
      : { type, from, to: 'b', term, lastLogIndex, lastLogTerm };

  it.each([
    {
      why: 'alreadyVoted: b voted for a in term 1, then c asks in the same term',
      setup: (p: Pump) => p.raft('b').step(request('vote', 'a', 1)),
      ask: request('vote', 'c', 1),
      event: 'voteRefused term=1 pre=false candidate=c voteTerm=1 reason=alreadyVoted',
    },
    {
      why: 'staleTerm: a vote for a term below ours',
      setup: (p: Pump) => p.raft('b').step(request('vote', 'a', 3)),
      ask: request('vote', 'c', 2),
      event: 'voteRefused term=3 pre=false candidate=c voteTerm=2 reason=staleTerm',
    },
    {
      why: 'staleTerm: a pre-vote for a term below ours',
      setup: (p: Pump) => p.raft('b').step(request('vote', 'a', 3)),
      ask: request('preVote', 'c', 2),
      event: 'voteRefused term=3 pre=true candidate=c voteTerm=2 reason=staleTerm',
    },
  ])('$why', ({ setup, ask, event }) => {
    const p = new Pump(['a', 'b', 'c']);
    setup(p);
    drain(p, 'b');
    p.raft('b').step(ask);
    expect(drain(p, 'b')).toContain(event);
  });

  it('leaderKnown: b heard from leader a of its term without voting (a won with c)', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.cutLink('a', 'b');
    p.campaign('a'); // a wins with c's vote; b never hears of the election
    p.heal();
    p.tick(1, ['a']); // a heartbeat brings b into term 1 under a, without a vote
    drain(p, 'b');
    p.raft('b').step(request('vote', 'c', 1));
    expect(drain(p, 'b')).toEqual(['voteRefused term=1 pre=false candidate=c voteTerm=1 reason=leaderKnown']);
  });

  it("logNotUpToDate: the candidate's last term is behind ours (§5.4.1)", () => {
    const p = new Pump(['a', 'b', 'c']);
    p.nodes.delete('b');
    p.addNode('b', storageWithLog(['a', 'b', 'c'], [1, 2], { term: 2 }));
    p.raft('b').step(request('vote', 'a', 3, 5, 1));
    expect(drain(p, 'b')).toEqual([
      'becameFollower term=3 leader=none',
      'voteRefused term=3 pre=false candidate=a voteTerm=3 reason=logNotUpToDate',
    ]);
  });

  it('inLease: with check-quorum, a follower that hears from its leader ignores a disruptive pre-vote', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true, preVote: true } });
    p.elect('a');
    drain(p, 'b');
    p.raft('b').step(request('preVote', 'c', 2, 9, 9));
    expect(drain(p, 'b')).toEqual(['voteRefused term=1 pre=true candidate=c voteTerm=2 reason=inLease']);
  });
});

describe('stepping down, and why', () => {
  it('checkQuorum: an isolated leader steps down after an election timeout without a quorum', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { checkQuorum: true } });
    p.elect('a');
    drain(p, 'a');
    p.isolate('a');
    p.tick(20, ['a']);
    expect(drain(p, 'a')).toEqual([
      'steppedDown term=1 from=leader reason=checkQuorum',
      'becameFollower term=1 leader=none',
    ]);
  });

  it('higherTerm: a deposed leader rejoins and steps down to the new term', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('a');
    p.elect('b');
    drain(p, 'a');
    p.heal();
    p.tick(1, ['b']);
    expect(drain(p, 'a')).toEqual([
      'steppedDown term=2 from=leader reason=higherTerm',
      'becameFollower term=2 leader=b',
    ]);
  });

  it('electionLost: a candidate refused by a quorum of up-to-date voters', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.propose('a', 'x');
    p.nodes.delete('c');
    p.addNode('c', storageWithLog(['a', 'b', 'c'], [], { term: 1 })); // c lost its log
    p.campaign('c'); // a and b hold entries of term 1 that c lacks: both refuse
    expect(only(p, 'c', 'steppedDown')).toEqual(['steppedDown term=2 from=candidate reason=electionLost']);
  });

  it('leaderOfTerm: a candidate that hears from the leader of its own term', () => {
    const p = new Pump(['a', 'b', 'c']);
    const c = p.raft('c');
    c.campaign();
    drain(p, 'c');
    c.step({ type: 'heartbeat', from: 'a', to: 'c', term: 1, commit: 0 });
    expect(drain(p, 'c')).toEqual([
      'steppedDown term=1 from=candidate reason=leaderOfTerm',
      'becameFollower term=1 leader=a',
    ]);
  });

  it('removed: a leader whose removal is applied', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    drain(p, 'a');
    expect(p.raft('a').proposeConfChange({ type: 'removeNode', node: 'a' }).ok).toBe(true);
    p.stabilize();
    expect(drain(p, 'a')).toEqual([
      'steppedDown term=1 from=leader reason=removed',
      'becameFollower term=1 leader=none',
    ]);
  });
});

describe('snapshots and transfers', () => {
  it('a lagging follower reports the snapshot it installs', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('c');
    for (const x of ['1', '2', '3']) p.propose('a', x);
    p.compact('a');
    p.heal();
    p.tick(2, ['a']);
    expect(only(p, 'c', 'snapshotInstalled')).toEqual(['snapshotInstalled term=1 index=4 snapshotTerm=1']);
  });

  it('a transfer reports its start, and the leader steps down when the target wins', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    drain(p, 'a');
    p.raft('a').transferLeadership('c');
    p.stabilize();
    expect(drain(p, 'a')).toEqual([
      'transferStarted term=1 to=c',
      'steppedDown term=2 from=leader reason=higherTerm',
      'becameFollower term=2 leader=none',
      'voteGranted term=2 pre=false candidate=c voteTerm=2',
    ]);
  });

  it.each([
    {
      why: 'timeout: the target never answers within an election timeout',
      act: (p: Pump) => {
        p.isolate('c');
        p.raft('a').transferLeadership('c');
        p.tick(10, ['a']);
      },
      events: ['transferStarted term=1 to=c', 'transferAborted term=1 to=c reason=timeout'],
    },
    {
      why: 'superseded: a transfer to another target replaces it',
      act: (p: Pump) => {
        p.isolate('c');
        p.isolate('b');
        p.raft('a').transferLeadership('c');
        p.raft('a').transferLeadership('b');
      },
      events: [
        'transferStarted term=1 to=c',
        'transferAborted term=1 to=c reason=superseded',
        'transferStarted term=1 to=b',
      ],
    },
  ])('a transfer is aborted: $why', ({ act, events }) => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    drain(p, 'a');
    act(p);
    expect(only(p, 'a', 'transferStarted', 'transferAborted')).toEqual(events);
  });
});
