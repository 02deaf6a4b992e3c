/**
 * Route config that makes @fastify/under-pressure refuse a request with 503 `overloaded` and
 * Retry-After while the event loop lags (the plugin is registered by createHttpServer with a
 * default handler that lets every other route through). Used by routes that take work in:
 * submissions and blob uploads.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export function shedWhenOverloaded(retryAfterSeconds: number) {
  return {
    pressureHandler: (
      _req: FastifyRequest,
      reply: FastifyReply,
      _type: string,
      value: number | undefined,
    ) => {
      reply.status(503).header('retry-after', String(retryAfterSeconds));
      // The plugin reports a blocked loop as Infinity (or nothing): say so, not "Infinity ms".
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
