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
      const ms = Math.round(value ?? 0);
      return {
        error: { code: 'overloaded', message: `node overloaded (event loop ${ms} ms behind): retry later` },
      };
    },
  };
}
