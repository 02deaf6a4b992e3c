/**
 * The recovery rules as tables: which Raft messages a recovering node drops and when it is done
 * (raft/recovery-gate.ts), and when a leader hands over to repair a follower that lost entries
 * (raft/lost-follower.ts).
 */
import { describe, expect, it } from 'vitest';
import { type Entry, EntryType, type Message } from '../../../consensus/types.js';
import { silentLogger } from '../../../node/log.js';
import { LostFollowerWatch } from '../../../node/raft/lost-follower.js';
import { RecoveryGate } from '../../../node/raft/recovery-gate.js';

const base = { from: 'b', to: 'a', term: 3 };
const vote: Message = { ...base, type: 'vote', lastLogIndex: 9, lastLogTerm: 2, transfer: false };
const preVote: Message = { ...base, type: 'preVote', lastLogIndex: 9, lastLogTerm: 2 };
const timeoutNow: Message = { ...base, type: 'timeoutNow' };
const heartbeat: Message = { ...base, type: 'heartbeat', commit: 0 };
const append = (prevIndex: number, entries: number, commit: number): Message => ({
  ...base,
  type: 'append',
  prevIndex,
  prevTerm: 3,
  entries: Array.from(
    { length: entries },
    (_, i): Entry => ({ index: prevIndex + 1 + i, term: 3, type: EntryType.Normal, data: new Uint8Array(0) }),
  ),
  commit,
});
const appendResp = (reject: boolean, rejectHint: number, term = 3): Message => ({
  from: 'c',
  to: 'a',
  term,
  type: 'appendResp',
  index: 50,
  reject,
  rejectHint,
  hintTerm: 0,
});

function gate(active: boolean, applied: { n: number }) {
  let done = 0;
  const g = new RecoveryGate(active, {
    appliedIndex: () => applied.n,
    onDone: async () => {
      done++;
    },
    log: silentLogger(),
  });
  g.stop(); // the test drives check() itself
  return { g, done: () => done };
}

describe('a recovering node', () => {
  it.each([
    ['vote', vote, false],
    ['preVote', preVote, false],
    ['timeoutNow', timeoutNow, false],
    ['heartbeat', heartbeat, true],
    ['append', append(10, 2, 8), true],
  ] as const)('%s: admitted %s', (_name, m, admitted) => {
    expect(gate(true, { n: 0 }).g.admit(m)).toBe(admitted);
  });

  it('admits everything once not recovering', () => {
    const { g } = gate(false, { n: 0 });
    expect([vote, preVote, timeoutNow].every((m) => g.admit(m))).toBe(true);
  });

  it("is done once it applied the higher of the leader's first commit and last sent index", () => {
    const applied = { n: 0 };
    const { g, done } = gate(true, applied);
    g.check();
    expect(g.active).toBe(true); // no leader message yet
    g.admit(append(40, 5, 42)); // target max(42, 45) = 45
    g.admit(append(100, 0, 100)); // later messages do not move the target
    applied.n = 44;
    g.check();
    expect(g.active).toBe(true);
    applied.n = 45;
    g.check();
    expect(g.active).toBe(false);
    expect(done()).toBe(1);
    expect(g.admit(vote)).toBe(true);
  });
});

describe('a leader facing a follower that lost entries', () => {
  function watch(o: { role?: string; match?: number; transferring?: boolean; now?: () => number }) {
    const to: string[] = [];
    const w = new LostFollowerWatch(
      { cooldownMs: 2000 },
      {
        self: 'a',
        status: () => ({
          role: o.role ?? 'leader',
          term: 3,
          voters: ['a', 'b', 'c'],
          transferring: o.transferring ?? false,
        }),
        matchOf: (id) => (id === 'c' ? (o.match ?? 50) : id === 'b' ? 60 : undefined),
        transferLeadership: (id) => to.push(id),
        now: o.now ?? (() => 0),
        log: silentLogger(),
      },
    );
    return { w, to };
  }

  it.each([
    ['a rejection below the recorded match', {}, appendResp(true, 20), ['b']],
    ['a rejection at or above the match', {}, appendResp(true, 50), []],
    ['an acceptance', {}, appendResp(false, 0), []],
    ['a rejection of an older term', {}, appendResp(true, 20, 2), []],
    ['not the leader', { role: 'follower' }, appendResp(true, 20), []],
    ['a transfer already under way', { transferring: true }, appendResp(true, 20), []],
  ] as const)('%s: hands over to %j', (_name, o, m, want) => {
    const { w, to } = watch(o);
    w.observe(m);
    expect(to).toEqual(want);
  });

  it('hands over at most once per cooldown', () => {
    let t = 0;
    const { w, to } = watch({ now: () => t });
    w.observe(appendResp(true, 20));
    t = 1999;
    w.observe(appendResp(true, 20));
    t = 2000;
    w.observe(appendResp(true, 20));
    expect(to).toEqual(['b', 'b']);
  });
});
