/**
 * A full mempool over real HTTP: with `mempool.maxTxs` 5, a tx that may not displace another gets
 * 503 `mempool_full` with a Retry-After header (and the client surfaces it); one from a sender that
 * holds fewer txs than the busiest sender displaces that sender's highest nonce instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, EhrClient } from '../../../client/client.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { seedOf } from '../../helpers/load.js';
import { createNetwork, type Network, type TestNode } from '../../helpers/network.js';

/** A kv put with a nonce gap (the sender's next nonce is 0), so it waits in the mempool for good. */
function gapTx(chainId: string, who: string, nonce: number): SignedTx {
  const seed = seedOf(`mempool-full/${who}`);
  const args = [new TextEncoder().encode(`${who}-${nonce}`), new Uint8Array([1])];
  const body = {
    chainId,
    sender: publicKeyFromSeed(seed),
    nonce,
    gasLimit: 1_000,
    contract: 'kv',
    method: 'put',
    args,
  };
  return signTx(body, createSigner(seed));
}

async function post(n: TestNode, tx: SignedTx) {
  const res = await fetch(`${n.url}/v1/tx`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from(tx.bytes),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as unknown,
  };
}

describe('a full mempool', () => {
  let net: Network;
  let node: TestNode;

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc', config: { mempool: { maxTxs: 5 } } });
    node = net.node(0);
    await net.waitLeader();
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('answers 503 mempool_full with Retry-After when a tx may not displace another', async () => {
    for (let i = 0; i < 5; i++) expect((await post(node, gapTx(net.chainId, `s${i}`, 1))).status).toBe(202);
    expect((await node.status()).mempool.txs).toBe(5);

    const r = await post(node, gapTx(net.chainId, 'late', 1));
    expect(r.status).toBe(503);
    expect(r.retryAfter).toBe('1');
    expect(r.body).toMatchObject({ error: { code: 'mempool_full' } });

    // The client sends a 503'd tx again (nothing was admitted), then surfaces the refusal.
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const client = new EhrClient(node.url, counting, { busyRetries: 2, maxBackoffMs: 20 });
    const err = await client.submit(gapTx(net.chainId, 'late', 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'mempool_full', retryAfter: 1 });
    expect(calls).toBe(3);

    const st = await node.status();
    expect(st.mempool.txs).toBe(5);
    expect(st.height).toBe(0);
  });

  it('lets a sender with fewer txs displace the busiest sender instead', async () => {
    // A node of its own, filled by one busy sender (3 txs) and two others (1 each).
    const other = await createNetwork({ nodes: 1, mode: 'inproc', config: { mempool: { maxTxs: 5 } } });
    try {
      const n = other.node(0);
      await other.waitLeader();
      for (let i = 1; i <= 3; i++) expect((await post(n, gapTx(other.chainId, 'busy', i))).status).toBe(202);
      for (const who of ['a', 'b']) expect((await post(n, gapTx(other.chainId, who, 1))).status).toBe(202);
      const highest = gapTx(other.chainId, 'busy', 3);
      expect((await n.client.getTx(Buffer.from(highest.hash).toString('hex')))?.status).toBe('pending');
      expect((await post(n, gapTx(other.chainId, 'newcomer', 1))).status).toBe(202);
      expect(await n.client.getTx(Buffer.from(highest.hash).toString('hex'))).toBeNull();
      expect((await n.status()).mempool.txs).toBe(5);
    } finally {
      await other.cleanup();
    }
  });
});
