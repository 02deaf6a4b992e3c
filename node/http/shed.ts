/**
 * Route config that makes @fastify/under-pressure refuse a request with 503 `overloaded` and
 * Retry-After while the event loop lags (the plugin is registered by createHttpServer with a
 * default handler that lets every other route through). Used by routes that take work in:
 * submissions and blob uploads.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

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
