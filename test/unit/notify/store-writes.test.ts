/**
 * What the actor-event index writes per block on a real LevelDB (a temp dir): a block with nothing
 * to index writes no batch and its height still reaches disk (every 64 blocks, and at close); due
 * timers are found at their time after blocks that scanned nothing; old events are still pruned.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Timer } from '../../../node/notify/map.js';
import { type BlockWrite, NotifyStore } from '../../../node/notify/store.js';
import type { ActorEvent } from '../../../protocol/notify.js';

let dir = '';
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<NotifyStore> {
  if (dir === '') dir = await mkdtemp(join(tmpdir(), 'notify-writes-'));
  return NotifyStore.open(dir);
}

const empty = (height: number): BlockWrite => ({
  height,
  events: [],
  addTimers: [],
  doneTimers: [],
  guardians: [],
  deliveries: [],
  pruneBelow: height - 9,
});

const event = (height: number): ActorEvent =>
  ({
    id: `${height}-0`,
    height,
    time: height,
    actor: 'p1',
    type: 'access.requested',
  }) as unknown as ActorEvent;

/** Indexes `height` as notifier.ts does: due timers first, then the block's write. */
async function index(s: NotifyStore, w: BlockWrite): Promise<Timer[]> {
  const done = await s.dueTimers(w.height);
  await s.write({ ...w, doneTimers: done }, 100);
  return done;
}

describe('NotifyStore per block', () => {
  it('writes no batch for blocks with nothing to index, but the height every 64 blocks', async () => {
    const s = await open();
    await index(s, empty(1));
    // A block's write is one native chained batch (store.ts writeOps).
    const proto = Level.prototype as unknown as { _chainedBatch(): unknown };
    const batch = vi.spyOn(proto, '_chainedBatch');
    for (let h = 2; h <= 64; h++) await index(s, empty(h));
    expect(batch).toHaveBeenCalledTimes(0);
    await index(s, empty(65));
    expect(batch).toHaveBeenCalledTimes(1);
    await s.close();
  });

  it('keeps the height of blocks that wrote nothing across a clean close', async () => {
    const s = await open();
    for (let h = 1; h <= 10; h++) await index(s, empty(h));
    await s.close();
    const again = await open();
    expect(again.height).toBe(10);
    await again.close();
  });

  it('finds a timer due at its time, and only once, after blocks that scanned nothing', async () => {
    const s = await open();
    const t: Timer = { kind: 'lapse', due: 5, id: 7 };
    await index(s, { ...empty(1), addTimers: [t] });
    const found: Timer[][] = [];
    for (let h = 2; h <= 7; h++) found.push(await index(s, empty(h)));
    expect(found).toEqual([[], [], [], [t], [], []]);
    await s.close();
  });

  it('finds a timer stored before a restart', async () => {
    const s = await open();
    await index(s, { ...empty(1), addTimers: [{ kind: 'expiring', due: 3, id: 1 }] });
    await s.close();
    const again = await open();
    expect(await index(again, empty(2))).toEqual([]);
    expect(await index(again, empty(3))).toEqual([{ kind: 'expiring', due: 3, id: 1 }]);
    await again.close();
  });

  it('prunes events that fall out of retention, after blocks without events', async () => {
    const s = await open();
    await index(s, { ...empty(1), events: [event(1)] });
    await index(s, { ...empty(3), events: [event(3)] });
    for (let h = 4; h <= 11; h++) await index(s, empty(h));
    // Retention keeps heights >= h - 9: at 11, block 1's event is gone and block 3's is kept.
    expect((await s.eventsAfter('p1', null, 10)).map((e) => e.id)).toEqual(['3-0']);
    for (let h = 12; h <= 13; h++) await index(s, empty(h));
    expect(await s.eventsAfter('p1', null, 10)).toEqual([]);
    await s.close();
  });
});
