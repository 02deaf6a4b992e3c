/**
 * Write intake while leaderless (node/http/leaderless.ts, docs/api.md): a node that lost the leader
 * it had refuses tx submissions with 503 `no_leader` and Retry-After before reading them; a node
 * that never knew a leader, and every read, go on as before.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { LeaderlessGate, refuseWritesWhileLeaderless } from '../../../node/http/leaderless.js';

async function app(gate: LeaderlessGate) {
  const a = Fastify();
  refuseWritesWhileLeaderless(a, gate, 1);
  a.post('/v1/tx', async (_req, reply) => reply.status(202).send({ hash: 'ok' }));
  a.post('/v1/txs', async (_req, reply) => reply.status(202).send({ accepted: 1 }));
  a.get('/v1/status', async () => ({ ok: true }));
  await a.ready();
  return a;
}

/** The gate after the leaders Raft reported, in order. */
function gateAfter(leaders: readonly (string | null)[]): LeaderlessGate {
  const g = new LeaderlessGate();
  for (const l of leaders) g.onLeader(l);
  return g;
}

describe('tx submissions while the node knows no leader', () => {
  const table: [string, (string | null)[], boolean][] = [
    ['never knew a leader (start-up, first election)', [], false],
    ['never knew a leader, Raft said so', [null], false],
    ['follows a leader', [null, 'a'], false],
    ['lost the leader it had', ['a', null], true],
    ['a new leader after the loss', ['a', null, 'b'], false],
  ];
  for (const [state, leaders, leaderless] of table) {
    it(`${state}: leaderless is ${leaderless}`, () => {
      expect(gateAfter(leaders).leaderless).toBe(leaderless);
    });
  }

  it('POST /v1/tx and /v1/txs answer 503 no_leader with Retry-After while leaderless', async () => {
    const a = await app(gateAfter(['a', null]));
    for (const url of ['/v1/tx', '/v1/txs?wait=1']) {
      const r = await a.inject({ method: 'POST', url, payload: Buffer.alloc(8) });
      expect([url, r.statusCode, r.headers['retry-after'], r.json().error.code]).toEqual([
        url,
        503,
        '1',
        'no_leader',
      ]);
    }
    await a.close();
  });

  it('reads go on while leaderless', async () => {
    const a = await app(gateAfter(['a', null]));
    expect((await a.inject({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200);
    await a.close();
  });

  it('submissions are taken in again once a leader is known', async () => {
    const g = gateAfter(['a', null]);
    const a = await app(g);
    g.onLeader('b');
    expect((await a.inject({ method: 'POST', url: '/v1/tx', payload: {} })).statusCode).toBe(202);
    await a.close();
  });
});
