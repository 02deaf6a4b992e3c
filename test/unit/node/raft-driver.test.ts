/**
 * The Raft driver (node/raft/driver.ts) over a real Raft core, with in-memory persistence and hooks
 * that record a trace: the order it carries out a Ready in, how far the loop may run ahead of the
 * state machine, conf changes behind the apply queue, and faults. Time is vitest's fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRaftOptions } from '../../../consensus/options.js';
import { Raft } from '../../../consensus/raft.js';
import { MemoryStorage } from '../../../consensus/storage.js';
import type { Entry, Message } from '../../../consensus/types.js';
import { RaftDriver, type RaftDriverHooks } from '../../../node/raft/driver.js';
import { log } from './fixtures.js';

const TICK_MS = 10;

/** A promise with its resolve handle. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}

interface Member {
  readonly id: string;
  readonly raft: Raft;
  readonly storage: MemoryStorage;
  readonly driver: RaftDriver;
  /** What happened, in order: ready, persist, send, apply:<indexes>, applied:<indexes>, conf:<index>, advance. */
  readonly trace: string[];
  readonly faults: Error[];
  /** Indexes of entries whose apply resolved. */
  readonly applied: number[];
  persistCalls: number;
}

interface MemberInit {
  readonly voters: readonly string[];
  readonly maxApplyBacklog: number;
  readonly send?: (m: Message) => void;
  /** Replaces the apply hook (after the trace entry). */
  readonly apply?: (entries: readonly Entry[]) => Promise<void>;
  readonly persistFails?: () => boolean;
  readonly parallelPersist?: boolean;
}

function member(id: string, init: MemberInit): Member {
  const storage = new MemoryStorage({ voters: init.voters });
  const raft = new Raft({
    ...defaultRaftOptions,
    preVote: false,
    checkQuorum: false,
    id,
    storage,
    // Fixed jitter per node so the group elects deterministically.
    random: () => (id === 'a' ? 0 : 0.9),
  });
  const trace: string[] = [];
  const faults: Error[] = [];
  const applied: number[] = [];
  const ready = raft.ready.bind(raft);
  raft.ready = () => {
    trace.push('ready');
    return ready();
  };
  const advance = raft.advance.bind(raft);
  raft.advance = (rd) => {
    trace.push('advance');
    advance(rd);
  };
  const m: Member = {
    id,
    raft,
    storage,
    trace,
    faults,
    applied,
    persistCalls: 0,
    driver: undefined as unknown as RaftDriver,
  };
  const hooks: RaftDriverHooks = {
    send: (msg) => {
      // A leader's appends and heartbeats ('lead') may leave before its persist (thesis 10.2.1).
      trace.push(msg.type === 'append' || msg.type === 'heartbeat' ? 'lead' : 'send');
      init.send?.(msg);
    },
    apply: async (entries) => {
      const idx = entries.map((e) => e.index).join(',');
      trace.push(`apply:${idx}`);
      await init.apply?.(entries);
      applied.push(...entries.map((e) => e.index));
      trace.push(`applied:${idx}`);
    },
    restore: async () => {
      trace.push('restore');
    },
    onConfState: (_conf, change) => trace.push(`conf:${change.type}:${change.node}`),
  };
  const driver = new RaftDriver(
    {
      tickMs: TICK_MS,
      maxApplyBacklog: init.maxApplyBacklog,
      parallelPersist: init.parallelPersist ?? false,
    },
    {
      raft,
      persistence: {
        storage,
        persist: async (rd) => {
          m.persistCalls++;
          trace.push('persist');
          if (init.persistFails?.()) throw new Error('disk full');
          if (rd.snapshot) storage.applySnapshot(rd.snapshot);
          storage.append([...rd.entries]);
          if (rd.hardState) storage.setHardState(rd.hardState);
        },
        saveConfState: async (_conf, index) => {
          trace.push(`saveConf:${index}`);
        },
      },
      hooks,
      log,
      onFault: (err) => faults.push(err),
    },
  );
  (m as { driver: RaftDriver }).driver = driver;
  return m;
}

/** A single-voter member, started and elected. */
async function soloLeader(init: Omit<MemberInit, 'voters'>): Promise<Member> {
  const m = member('a', { ...init, voters: ['a'] });
  m.driver.start();
  await vi.advanceTimersByTimeAsync(TICK_MS * 25);
  expect(m.raft.status().role).toBe('leader');
  return m;
}

const enc = (s: string) => new TextEncoder().encode(s);
const drivers: RaftDriver[] = [];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.stop();
  vi.useRealTimers();
});

/** The trace split into one segment per Ready (from `ready` to its `advance`). */
function segments(trace: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const t of trace) {
    if (t === 'ready') cur = [];
    else if (t === 'advance') {
      if (cur) out.push(cur);
      cur = null;
    } else cur?.push(t.replace(/:.*$/, ''));
  }
  return out;
}

describe('RaftDriver carries out a Ready', () => {
  it.each([false, true])(
    'persisting before sending (with parallelPersist %s: appends of a leader first), sending before applying, applying before advancing',
    async (parallelPersist) => {
      const group = new Map<string, Member>();
      for (const id of ['a', 'b', 'c']) {
        group.set(
          id,
          member(id, {
            voters: ['a', 'b', 'c'],
            maxApplyBacklog: 0,
            parallelPersist,
            // Delivered after the sender's Ready step, as a network would.
            send: (msg) => queueMicrotask(() => group.get(msg.to)?.driver.step(msg)),
          }),
        );
      }
      for (const m of group.values()) {
        drivers.push(m.driver);
        m.driver.start();
      }
      await vi.advanceTimersByTimeAsync(TICK_MS * 25);
      const a = group.get('a')!;
      expect(a.raft.status().role).toBe('leader');
      for (let i = 0; i < 3; i++) a.driver.propose(enc(`x${i}`));
      await vi.advanceTimersByTimeAsync(TICK_MS * 5);

      for (const m of group.values()) {
        expect(m.applied).toEqual([1, 2, 3, 4]);
        for (const seg of segments(m.trace)) {
          const order = parallelPersist
            ? /^(lead ?)*(persist ?)?((send|lead) ?)*(apply applied ?)*$/
            : /^(persist ?)?((send|lead) ?)*(apply applied ?)*$/;
          expect(seg.join(' ')).toMatch(order);
        }
      }
      // The order was exercised, not vacuous: some Ready persisted, sent and applied.
      const full = [...group.values()].flatMap((m) => segments(m.trace));
      expect(full.some((s) => s.includes('persist') && s.includes('send') && s.includes('apply'))).toBe(true);
      // ...and with parallelPersist the leader's appends left before its own write of their entries.
      expect(full.some((s) => s.join(' ').startsWith('lead lead persist'))).toBe(parallelPersist);
    },
  );
});

describe('RaftDriver apply backlog', () => {
  it('never hands over more than maxApplyBacklog entries ahead of the state machine', async () => {
    const g = gate();
    const m = await soloLeader({ maxApplyBacklog: 3, apply: () => g.promise });
    drivers.push(m.driver);
    let worst = 0;
    for (let i = 0; i < 10; i++) {
      m.driver.propose(enc(`x${i}`));
      await vi.advanceTimersByTimeAsync(TICK_MS);
      worst = Math.max(worst, m.raft.status().applied - m.applied.length);
    }
    // The election's no-op entry and two blocks are handed over; the third would pass the bound.
    expect(worst).toBe(3);
    expect(m.raft.status().applied).toBe(3);
    g.open();
    await vi.advanceTimersByTimeAsync(TICK_MS * 5);
    expect(m.applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('with a backlog of 0 applies every Ready before advancing', async () => {
    const m = await soloLeader({ maxApplyBacklog: 0 });
    drivers.push(m.driver);
    m.driver.propose(enc('x'));
    await vi.advanceTimersByTimeAsync(TICK_MS);
    const last = m.trace.lastIndexOf('advance');
    expect(m.trace.slice(last - 2, last + 1)).toEqual(['apply:2', 'applied:2', 'advance']);
  });

  it('holds a conf change until every entry queued before it is applied', async () => {
    const g = gate();
    let blocked = true;
    const m = await soloLeader({
      maxApplyBacklog: 8,
      apply: (entries) => (blocked && entries.some((e) => e.data.length > 0) ? g.promise : Promise.resolve()),
    });
    drivers.push(m.driver);
    m.driver.propose(enc('block'));
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(m.driver.proposeConfChange({ type: 'addLearner', node: 'x' }).ok).toBe(true);
    await vi.advanceTimersByTimeAsync(TICK_MS * 5);
    expect(m.trace.some((t) => t.startsWith('saveConf'))).toBe(false);
    blocked = false;
    g.open();
    await vi.advanceTimersByTimeAsync(TICK_MS * 5);
    const done = m.trace.indexOf('applied:2');
    const saved = m.trace.indexOf('saveConf:3');
    expect(done).toBeGreaterThan(0);
    expect(saved).toBeGreaterThan(done);
    expect(m.trace[saved + 1]).toBe('conf:addLearner:x');
    expect(m.raft.status().conf.learners).toEqual(['x']);
  });
});

describe('RaftDriver faults', () => {
  it('reports a failed persist once and runs no further Ready', async () => {
    let fail = false;
    const m = await soloLeader({ maxApplyBacklog: 4, persistFails: () => fail });
    drivers.push(m.driver);
    fail = true;
    m.driver.propose(enc('x'));
    await vi.advanceTimersByTimeAsync(TICK_MS * 5);
    const calls = m.persistCalls;
    m.driver.propose(enc('y'));
    await vi.advanceTimersByTimeAsync(TICK_MS * 20);
    expect(m.faults.map((e) => e.message)).toEqual(['disk full']);
    expect(m.persistCalls).toBe(calls);
  });

  it('reports a failed apply once, though the queue and the waiting loop all see it, and stops', async () => {
    let fail!: (err: Error) => void;
    const failing = new Promise<void>((_, reject) => {
      fail = reject;
    });
    const m = await soloLeader({
      maxApplyBacklog: 2,
      apply: (entries) => (entries.some((e) => e.data.length > 0) ? failing : Promise.resolve()),
    });
    drivers.push(m.driver);
    // Two applies queued behind the failing one, and the loop waiting for room in the queue.
    for (let i = 0; i < 3; i++) {
      m.driver.propose(enc(`x${i}`));
      await vi.advanceTimersByTimeAsync(TICK_MS);
    }
    fail(new Error('apply failed'));
    await vi.advanceTimersByTimeAsync(TICK_MS);
    expect(m.faults.map((e) => e.message)).toEqual(['apply failed']);
    const calls = m.persistCalls;
    m.driver.propose(enc('late'));
    await vi.advanceTimersByTimeAsync(TICK_MS * 10);
    expect(m.persistCalls).toBe(calls);
    expect(m.faults).toHaveLength(1);
  });
});
