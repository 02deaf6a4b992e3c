/**
 * A light, bounded loop of synthetic activity that keeps a demo devnet's explorer charts moving:
 * one step at a time (never two in flight), in turn, with at least `intervalMs` between the end of
 * one and the start of the next, so at most 60,000 / intervalMs steps a minute whatever the network
 * does. After failures (a node down) the pause doubles, up to {@link MAX_ACTIVITY_BACKOFF_MS}.
 * Time comes in as a `sleep` function, so tests drive it without waiting.
 */

/** The shortest pause between two steps: a lower `intervalMs` is raised to it. */
export const MIN_ACTIVITY_INTERVAL_MS = 1_000;
/** The longest pause after failures. */
export const MAX_ACTIVITY_BACKOFF_MS = 60_000;

export interface ActivityOptions {
  /** Pause between steps (ms), at least {@link MIN_ACTIVITY_INTERVAL_MS}. */
  readonly intervalMs: number;
}

export const defaultActivityOptions: ActivityOptions = { intervalMs: 3_000 };

/** One unit of activity (a kv put, a record read); `tick` counts steps run so far. */
export type ActivityStep = (tick: number) => Promise<void>;

export interface ActivityDeps {
  /** Run in turn: tick 0 runs steps[0], tick 1 steps[1], ... */
  readonly steps: readonly ActivityStep[];
  /** Resolves after `ms`, or at once when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told of each failed step with the number of failures in a row. */
  readonly onError?: (err: unknown, failuresInARow: number) => void;
}

/** The pause after a step: the interval, doubled per failure in a row, capped. */
export function activityPause(intervalMs: number, failuresInARow: number): number {
  const base = Math.max(MIN_ACTIVITY_INTERVAL_MS, intervalMs);
  return Math.min(MAX_ACTIVITY_BACKOFF_MS, base * 2 ** Math.min(failuresInARow, 16));
}

/** The loop; `start` once, `stop` to end it (waits for the step in flight). */
export class ActivityLoop {
  /** Steps started so far. */
  ticks = 0;
  /** Steps that threw. */
  failures = 0;
  readonly #ctl = new AbortController();
  #done: Promise<void> | null = null;

  constructor(
    private readonly opts: ActivityOptions,
    private readonly deps: ActivityDeps,
  ) {}

  start(): void {
    if (this.#done !== null) throw new Error('the activity loop is already started');
    this.#done = this.#run();
  }

  /** Ends the loop: no step starts after this is called; resolves once the one running is over. */
  async stop(): Promise<void> {
    this.#ctl.abort();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { steps, sleep, onError } = this.deps;
    const signal = this.#ctl.signal;
    let inARow = 0;
    while (!signal.aborted && steps.length > 0) {
      const step = steps[this.ticks % steps.length];
      const tick = this.ticks++;
      try {
        await step?.(tick);
        inARow = 0;
      } catch (err) {
        this.failures++;
        inARow++;
        onError?.(err, inARow);
      }
      if (signal.aborted) break;
      await sleep(activityPause(this.opts.intervalMs, inARow), signal);
    }
  }
}

/** A `sleep` on real timers that an abort cuts short. */
export function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
