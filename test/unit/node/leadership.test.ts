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
  });
  const soft = (leader: string | null, role: Role, t = term) => {
    term = t;
    leadership.onSoftState(leader, role);
  };
  return { producer, metrics, seen, leadership, soft, logTipCalls: () => logTipCalls };
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
});
