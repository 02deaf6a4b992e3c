/**
 * Block execution waits while the node has lost its leader (docs/raft.md, fast failover): from the
 * loss until a leader is known again or `holdMs` passed, whichever first; never at start-up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaderlessHold } from '../../../node/raft/leaderless-hold.js';

describe('the leaderless hold', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a node that never knew a leader is not held (start-up)', () => {
    const h = new LeaderlessHold(500);
    h.onLeader(null);
    expect(h.wait()).toBeNull();
  });

  it('holds from the loss of the leader until a leader is known again', async () => {
    const h = new LeaderlessHold(500);
    h.onLeader('a');
    expect(h.wait()).toBeNull();
    h.onLeader(null);
    const waiting = h.wait();
    expect(waiting).not.toBeNull();
    let released = false;
    void waiting?.then(() => (released = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(released).toBe(false);
    h.onLeader('b');
    await vi.advanceTimersByTimeAsync(0);
    expect([released, h.wait()]).toEqual([true, null]);
  });

  it('releases after holdMs when no leader comes, and does not hold again until a leader was known', async () => {
    const h = new LeaderlessHold(500);
    h.onLeader('a');
    h.onLeader(null);
    await vi.advanceTimersByTimeAsync(500);
    expect(h.wait()).toBeNull();
    h.onLeader(null); // still leaderless: the hold was spent
    expect(h.wait()).toBeNull();
    h.onLeader('b');
    h.onLeader(null);
    expect(h.wait()).not.toBeNull();
  });

  it('a hold of 0 ms never holds', () => {
    const h = new LeaderlessHold(0);
    h.onLeader('a');
    h.onLeader(null);
    expect(h.wait()).toBeNull();
  });

  it('stop releases a waiter', async () => {
    const h = new LeaderlessHold(500);
    h.onLeader('a');
    h.onLeader(null);
    const waiting = h.wait();
    h.stop();
    await expect(waiting).resolves.toBeUndefined();
  });
});
