/** The leader's membership rounds (node/raft/membership-reconciler.ts), against fake Raft status and validators. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConfChange, Role, Status } from '../../../consensus/types.js';
import type { Validator } from '../../../node/raft/membership.js';
import { MembershipReconciler } from '../../../node/raft/membership-reconciler.js';
import { log } from './fixtures.js';

const validator = (peerId: string): Validator => ({
  peerId,
  publicKey: new Uint8Array(32),
  name: peerId,
  p2p: [],
  http: '',
});

function setup(over: { role?: Role; refuse?: boolean; throws?: boolean } = {}) {
  const proposed: ConfChange[] = [];
  let faulted = false;
  let wanted = ['a', 'b', 'c'];
  const r = new MembershipReconciler(
    { intervalMs: 100 },
    {
      status: () =>
        ({
          role: over.role ?? 'leader',
          commit: 10,
          conf: { voters: ['a', 'b', 'c'], learners: [] },
        }) as unknown as Status,
      matchOf: () => 10,
      proposeConfChange: (change) => {
        if (over.throws) throw new Error('invalid_conf_change');
        proposed.push(change);
        return over.refuse
          ? { ok: false, code: 'conf_change_pending', leader: 'a' }
          : { ok: true, index: 11, term: 1 };
      },
      validators: () => wanted.map(validator),
      faulted: () => faulted,
      log,
    },
  );
  return {
    r,
    proposed,
    fault: () => {
      faulted = true;
    },
    want: (ids: string[]) => {
      wanted = ids;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MembershipReconciler', () => {
  it('proposes nothing when Raft already holds the validator set', () => {
    const s = setup();
    s.r.reconcile();
    expect(s.proposed).toEqual([]);
  });

  it('proposes the next step toward the validator set on the leader', () => {
    const s = setup();
    s.want(['a', 'b', 'c', 'd']);
    s.r.reconcile();
    expect(s.proposed).toEqual([{ type: 'addLearner', node: 'd' }]);
  });

  it('proposes nothing on a follower', () => {
    const s = setup({ role: 'follower' });
    s.want(['a', 'b', 'c', 'd']);
    s.r.reconcile();
    expect(s.proposed).toEqual([]);
  });

  it('proposes nothing once the node has faulted', () => {
    const s = setup();
    s.want(['a', 'b']);
    s.fault();
    s.r.reconcile();
    expect(s.proposed).toEqual([]);
  });

  it('does not throw when the core throws on the change it proposes', () => {
    const s = setup({ throws: true });
    s.want(['a', 'b']);
    expect(() => s.r.reconcile()).not.toThrow();
  });

  it('runs one round per interval between start and stop, retrying a refused change', () => {
    const s = setup({ refuse: true });
    s.want(['a', 'b']);
    s.r.start();
    vi.advanceTimersByTime(350);
    expect(s.proposed).toEqual(Array(3).fill({ type: 'removeNode', node: 'c' }));
    s.r.stop();
    vi.advanceTimersByTime(1000);
    expect(s.proposed).toHaveLength(3);
  });
});
