/**
 * Load shedding for the routes that take work in (tx submissions, blob uploads): while the event
 * loop's mean delay is over the limit they are refused with 503 `overloaded` and Retry-After, before
 * the body is read; every other route, reads included, goes on. The delay is sampled as
 * @fastify/under-pressure sampled it (which did this until issue 15): the mean of a
 * `monitorEventLoopDelay` histogram at 10 ms resolution, less that resolution, every 200 ms. The
 * plugin also read `process.memoryUsage()` at each sample (0.3-0.5 % of a validator's main thread
 * under load) and built a `routeOptions` object per request; here a request costs one comparison
 * while the loop keeps up.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A route's shed answer (its config's `pressureHandler`): the body to send, or null to let it in. */
type PressureHandler = (req: FastifyRequest, reply: FastifyReply, type: string, value: number) => unknown;

/** How far behind the event loop runs, in ms (Infinity: it did not turn in a whole sample). */
export interface LoopLag {
  readonly ms: number;
}

/** The histogram's resolution in ms: a delay under it is noise, so it is subtracted (as the plugin did). */
const RESOLUTION_MS = 10;

/** The event loop's mean delay, sampled every `sampleIntervalMs` until `app` closes. */
export function sampleEventLoopLag(app: FastifyInstance, sampleIntervalMs: number): LoopLag {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const lag = { ms: 0 };
  const sample = (): void => {
    lag.ms = Math.max(0, histogram.mean / 1e6 - RESOLUTION_MS);
    // No sample in the interval (NaN mean): the loop did not turn at all.
    if (Number.isNaN(lag.ms)) lag.ms = Infinity;
    histogram.reset();
    timer.refresh();
  };
  const timer = setTimeout(sample, Math.max(RESOLUTION_MS, sampleIntervalMs));
  timer.unref();
  app.addHook('onClose', (_app, done) => {
    clearTimeout(timer);
    histogram.disable();
    done();
  });
  return lag;
}

/**
 * While `lag.ms` exceeds `maxDelayMs`, answers the requests of routes whose config carries a
 * `pressureHandler` (shedWhenOverloaded) with what that handler returns, before the body is read.
 * An onRequest hook for every route, in the order it is added among the app's other onRequest hooks
 * (in createHttpServer: the disk-full gate before it, the node's leaderless gate after).
 */
export function shedWhileLagging(app: FastifyInstance, lag: LoopLag, maxDelayMs: number): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (lag.ms <= maxDelayMs) {
      done();
      return;
    }
    const handler = (req.routeOptions.config as { pressureHandler?: PressureHandler }).pressureHandler;
    const answer = handler === undefined ? null : handler(req, reply, 'eventLoopDelay', lag.ms);
    if (answer === null || answer === undefined) done();
    // Answered here: done() is not called, so nothing else runs for the request.
    else reply.send(answer);
  });
}

/**
 * Route config that makes shedWhileLagging refuse a request with 503 `overloaded` and Retry-After
 * while the event loop lags. Used by routes that take work in: submissions and blob uploads.
 */
export function shedWhenOverloaded(retryAfterSeconds: number) {
  return {
    pressureHandler: (
      _req: FastifyRequest,
      reply: FastifyReply,
      _type: string,
      value: number | undefined,
    ) => {
      reply.status(503).header('retry-after', String(retryAfterSeconds));
      // A loop that did not turn in a whole sample reads Infinity: say so, not "Infinity ms".
      const lag =
        value !== undefined && Number.isFinite(value)
          ? `event loop ${Math.round(value)} ms behind`
          : 'event loop blocked';
      return { error: { code: 'overloaded', message: `node overloaded (${lag}): retry later` } };
    },
  };
}

/** `POST /v1/tx` or `POST /v1/txs`: the routes that take new txs in. */
export function isTxSubmission(req: Pick<FastifyRequest, 'method' | 'url'>): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url;
  const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
  return path === '/v1/tx' || path === '/v1/txs';
}

/**
 * While the disk is full, refuses what the node would have to persist: tx submissions
 * (`POST /v1/tx`, `POST /v1/txs`) and blob uploads (every PUT), with 503 `disk_full` and
 * Retry-After, before the body is read. Reads and read-only POSTs (queries, CDS hooks) go on.
 */
export function refuseWritesWhileDiskFull(
  app: FastifyInstance,
  diskFull: () => boolean,
  retryAfterSeconds: number,
): void {
  app.addHook('onRequest', (req, reply, done) => {
    const takesIn = req.method === 'PUT' || isTxSubmission(req);
    if (!takesIn || !diskFull()) {
      done();
      return;
    }
    // Answered here: done() is not called, so nothing else runs for the request.
    reply.status(503).header('retry-after', String(retryAfterSeconds));
    reply.send({
      error: {
        code: 'disk_full',
        message: "the node's disk is full: it takes in nothing new until space returns",
      },
    });
  });
}
