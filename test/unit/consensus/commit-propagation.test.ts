/**
 * Commit propagation (`lazyCommit`, consensus/replication.ts; docs/raft.md#commit-propagation).
 *
 * Raft §5.3: "The leader keeps track of the highest index it knows to be committed, and it includes
 * that index in future AppendEntries RPCs (including heartbeats) so that the other servers
 * eventually find out." With `lazyCommit` the leader relies on exactly that: a commit advance with
 * nothing new for a follower sends no append of its own when a heartbeat is due at the next tick.
 */
import { describe, expect, it } from 'vitest';
import type { AppendMsg, Message } from '../../../consensus/types.js';
import { bytes, Pump } from './helpers/pump.js';

/** Appends from `from` to `to` that carry no entries: what only advances a follower's commit. */
const commitOnly = (sent: readonly Message[], to: string) =>
  sent.filter((m): m is AppendMsg => m.type === 'append' && m.to === to && m.entries.length === 0);

function cluster(lazyCommit: boolean, heartbeatTick = 1) {
  const p = new Pump(['a', 'b', 'c'], { options: { lazyCommit, heartbeatTick } });
  p.elect('a');
  p.tick(1, ['a']); // everyone knows the leader's first entry is committed
  return p;
}

/**
 * The leader proposes x, then y before any acknowledgement, and the followers' acknowledgements
 * come back in order: x commits while y is still in flight to both followers (blocks pipelined).
 */
function pipelined(lazyCommit: boolean, heartbeatTick = 1) {
  const p = cluster(lazyCommit, heartbeatTick);
  const from = p.sent.length;
  const a = p.raft('a');
  a.propose(bytes('x'));
  const first = p.take('a');
  a.propose(bytes('y'));
  const second = p.take('a');
  for (const m of [...first, ...second]) p.deliver(m);
  const acks = p.take();
  const xIndex = a.status().commit + 1;
  const afterX: Message[] = [];
  for (const ack of acks) {
    const before = p.sent.length;
    p.deliver(ack);
    if (a.status().commit === xIndex && afterX.length === 0) afterX.push(...p.sent.slice(before));
  }
  p.stabilize();
  return { p, afterX, sent: p.sent.slice(from) };
}

describe('§5.3: followers find out the commit index from later appends and heartbeats', () => {
  it('with lazyCommit, x committing while y is in flight sends no append that only carries the commit', () => {
    const { afterX } = pipelined(true);
    expect(commitOnly(afterX, 'b')).toEqual([]);
    expect(commitOnly(afterX, 'c')).toEqual([]);
  });

  it('without lazyCommit (etcd), x committing sends every follower an append carrying the commit at once', () => {
    const { afterX } = pipelined(false);
    expect(commitOnly(afterX, 'b')).toHaveLength(1);
    expect(commitOnly(afterX, 'c')).toHaveLength(1);
  });

  it('with lazyCommit, pipelined entries cost each follower one commit-only append instead of two, and all apply the same', () => {
    const lazy = pipelined(true);
    const eager = pipelined(false);
    expect(commitOnly(lazy.sent, 'b')).toHaveLength(1);
    expect(commitOnly(eager.sent, 'b')).toHaveLength(2);
    for (const id of ['a', 'b', 'c']) {
      expect(lazy.p.node(id).appliedData).toEqual(['x', 'y']);
      expect(eager.p.node(id).appliedData).toEqual(['x', 'y']);
    }
  });

  it('with lazyCommit, one entry at a time (nothing in flight past the commit) still sends the commit at once', () => {
    const p = cluster(true);
    const from = p.sent.length;
    p.propose('a', 'x');
    const sent = p.sent.slice(from);
    expect(commitOnly(sent, 'b')).toHaveLength(1);
    expect(commitOnly(sent, 'c')).toHaveLength(1);
    expect(p.node('b').appliedData).toEqual(['x']);
  });

  it('with lazyCommit, the next heartbeat carries a commit no append carried (the later acks lost)', () => {
    const p = cluster(true);
    const a = p.raft('a');
    a.propose(bytes('x'));
    const first = p.take('a');
    a.propose(bytes('y'));
    const second = p.take('a');
    for (const m of [...first, ...second]) p.deliver(m);
    const [bAckX] = p.take(); // every other acknowledgement is lost
    p.deliver(bAckX!);
    expect(p.take('a')).toEqual([]);
    expect(p.node('b').appliedData).toEqual([]);
    p.filter = (m) => m.type === 'heartbeat';
    a.tick();
    p.stabilize();
    expect(p.node('b').appliedData).toEqual(['x']);
    // c's acknowledgement was lost: a heartbeat never commits beyond what the leader knows c holds.
    expect(p.node('c').appliedData).toEqual([]);
  });

  it('with lazyCommit but no heartbeat due at the next tick, the commit goes at once', () => {
    const { afterX } = pipelined(true, 3);
    expect(commitOnly(afterX, 'b')).toHaveLength(1);
  });
});

describe('lazyCommit in the options', () => {
  it('is refused when not a boolean', () => {
    expect(() => new Pump(['a'], { options: { lazyCommit: 'yes' as unknown as boolean } })).toThrow(
      /lazyCommit must be a boolean/,
    );
  });

  it('needs no commit for a proposal the leader alone commits (one voter)', () => {
    const p = new Pump(['a'], { options: { lazyCommit: true } });
    p.elect('a');
    p.raft('a').propose(bytes('solo'));
    p.stabilize();
    expect(p.node('a').appliedData).toEqual(['solo']);
  });
});
