/** Following Raft's soft state (node/raft/leadership.ts): leader changes, and handing over block production. */
import { describe, expect, it } from 'vitest';
import type { Role, Status } from '../../../consensus/types.js';
import type { ChainTip } from '../../../node/blocks/rules.js';
import { createNodeEvents } from '../../../node/events.js';
import { NodeMetrics } from '../../../node/metrics.js';
import { Leadership } from '../../../node/raft/leadership.js';
import type { NodeEvent } from '../../../protocol/api.js';
import { counterValue, gaugeValue, log } from './fixtures.js';

const tip: ChainTip = { height: 9, hash: new Uint8Array(32).fill(9), time: 1 };

function setup() {
  let term = 1;
  let clock = 1_000;
  const producer = {
    leading: false,
    calls: [] as string[],
    lead(t: number, from: ChainTip) {
      this.leading = true;
      this.calls.push(`lead:${t}:${from.height}`);
    },
    follow() {
      this.leading = false;
      this.calls.push('follow');
    },
  };
  const metrics = new NodeMetrics();
  const events = createNodeEvents();
  const seen: NodeEvent[] = [];
  events.on('event', (e) => seen.push(e));
  let logTipCalls = 0;
  const leadership = new Leadership({
    status: () => ({ term }) as Status,
    producer,
    logTip: () => {
      logTipCalls++;
      return tip;
    },
    metrics,
    events,
    log,
    now: () => clock,
  });
  const soft = (leader: string | null, role: Role, t = term) => {
    term = t;
    leadership.onSoftState(leader, role);
  };
  const at = (ms: number) => {
    clock = ms;
  };
  return { producer, metrics, seen, leadership, soft, at, logTipCalls: () => logTipCalls };
}

describe('Leadership', () => {
  it('hands block production to this node when it becomes leader, from the log tip', () => {
    const l = setup();
    l.soft('me', 'leader', 3);
    expect(l.producer.calls).toEqual(['lead:3:9']);
    expect(l.logTipCalls()).toBe(1);
  });

  it('does not restart production on a soft state that keeps it leader', () => {
    const l = setup();
    l.soft('me', 'leader', 3);
    l.soft('me', 'leader', 3);
    expect(l.producer.calls).toEqual(['lead:3:9']);
  });

  it('stops production when this node stops leading', () => {
    const l = setup();
    l.soft('me', 'leader', 3);
    l.soft(null, 'candidate', 4);
    expect(l.producer.calls).toEqual(['lead:3:9', 'follow']);
    expect(l.producer.leading).toBe(false);
  });

  it('records each change of leader once: metric, event, and the leader it now knows', async () => {
    const l = setup();
    l.soft('p1', 'follower', 2);
    l.soft('p1', 'follower', 2);
    l.soft(null, 'follower', 3);
    expect(l.seen).toEqual([
      { type: 'leader', leader: 'p1', term: 2 },
      { type: 'leader', leader: null, term: 3 },
    ]);
    expect(await counterValue(l.metrics.leaderChanges)).toBe(2);
    expect(l.leadership.leader).toBeNull();
    expect(l.producer.calls).toEqual([]);
  });

  it('sets the term and is-leader gauges', async () => {
    const l = setup();
    l.soft('me', 'leader', 5);
    expect(await gaugeValue(l.metrics.raftTerm)).toBe(5);
    expect(await gaugeValue(l.metrics.isLeader)).toBe(1);
    l.soft('p2', 'follower', 6);
    expect(await gaugeValue(l.metrics.isLeader)).toBe(0);
  });

  it.each([
    [
      'learnt at 1,200 and kept across its own soft states',
      [
        ['p1', 1200],
        ['p1', 1500],
      ],
      'p1',
      1200,
    ],
    [
      'a new leader is stamped anew',
      [
        ['p1', 1200],
        ['p2', 1900],
      ],
      'p2',
      1900,
    ],
    [
      'a leader lost and learnt again is stamped when learnt again',
      [
        ['p1', 1200],
        [null, 1300],
        ['p1', 1700],
      ],
      'p1',
      1700,
    ],
    ['no stamp for a leader this node does not follow (yet)', [['p1', 1200]], 'p2', null],
    [
      'no stamp without a leader',
      [
        ['p1', 1200],
        [null, 1300],
      ],
      null,
      null,
    ],
  ] as const)('leaderSince: %s', (_name, changes, asked, since) => {
    const l = setup();
    for (const [leader, ms] of changes) {
      l.at(ms);
      l.soft(leader, 'follower');
    }
    expect(l.leadership.leaderSince(asked)).toBe(since);
  });
});
