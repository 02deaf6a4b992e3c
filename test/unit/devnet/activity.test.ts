/**
 * The demo's activity loop keeps to its bounds: one step at a time, in turn, a pause of at least
 * the (clamped) interval between steps, doubling after failures up to a cap, and nothing after stop.
 * Time is a fake `sleep` that records each pause and returns at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ActivityLoop,
  activityPause,
  MAX_ACTIVITY_BACKOFF_MS,
  MIN_ACTIVITY_INTERVAL_MS,
} from '../../../cli/devnet/activity.js';

/** Runs a loop until `ticks` steps have started; returns the pauses it asked for and the loop. */
async function drive(intervalMs: number, outcomes: readonly boolean[]) {
  const pauses: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const order: number[] = [];
  let loop: ActivityLoop | null = null;
  let stopped: Promise<void> | null = null;
  const step = (index: number) => async (tick: number) => {
    order.push(index);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await Promise.resolve();
    inFlight--;
    if (tick + 1 >= outcomes.length) stopped ??= loop?.stop() ?? null;
    if (outcomes[tick] === false) throw new Error('node down');
  };
  loop = new ActivityLoop(
    { intervalMs },
    {
      steps: [step(0), step(1), step(2)],
      sleep: async (ms) => {
        pauses.push(ms);
      },
    },
  );
  loop.start();
  await new Promise<void>((resolve) => {
    const wait = () => (stopped === null ? setImmediate(wait) : stopped.then(() => resolve()));
    wait();
  });
  return { pauses, maxInFlight, order, loop };
}

describe('the activity loop', () => {
  it.each([
    { intervalMs: 3_000, failures: 0, pause: 3_000 },
    { intervalMs: 10, failures: 0, pause: MIN_ACTIVITY_INTERVAL_MS },
    { intervalMs: 3_000, failures: 1, pause: 6_000 },
    { intervalMs: 3_000, failures: 3, pause: 24_000 },
    { intervalMs: 3_000, failures: 5, pause: MAX_ACTIVITY_BACKOFF_MS },
    { intervalMs: 3_000, failures: 1_000, pause: MAX_ACTIVITY_BACKOFF_MS },
  ])('pauses $pause ms after $failures failures in a row at interval $intervalMs', (row) => {
    expect(activityPause(row.intervalMs, row.failures)).toBe(row.pause);
  });

  it('runs the steps in turn, one at a time', async () => {
    const r = await drive(3_000, Array<boolean>(7).fill(true));
    expect(r.order).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(r.maxInFlight).toBe(1);
  });

  it('starts no step once stopped', async () => {
    const r = await drive(3_000, Array<boolean>(4).fill(true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.loop.ticks).toBe(4);
    expect(r.pauses).toHaveLength(3);
  });

  it('returns to the interval after a success that follows failures', async () => {
    const r = await drive(2_000, [true, false, false, true, true]);
    expect(r.pauses).toEqual([2_000, 4_000, 8_000, 2_000]);
    expect(r.loop.failures).toBe(2);
  });

  it('never pauses less than the minimum nor more than the cap, whatever the outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 120_000 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        async (intervalMs, outcomes) => {
          const r = await drive(intervalMs, outcomes);
          expect(r.maxInFlight).toBe(1);
          expect(r.loop.ticks).toBe(outcomes.length);
          for (const p of r.pauses) {
            expect(p).toBeGreaterThanOrEqual(MIN_ACTIVITY_INTERVAL_MS);
            expect(p).toBeLessThanOrEqual(MAX_ACTIVITY_BACKOFF_MS);
          }
        },
      ),
      { numRuns: 50 },
    );
  });
});
