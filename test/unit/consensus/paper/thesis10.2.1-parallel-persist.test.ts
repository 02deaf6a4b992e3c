/**
 * Raft thesis §10.2.1: "the leader can write to its disk in parallel with replicating to the
 * followers and then writing to their disks ... the leader may even commit an entry before it has
 * been written to its own disk, if a majority of followers have written it." The leader's own copy
 * counts toward a commit only once its driver persisted it (advance), never when it is appended.
 */
import { describe, expect, it } from 'vitest';
import type { Message, Ready } from '../../../../consensus/types.js';
import { bytes, Pump } from '../helpers/pump.js';

/** A 3-voter cluster led by `a`, with `a` holding an outstanding Ready for one new proposal. */
function leaderMidPersist(): { p: Pump; rd: Ready } {
  const p = new Pump(['a', 'b', 'c']);
  p.campaign('a');
  expect(p.raft('a').role).toBe('leader');
  p.raft('a').propose(bytes('x'));
  const rd = p.raft('a').ready();
  return { p, rd };
}

/** Delivers `m` to its follower, lets it persist and answer, and returns its answers to the leader. */
function followerAnswers(p: Pump, m: Message): Message[] {
  p.raft(m.to).step(m);
  p.handleReady(m.to);
  const out = p.queue.filter((q) => q.to === 'a');
  p.queue = p.queue.filter((q) => q.to !== 'a');
  return out;
}

/** The leader's driver persists `rd` (entries and hard state) and advances. */
function persistAndAdvance(p: Pump, rd: Ready): void {
  const n = p.node('a');
  n.storage.append(rd.entries);
  if (rd.hardState) n.storage.setHardState(rd.hardState);
  n.raft.advance(rd);
}

describe('thesis §10.2.1: the leader writes to its disk in parallel with replicating', () => {
  it('the appends carrying new entries may leave before the leader persisted them', () => {
    const { rd } = leaderMidPersist();
    expect(rd.entries.map((e) => e.index)).toEqual([2]);
    const early = rd.early ?? [];
    expect(early.map((m) => [m.type, m.to])).toEqual([
      ['append', 'b'],
      ['append', 'c'],
    ]);
    // The same message objects as in `messages`: a driver sends each once.
    for (const m of early) expect(rd.messages).toContain(m);
  });

  it('one follower ack is not a majority while the leader has not written the entry itself', () => {
    const { p, rd } = leaderMidPersist();
    const toB = (rd.early ?? []).find((m) => m.to === 'b');
    if (toB === undefined) throw new Error('no early append to b');
    for (const ack of followerAnswers(p, toB)) p.raft('a').step(ack);
    expect(p.raft('a').status().commit).toBe(1);
    // Its own write done: the leader and b are a majority.
    persistAndAdvance(p, rd);
    expect(p.raft('a').status().commit).toBe(2);
  });

  it('the leader commits an entry before writing it, once a majority of followers wrote it', () => {
    const { p, rd } = leaderMidPersist();
    for (const m of rd.early ?? []) for (const ack of followerAnswers(p, m)) p.raft('a').step(ack);
    expect(p.raft('a').status().commit).toBe(2);
    // Not handed over before its own write: the outstanding Ready is advanced first.
    persistAndAdvance(p, rd);
    p.stabilize();
    expect(p.node('a').appliedData).toEqual(['x']);
  });

  it('a one-voter leader commits its entry only after persisting it', () => {
    const p = new Pump(['a']);
    p.campaign('a');
    p.raft('a').propose(bytes('solo'));
    const rd = p.raft('a').ready();
    expect(rd.entries.map((e) => e.index)).toEqual([2]);
    expect(rd.committedEntries.map((e) => e.index)).not.toContain(2);
    persistAndAdvance(p, rd);
    expect(p.raft('a').status().commit).toBe(2);
    p.handleReady('a');
    expect(p.node('a').appliedData).toEqual(['solo']);
  });

  it('nothing leaves early from a Ready that changes the term or vote', () => {
    // A one-voter cluster with a learner: campaigning makes it leader in the Ready of the new term.
    const p = new Pump(['a'], { learners: ['l'] });
    for (let i = 0; i < 2 * p.raft('a').config.electionTick + 1 && p.raft('a').role !== 'leader'; i++)
      p.raft('a').tick();
    expect(p.raft('a').role).toBe('leader');
    const rd = p.raft('a').ready();
    expect(rd.hardState?.term).toBe(1);
    expect(rd.messages.some((m) => m.type === 'append' && m.to === 'l')).toBe(true);
    expect(rd.early).toBeUndefined();
  });

  it('votes and acknowledgements never leave early', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.campaign('a');
    p.raft('a').propose(bytes('y'));
    p.handleReady('a');
    const toB = p.queue.find((m) => m.to === 'b' && m.type === 'append');
    if (toB === undefined) throw new Error('no append to b');
    p.raft('b').step(toB);
    const rd = p.raft('b').ready();
    expect(rd.messages.some((m) => m.type === 'appendResp')).toBe(true);
    expect(rd.early).toBeUndefined();
  });
});
