/**
 * Latency arithmetic and the SSE reader: percentiles (nearest rank over every sample, no
 * histogram approximation), summaries, and a line parser for `text/event-stream`.
 */

/** p50/p95/p99/max of a set of samples, in ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** A summary with the count and mean, for the phase breakdown. */
export interface PhaseSummary extends LatencySummary {
  readonly count: number;
  readonly mean: number;
}

/**
 * The nearest-rank percentile `p` (0..100) of ascending-sorted samples: the smallest sample with at
 * least p% of the samples at or below it. 0 for no samples.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1] ?? 0;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function sortedCopy(samples: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(samples);
  a.sort();
  return a;
}

/** p50, p95, p99 and max of the samples (rounded to 0.01 ms). */
export function summarize(samples: ArrayLike<number>): LatencySummary {
  const s = sortedCopy(samples);
  return {
    p50: round(percentileSorted(s, 50)),
    p95: round(percentileSorted(s, 95)),
    p99: round(percentileSorted(s, 99)),
    max: round(s.length === 0 ? 0 : (s[s.length - 1] ?? 0)),
  };
}

/** `summarize` plus count and mean. */
export function summarizePhase(samples: ArrayLike<number>): PhaseSummary {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] ?? 0;
  return {
    ...summarize(samples),
    count: samples.length,
    mean: samples.length === 0 ? 0 : round(sum / samples.length),
  };
}

/** A growable array of float64 samples (no boxing, cheap to transfer between threads). */
export class SampleBuffer {
  #a = new Float64Array(1024);
  #n = 0;

  get length(): number {
    return this.#n;
  }

  push(v: number): void {
    if (this.#n === this.#a.length) {
      const b = new Float64Array(this.#a.length * 2);
      b.set(this.#a);
      this.#a = b;
    }
    this.#a[this.#n++] = v;
  }

  pushAll(vs: ArrayLike<number>): void {
    for (let i = 0; i < vs.length; i++) this.push(vs[i] ?? 0);
  }

  /** A copy of the samples so far. */
  toArray(): Float64Array {
    return this.#a.slice(0, this.#n);
  }

  /** The samples so far, handing them over and starting again empty. */
  take(): Float64Array {
    const out = this.toArray();
    this.#n = 0;
    return out;
  }
}

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Incremental `text/event-stream` parser: feed chunks, get complete events. */
export class SseParser {
  #buf = '';
  #event = 'message';
  #data: string[] = [];

  /** Parses a chunk; calls `onEvent` for each event it completes. */
  feed(chunk: string, onEvent: (e: SseEvent) => void): void {
    this.#buf += chunk;
    let nl = this.#buf.indexOf('\n');
    while (nl >= 0) {
      let line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.#data.length > 0) onEvent({ event: this.#event, data: this.#data.join('\n') });
        this.#event = 'message';
        this.#data = [];
      } else if (line.startsWith('data:')) {
        this.#data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      } else if (line.startsWith('event:')) {
        this.#event = line.slice(6).trim();
      }
      nl = this.#buf.indexOf('\n');
    }
  }
}
