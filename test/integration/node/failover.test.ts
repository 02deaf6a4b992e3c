/**
 * Issue 18 with real child processes on 127.0.0.1, one network for the file:
 * - an HTTP burst on the leader (a bounded number of requests, many connections at once, no
 *   keep-alive) does not cost it leadership: same leader, same term, no follower started an election;
 * - a SIGKILLed leader is replaced through the fast path: each survivor's transport reported it lost
 *   (`ehrchain_p2p_peers_lost_total`), and the new leader took over in the very next term (no split
 *   vote). No wall-clock assertion: the time it takes is the bench's `new_leader_ms` (docs/raft.md).
 */
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';

const BURST_REQUESTS = 3_000;
const BURST_CONCURRENCY = 600;
const BURST_MAX_MS = 8_000;

/** One request without keep-alive; any outcome (answer, refused, reset) counts as done. */
function hit(url: URL, path: string, body: Buffer | null): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: body === null ? 'GET' : 'POST',
        agent: false,
        headers: body === null ? {} : { 'content-type': 'application/octet-stream' },
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end(body ?? undefined);
  });
}

/** Fires `n` requests, `concurrency` at a time, stopping early after `maxMs`; returns status counts. */
async function burst(node: TestNode, n: number, concurrency: number, maxMs: number) {
  const url = new URL(node.url);
  const junk = Buffer.alloc(64, 7); // not a tx: refused (400) or shed (503)
  const counts = new Map<number, number>();
  const deadline = Date.now() + maxMs;
  let next = 0;
  const worker = async () => {
    while (next < n && Date.now() < deadline) {
      const i = next++;
      const code = await hit(url, i % 2 === 0 ? '/v1/tx' : '/v1/status', i % 2 === 0 ? junk : null);
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}

/** A counter's value from the node's /metrics (summed over labels matching `labels`). */
async function metric(node: TestNode, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(labels)) continue;
    const rest = line.slice(name.length);
    if (rest.startsWith('{') || rest.startsWith(' ')) sum += Number(line.split(' ').pop());
  }
  return sum;
}

describe('failover with child processes', () => {
  let net: Network;

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'child' });
    await net.waitLeader();
  }, 90_000);
  afterAll(async () => {
    await net?.cleanup();
  });

  it('a burst of HTTP requests on the leader does not change the leader or the term', async () => {
    const leader = await net.waitLeader();
    const before = await leader.status();
    const followers = net.running().filter((n) => n !== leader);
    const electionsBefore = await Promise.all(
      followers.map((f) => metric(f, 'ehrchain_raft_elections_total', 'kind="vote"')),
    );
    const counts = await burst(leader, BURST_REQUESTS, BURST_CONCURRENCY, BURST_MAX_MS);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const after = await leader.status();
    expect({ leader: after.leader, term: after.term }).toEqual({ leader: before.leader, term: before.term });
    const electionsAfter = await Promise.all(
      followers.map((f) => metric(f, 'ehrchain_raft_elections_total', 'kind="vote"')),
    );
    expect(electionsAfter).toEqual(electionsBefore);
  }, 60_000);

  it('a SIGKILLed leader is reported lost by both survivors and replaced within two terms', async () => {
    const leader = await net.waitLeader();
    const { term } = await leader.status();
    const survivors = net.running().filter((n) => n !== leader);
    await leader.kill();
    const next = await net.waitLeader(survivors);
    expect(next).not.toBe(leader);
    // term + 1; term + 2 when the first-ranked survivor's log was behind (docs/raft.md, rule 3: the
    // other refuses its vote and campaigns instead at once). A split vote would need more.
    expect([term + 1, term + 2]).toContain((await next.status()).term);
    await waitFor(
      async () =>
        (await Promise.all(survivors.map((s) => metric(s, 'ehrchain_p2p_peers_lost_total')))).every(
          (v) => v >= 1,
        ),
      'both survivors report the leader lost',
      10_000,
    );
  }, 60_000);
});
