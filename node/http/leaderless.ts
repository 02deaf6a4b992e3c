/**
 * Write intake while the node knows no leader (issue 18, docs/raft.md): like etcd's "no leader", a
 * node that had a leader and lost it refuses tx submissions (`POST /v1/tx`, `POST /v1/txs`) with 503
 * `no_leader` and Retry-After, before the body is read, until a leader is known again. That keeps
 * the survivors' main threads for the election instead of parsing and checking txs no one can
 * commit yet. A node that never knew a leader (starting up, the first election) takes writes in as
 * before, so a client that submits right after start is not refused.
 */
import type { FastifyInstance } from 'fastify';
import { isTxSubmission } from './shed.js';

/** Tracks whether the node has lost the leader it had (fed from Raft's soft state). */
export class LeaderlessGate {
  #hadLeader = false;
  #leaderless = false;

  /** Raft's soft state changed: `leader` is who leads now (null: nobody known). */
  onLeader(leader: string | null): void {
    if (leader !== null) this.#hadLeader = true;
    this.#leaderless = leader === null && this.#hadLeader;
  }

  /** True while a node that had a leader knows none. */
  get leaderless(): boolean {
    return this.#leaderless;
  }
}

/** Registers the onRequest hook that refuses tx submissions while `gate.leaderless`. */
export function refuseWritesWhileLeaderless(
  app: FastifyInstance,
  gate: LeaderlessGate,
  retryAfterSeconds: number,
): void {
  app.addHook('onRequest', (req, reply, done) => {
    if (!gate.leaderless || !isTxSubmission(req)) {
      done();
      return;
    }
    // Answered here: done() is not called, so nothing else runs for the request.
    reply.status(503).header('retry-after', String(retryAfterSeconds));
    reply.send({
      error: {
        code: 'no_leader',
        message: 'the network is electing a new leader: retry later (the tx was not read)',
      },
    });
  });
}
