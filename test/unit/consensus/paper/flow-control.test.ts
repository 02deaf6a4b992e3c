/** Batching, pipelining and flow control (etcd's probe/replicate/inflights; thesis §10.2). */
import { describe, expect, it } from 'vitest';
import type { AppendMsg } from '../../../../consensus/types.js';
import { bytes, Pump } from '../helpers/pump.js';

const appendsTo = (msgs: readonly { type: string; to: string }[], to: string) =>
  msgs.filter((m): m is AppendMsg => m.type === 'append' && m.to === to) as AppendMsg[];

describe('batching and pipelining', () => {
  it('batching: proposals made between two Readies travel in one append per follower', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    const a = p.raft('a');
    for (let i = 0; i < 10; i++) expect(a.propose(bytes(`p${i}`)).ok).toBe(true);
    const msgs = p.take('a');
    const toB = appendsTo(msgs, 'b');
    expect(toB.length).toBe(1);
    expect(toB[0]?.entries.length).toBe(10);
  });

  it('batching is bounded by maxSizePerMsg (but an entry larger than the limit still goes alone)', () => {
    const p = new Pump(['a', 'b'], { options: { maxSizePerMsg: 10 } });
    p.elect('a');
    const a = p.raft('a');
    for (let i = 0; i < 6; i++) a.propose(bytes('abcd')); // 4 bytes each: 2 per message
    a.propose(bytes('x'.repeat(25)));
    const toB = appendsTo(p.take('a'), 'b');
    expect(toB.map((m) => m.entries.length)).toEqual([2, 2, 2, 1]);
    expect(
      toB.every((m) => m.entries.reduce((s, e) => s + e.data.byteLength, 0) <= 10 || m.entries.length === 1),
    ).toBe(true);
  });

  it('pipelining: in replicate state the leader sends several appends without waiting, advancing next optimistically', () => {
    const p = new Pump(['a', 'b'], { options: { maxSizePerMsg: 1, maxInflightMsgs: 4 } });
    p.elect('a');
    const a = p.raft('a');
    expect(a.progress('b')?.state).toBe('replicate');
    for (let i = 0; i < 3; i++) a.propose(bytes('x'));
    const toB = appendsTo(p.take('a'), 'b');
    expect(toB.map((m) => m.prevIndex)).toEqual([1, 2, 3]);
    expect(a.progress('b')).toMatchObject({ match: 1, next: 5, inflight: 3 });
  });

  it('flow control: when the inflight window is full the leader stops sending; acks reopen it', () => {
    const p = new Pump(['a', 'b'], { options: { maxSizePerMsg: 1, maxInflightMsgs: 3 } });
    p.elect('a');
    const a = p.raft('a');
    for (let i = 0; i < 10; i++) a.propose(bytes('x'));
    const toB = appendsTo(p.take('a'), 'b');
    expect(toB.length).toBe(3);
    expect(a.progress('b')).toMatchObject({ inflight: 3, paused: true });
    // Acknowledge the first message: exactly one slot opens, one more append goes out.
    a.step({
      type: 'appendResp',
      from: 'b',
      to: 'a',
      term: a.term,
      index: 2,
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
    expect(appendsTo(p.take('a'), 'b').length).toBe(1);
    p.stabilize();
  });

  it('flow control: a follower that stops answering costs bounded messages and memory, whatever the proposal rate', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { maxSizePerMsg: 1, maxInflightMsgs: 4 } });
    p.elect('a');
    p.isolate('c');
    const before = p.sentOf('append', { to: 'c' }).length;
    for (let i = 0; i < 200; i++) p.propose('a', `e${i}`);
    const sent = p.sentOf('append', { to: 'c' }).slice(before);
    // At most maxInflightMsgs appends carry entries; commit-only updates ride along until the window shuts.
    expect(sent.filter((m) => m.entries.length > 0).length).toBe(4);
    expect(sent.length).toBeLessThanOrEqual(8);
    expect(p.raft('a').progress('c')).toMatchObject({ inflight: 4, paused: true });
    // Heartbeats go out but c answers none, so the window stays shut.
    p.tick(20, ['a', 'b']);
    expect(p.sentOf('append', { to: 'c' }).length - before).toBe(sent.length);
    // When c comes back it catches up.
    p.heal();
    p.tick(3, ['a']);
    p.tick(3, ['a']);
    expect(p.node('c').appliedData.length).toBe(200);
  });

  it('flow control: a probe-state follower gets one append per heartbeat, not one per proposal', () => {
    const p = new Pump(['a', 'b', 'c']);
    p.elect('a');
    p.isolate('c');
    p.propose('a', 'x');
    p.heal(); // messages are taken by hand below
    const a = p.raft('a');
    // Force c into probe state: a rejection (as if c's log were shorter).
    a.step({
      type: 'appendResp',
      from: 'c',
      to: 'a',
      term: a.term,
      index: 2,
      reject: true,
      rejectHint: 1,
      hintTerm: 1,
    });
    expect(a.progress('c')?.state).toBe('probe');
    p.take('a');
    for (let i = 0; i < 20; i++) a.propose(bytes(`p${i}`));
    expect(appendsTo(p.take('a'), 'c').length).toBe(0); // paused: the probe is outstanding
    // Each heartbeat response releases exactly one more probe.
    a.tick();
    const hb = p.take('a').filter((m) => m.type === 'heartbeat' && m.to === 'c');
    expect(hb.length).toBe(1);
    a.step({ type: 'heartbeatResp', from: 'c', to: 'a', term: a.term });
    expect(appendsTo(p.take('a'), 'c').length).toBe(1);
  });

  it('maxUncommittedBytes: the leader refuses proposals with too_many_uncommitted while the uncommitted tail is too big', () => {
    const p = new Pump(['a', 'b', 'c'], { options: { maxUncommittedBytes: 10 } });
    p.elect('a');
    p.isolate('b');
    p.isolate('c');
    const a = p.raft('a');
    expect(a.propose(bytes('12345')).ok).toBe(true);
    expect(a.propose(bytes('12345')).ok).toBe(true);
    expect(a.propose(bytes('1'))).toEqual({ ok: false, code: 'too_many_uncommitted', leader: 'a' });
    // Once the tail commits and is applied, proposals are accepted again.
    p.heal();
    p.tick(2, ['a']);
    expect(a.propose(bytes('1')).ok).toBe(true);
  });

  it('maxUncommittedBytes: a single entry bigger than the limit is accepted when nothing is outstanding', () => {
    const p = new Pump(['a', 'b'], { options: { maxUncommittedBytes: 4 } });
    p.elect('a');
    expect(p.raft('a').propose(bytes('0123456789')).ok).toBe(true);
  });

  it('a rejected append moves a replicate-state follower back to probe at match+1', () => {
    const p = new Pump(['a', 'b']);
    p.elect('a');
    p.propose('a', 'x');
    const a = p.raft('a');
    expect(a.progress('b')?.state).toBe('replicate');
    a.step({
      type: 'appendResp',
      from: 'b',
      to: 'a',
      term: a.term,
      index: 5,
      reject: true,
      rejectHint: 2,
      hintTerm: 1,
    });
    expect(a.progress('b')).toMatchObject({ state: 'probe', next: 3 });
    // A stale rejection (at or below match) is ignored.
    a.step({
      type: 'appendResp',
      from: 'b',
      to: 'a',
      term: a.term,
      index: 1,
      reject: true,
      rejectHint: 0,
      hintTerm: 0,
    });
    expect(a.progress('b')?.next).toBe(3);
  });
});
