/**
 * Acting leaderless from the leader's disconnect (node/raft/leader-suspect.ts): what the
 * submissions gate and the block hold are told, event by event.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerLossEvent } from '../../../node/p2p/dialer.js';
import { LeaderSuspect } from '../../../node/raft/leader-suspect.js';

type Step =
  | PeerLossEvent
  | { readonly type: 'raftLeader'; readonly leader: string | null }
  | { readonly type: 'wait'; readonly ms: number };

const disconnected = (peer: string): Step => ({ type: 'disconnected', peer });
const redialled = (peer: string): Step => ({ type: 'redialled', peer, ms: 3 });
const probeRefused = (peer: string): Step => ({ type: 'probeRefused', peer, ms: 40 });

/** Runs `steps` against a LeaderSuspect (max 500 ms) on a node that follows `L`; returns what it was told. */
function run(steps: readonly Step[]): (string | null)[] {
  let raftLeader: string | null = 'L';
  const told: (string | null)[] = [];
  const s = new LeaderSuspect(500, { leader: () => raftLeader, onLeader: (l) => told.push(l) });
  for (const step of steps) {
    if (step.type === 'raftLeader') raftLeader = step.leader;
    else if (step.type === 'wait') vi.advanceTimersByTime(step.ms);
    else s.observe(step);
  }
  return told;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('suspecting the leader lost from its disconnect', () => {
  it.each<[string, Step[], (string | null)[]]>([
    ['the leader disconnects: leaderless at once', [disconnected('L')], [null]],
    ['a follower disconnects: nothing', [disconnected('F')], []],
    ['the leader is redialled: back to it', [disconnected('L'), redialled('L')], [null, 'L']],
    ['a second disconnect while suspected: told once', [disconnected('L'), disconnected('L')], [null]],
    [
      "its port refused: Raft takes over; the timer then tells Raft's view (none, or the new leader)",
      [disconnected('L'), probeRefused('L'), { type: 'raftLeader', leader: 'N' }, { type: 'wait', ms: 500 }],
      [null, 'N'],
    ],
    [
      'nothing settles it: lifted after 500 ms, back to the leader Raft still knows',
      [disconnected('L'), { type: 'wait', ms: 499 }, { type: 'wait', ms: 1 }],
      [null, 'L'],
    ],
    ['a redial of another peer lifts nothing', [disconnected('L'), redialled('F')], [null]],
    [
      'after a lift, a new disconnect of the leader is suspected again',
      [disconnected('L'), redialled('L'), disconnected('L')],
      [null, 'L', null],
    ],
  ])('%s', (_name, steps, told) => {
    expect(run(steps)).toEqual(told);
  });
});
