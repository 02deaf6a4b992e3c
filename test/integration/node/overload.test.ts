/**
 * Load shedding on a real one-validator node: while its event loop runs far behind (here: blocked
 * on purpose, in the same process), submissions and blob uploads get 503 `overloaded` with Retry-After, reads still
 * answer, and once the loop is free again the tx is taken and commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../protocol/chain/encoding.js';
import { createNetwork, type Network, type TestNode } from '../../helpers/network.js';
import { OCTET, send, tx } from './bad-input-cases.js';

const block = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // a stalled event loop, as under a CPU-starved backlog
  }
};

describe('load shedding', () => {
  let net: Network;
  let node: TestNode;

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    node = net.node(0);
    await net.waitLeader();
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('refuses submissions with 503 overloaded while the loop lags, keeps reads, then recovers', async () => {
    const t = tx(net.chainId, 'shed');
    const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
    // A lagging loop: stalls of 300 ms with a moment between them, for 3 s. Probes go out in the gaps;
    // the delay sampler (every 200 ms, mean of the window) soon reports the lag.
    type Reply = Awaited<ReturnType<typeof send>>;
    const probes: Promise<[Reply, Reply, Reply]>[] = [];
    const end = Date.now() + 3_000;
    while (Date.now() < end) {
      probes.push(
        Promise.all([
          send(node, { path: '/v1/tx', body: t.bytes, type: OCTET }),
          send(node, { path: '/v1/status' }),
          send(node, { method: 'PUT', path: '/v1/blobs', body: new Uint8Array(16), type: OCTET }),
        ]),
      );
      block(300);
      await sleep(1);
    }
    const results = await Promise.all(probes);
    const shed = results.map(([p]) => p).find((p) => p.status === 503) ?? null;
    const reads = new Set(results.map(([, r]) => r.status));
    // Blob uploads are shed the same way (before their request header is even looked at).
    const uploads = results.map(([, , u]) => u);
    expect(
      uploads.some(
        (u) => u.status === 503 && (u.json as { error?: { code?: string } })?.error?.code === 'overloaded',
      ),
    ).toBe(true);
    expect(shed?.json).toMatchObject({ error: { code: 'overloaded' } });
    expect(shed?.headers.get('retry-after')).toBe('1');
    expect([...reads]).toEqual([200]);
    // The loop is free again: the tx is taken (or already was, between stalls) and commits.
    await sleep(600);
    await node.client.submit(t).catch((err: unknown) => {
      if (
        (err as { code?: string }).code !== 'duplicate' &&
        (err as { code?: string }).code !== 'nonce_stale'
      )
        throw err;
    });
    const view = await node.client.waitForReceipt(toHex(t.hash), { timeoutMs: 20_000 });
    expect(view.receipt?.status).toBe('ok');
  });
});
