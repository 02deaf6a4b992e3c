/**
 * Watches the main thread's event loop, whose stalls delay Raft ticks and heartbeats (a follower that
 * hears nothing for an election timeout campaigns, needlessly when the leader was only stalled). It
 * samples `perf_hooks.monitorEventLoopDelay` into metrics and, for each stall longer than
 * `stallMs`, logs how long it was and what ran in that window: garbage collection (from the GC
 * performance entries) and the work other parts report with `note` (block apply, HTTP requests).
 * Issue 18 used it to find what to remove; see docs/raft.md. Once a second it also logs (debug,
 * `event loop delay`) the second's max and p99 delay, for timelines of a failover under load.
 */
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from '../log.js';

/** What the watch reports into (NodeMetrics implements it). */
export interface StallMetrics {
  /** Longest event-loop delay seen in the last sample window, seconds. */
  setLoopDelayMax(seconds: number): void;
  /** One stall longer than the threshold. */
  observeStall(seconds: number): void;
}

/** Options of the watch. */
export interface StallWatchOptions {
  /** A timer that fires this much later than due counts as a stall (and is logged). 0: off. */
  readonly stallMs: number;
  /** How often the timer runs, ms. */
  readonly sampleMs: number;
}

export interface StallWatchDeps {
  readonly metrics: StallMetrics;
  readonly log: Logger;
}

/** Work done on the main thread since the last sample, by kind: total ms and count. */
type Work = Map<string, { ms: number; n: number }>;

export class StallWatch {
  #timer: NodeJS.Timeout | null = null;
  #hist: IntervalHistogram | null = null;
  /** The same delays over the current second, for the debug summary. */
  #second: IntervalHistogram | null = null;
  #secondEnds = 0;
  #gc: PerformanceObserver | null = null;
  #work: Work = new Map();
  #due = 0;

  constructor(
    private readonly o: StallWatchOptions,
    private readonly deps: StallWatchDeps,
  ) {}

  /** Records `ms` of main-thread work of `kind` (e.g. 'apply') for the next stall report. */
  note(kind: string, ms: number): void {
    const w = this.#work.get(kind);
    if (w === undefined) this.#work.set(kind, { ms, n: 1 });
    else {
      w.ms += ms;
      w.n++;
    }
  }

  start(): void {
    if (this.o.stallMs <= 0 || this.#timer !== null) return;
    this.#hist = monitorEventLoopDelay({ resolution: 10 });
    this.#hist.enable();
    this.#second = monitorEventLoopDelay({ resolution: 10 });
    this.#second.enable();
    this.#secondEnds = performance.now() + 1000;
    this.#gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.note('gc', e.duration);
    });
    this.#gc.observe({ entryTypes: ['gc'] });
    this.#due = performance.now() + this.o.sampleMs;
    this.#timer = setInterval(() => this.#sample(), this.o.sampleMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#hist?.disable();
    this.#second?.disable();
    this.#gc?.disconnect();
  }

  #sample(): void {
    const now = performance.now();
    const late = now - this.#due;
    this.#due = now + this.o.sampleMs;
    const h = this.#hist;
    if (h !== null) {
      this.deps.metrics.setLoopDelayMax(h.max / 1e9);
      h.reset();
    }
    const sec = this.#second;
    if (sec !== null && now >= this.#secondEnds) {
      this.#secondEnds = now + 1000;
      if (sec.count > 0) {
        const ms = (ns: number) => Math.round(ns / 1e5) / 10;
        this.deps.log.debug({ maxMs: ms(sec.max), p99Ms: ms(sec.percentile(99)) }, 'event loop delay');
      }
      sec.reset();
    }
    if (late >= this.o.stallMs) {
      this.deps.metrics.observeStall(late / 1000);
      const work: Record<string, string> = {};
      for (const [k, w] of this.#work) work[k] = `${Math.round(w.ms)} ms in ${w.n}`;
      this.deps.log.warn({ stallMs: Math.round(late), work }, 'event loop stalled');
    }
    this.#work = new Map();
  }
}
