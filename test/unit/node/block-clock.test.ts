import { describe, expect, it } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import { EntryType } from '../../../consensus/types.js';
import { silentLogger } from '../../../node/log.js';
import { NodeMetrics } from '../../../node/metrics.js';
import { BlockClock, type LeaderClockInput, leaderClockVerdict } from '../../../node/raft/block-clock.js';
import { buildBlock, encodeBlock } from '../../../protocol/chain/block.js';
import { createSigner } from '../../../protocol/chain/keys.js';

const NOW = 1_800_000_000_000;
const signer = createSigner(new Uint8Array(32).fill(7));

function blockAt(time: number): Uint8Array {
  const f = {
    chainId: 'c',
    height: 1,
    parentHash: new Uint8Array(32),
    stateHeight: 0,
    stateRoot: new Uint8Array(32),
    term: 2,
    time,
  };
  return encodeBlock(buildBlock(f, [], signer));
}

const append = (from: string, ...data: Uint8Array[]): Message => ({
  type: 'append',
  from,
  to: 'me',
  term: 2,
  prevIndex: 0,
  prevTerm: 0,
  commit: 0,
  entries: data.map((d, i) => ({ index: i + 1, term: 2, type: EntryType.Normal, data: d })),
});
const vote = (from: string): Message => ({
  type: 'vote',
  from,
  to: 'me',
  term: 3,
  lastLogIndex: 9,
  lastLogTerm: 2,
  transfer: false,
});
const heartbeat = (from: string): Message => ({ type: 'heartbeat', from, to: 'me', term: 2, commit: 0 });

function setup(bound = 5_000, distrust = 30_000) {
  let now = NOW;
  const metrics = new NodeMetrics();
  const clock = new BlockClock(
    { maxClockSkewMs: bound, distrustMs: distrust },
    { now: () => now, metrics, log: silentLogger() },
  );
  return { clock, metrics, advance: (ms: number) => (now += ms) };
}

const counter = async (m: NodeMetrics, name: string) =>
  (await m.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

describe('a follower keeps blocks from the future out of its Raft log', () => {
  it('takes a block stamped within the bound ahead of its clock', () => {
    expect(setup().clock.admit(append('leader', blockAt(NOW + 5_000)))).toBe(true);
  });

  it('refuses an append carrying a block stamped beyond the bound', async () => {
    const { clock, metrics } = setup();
    expect(clock.admit(append('leader', blockAt(NOW + 5_001)))).toBe(false);
    expect(await counter(metrics, 'ehrchain_blocks_refused_future_total')).toBe(1);
  });

  it('refuses the whole append when one of its blocks is from the future', () => {
    expect(setup().clock.admit(append('leader', blockAt(NOW), blockAt(NOW + 3_600_000)))).toBe(false);
  });

  it('takes blocks from the past, however old (a lagging follower catching up)', () => {
    expect(setup().clock.admit(append('leader', blockAt(NOW - 86_400_000)))).toBe(true);
  });

  it('passes entries that are not blocks (a new leader no-op, garbage) to Raft and the applier', () => {
    expect(setup().clock.admit(append('leader', new Uint8Array(0), new Uint8Array([1, 2, 3])))).toBe(true);
  });

  it('neither follows nor votes for the proposer of a future block until distrustMs has passed', () => {
    const { clock, advance } = setup(5_000, 30_000);
    clock.admit(append('skewed', blockAt(NOW + 3_600_000)));
    expect(clock.admit(heartbeat('skewed'))).toBe(false);
    expect(clock.admit(vote('skewed'))).toBe(false);
    expect(clock.admit(heartbeat('honest'))).toBe(true);
    advance(30_000);
    expect(clock.admit(vote('skewed'))).toBe(true);
  });

  it('reports the skew of each block it takes, in seconds', async () => {
    const { clock, metrics } = setup();
    clock.admit(append('leader', blockAt(NOW - 1_500)));
    expect(await counter(metrics, 'ehrchain_clock_skew_seconds')).toBe(-1.5);
  });
});

describe('a leader cuts only when its clock moves consent time forward (leaderClockVerdict)', () => {
  const B = 5_000;
  const T = NOW;
  /** A leader that began leading at wall T, monotonic 0, whose parent block is at `tip`. */
  const at = (tip: number, wall: number, mono: number, timeAdvances = false): LeaderClockInput => ({
    tipTime: tip,
    since: { wall: T, mono: 0 },
    now: { wall, mono },
    maxClockSkewMs: B,
    timeAdvances,
  });
  const table: [string, LeaderClockInput, string, number, string][] = [
    // scenario                                        input                                action       behindMs  reason
    ['a clock in step, past the parent', at(T - 10, T + 1_000, 1_000), 'cut', 0, 'ok'],
    ['a clock in the parent millisecond', at(T, T, 0), 'cut', 0, 'ok'],
    ['...under timeAdvances', at(T, T, 0, true), 'wait', 0, 'same_ms'],
    ['a clock 1 s behind the parent', at(T + 1_000, T, 0), 'wait', 1_000, 'behind_chain'],
    ['a clock exactly the bound behind the parent', at(T + B, T, 0), 'wait', B, 'behind_chain'],
    ['a clock an hour behind the parent', at(T + 3_600_000, T, 0), 'stepAside', 3_600_000, 'behind_chain'],
    ['a clock stalled for 1 s', at(T - 10, T, 1_000), 'cut', 1_000, 'ok'],
    ['a clock stalled for exactly the bound', at(T - 10, T, B), 'cut', B, 'ok'],
    ['a clock stalled for the bound and 1 ms', at(T - 10, T, B + 1), 'stepAside', B + 1, 'stalled'],
    [
      'a clock stalled in its parent millisecond, past the bound',
      at(T, T, B + 1, true),
      'stepAside',
      B + 1,
      'stalled',
    ],
    ['a clock at half speed for 20 s', at(T - 10, T + 10_000, 20_000), 'stepAside', 10_000, 'stalled'],
    ['a clock stepped back 3 s while leading', at(T - 10, T + 7_000, 10_000), 'cut', 3_000, 'ok'],
    ['a clock stepped forward an hour while leading', at(T - 10, T + 3_600_000, 1_000), 'cut', 0, 'ok'],
    [
      'a clock behind the parent and stalled: the larger gap',
      at(T + 6_000, T, 9_000),
      'stepAside',
      9_000,
      'stalled',
    ],
  ];
  it.each(table)('%s: %s', (_name, input, action, behindMs, reason) => {
    expect(leaderClockVerdict(input)).toEqual({ action, behindMs, reason });
  });

  it('never lets a stalled clock hold consent time for longer than the bound (any stall, any start)', () => {
    // A naive model: the wall clock stops at `stopAt` ms into the leadership; the leader is asked
    // every 25 ms; the first step-aside comes within the bound (plus one ask) of the stop.
    for (const stopAt of [0, 1, 40, 999, 4_999, 5_000, 12_345]) {
      let steppedAt: number | null = null;
      for (let mono = 0; mono <= stopAt + 2 * B && steppedAt === null; mono += 25) {
        const wall = T + Math.min(mono, stopAt);
        if (leaderClockVerdict(at(T - 1, wall, mono)).action === 'stepAside') steppedAt = mono;
      }
      expect(steppedAt, `stopped at ${stopAt}`).not.toBeNull();
      expect(steppedAt! - stopAt, `stopped at ${stopAt}`).toBeLessThanOrEqual(B + 25);
    }
  });
});
