/**
 * Load shedding (node/http/shed.ts, docs/api.md): while the event loop lags past the limit, the
 * routes that take work in answer 503 `overloaded` with Retry-After before their body is read; every
 * other route goes on; once the loop keeps up again they take work in. (The sampler itself, on a
 * really blocked loop: test/integration/node/overload.test.ts.)
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { shedWhenOverloaded, shedWhileLagging } from '../../../node/http/shed.js';

const LIMIT_MS = 200;

async function app(lag: { ms: number }) {
  const a = Fastify();
  shedWhileLagging(a, lag, LIMIT_MS);
  const read = { bodies: 0 };
  a.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => {
    read.bodies++;
    done(null, body);
  });
  a.post('/v1/tx', { config: shedWhenOverloaded(1) }, async (_req, reply) => reply.status(202).send({}));
  a.post('/v1/query', async () => ({ ok: true }));
  a.get('/v1/status', async () => ({ ok: true }));
  await a.ready();
  return { a, read };
}

const submit = {
  method: 'POST',
  url: '/v1/tx',
  payload: Buffer.alloc(8),
  headers: { 'content-type': 'application/octet-stream' },
} as const;

describe('load shedding while the event loop lags', () => {
  it('a submission gets 503 overloaded with Retry-After and the lag, its body unread', async () => {
    const { a, read } = await app({ ms: 512.4 });
    const r = await a.inject(submit);
    expect([r.statusCode, r.headers['retry-after'], r.json(), read.bodies]).toEqual([
      503,
      '1',
      { error: { code: 'overloaded', message: 'node overloaded (event loop 512 ms behind): retry later' } },
      0,
    ]);
    await a.close();
  });

  it('a loop that did not turn in a whole sample is reported as blocked, not as Infinity ms', async () => {
    const { a } = await app({ ms: Infinity });
    const r = await a.inject(submit);
    expect(r.json().error.message).toBe('node overloaded (event loop blocked): retry later');
    await a.close();
  });

  it('routes without the shed config go on while the loop lags', async () => {
    const { a } = await app({ ms: 1_000 });
    expect((await a.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200);
    expect((await a.inject({ method: 'POST', url: '/v1/query', payload: {} })).statusCode).toBe(200);
    await a.close();
  });

  it('a lag at the limit is not shed', async () => {
    const { a, read } = await app({ ms: LIMIT_MS });
    expect([(await a.inject(submit)).statusCode, read.bodies]).toEqual([202, 1]);
    await a.close();
  });

  it('submissions are taken in again once the loop keeps up', async () => {
    const lag = { ms: 1_000 };
    const { a } = await app(lag);
    expect((await a.inject(submit)).statusCode).toBe(503);
    lag.ms = 3;
    expect((await a.inject(submit)).statusCode).toBe(202);
    await a.close();
  });
});
