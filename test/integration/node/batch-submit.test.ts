/**
 * `POST /v1/txs` against a real one-validator node: a batch of consecutive nonces from several
 * senders is admitted in order and commits; a mixed batch gets one exact code per refused tx while
 * its good txs go through; malformed frames get a 4xx and change nothing; a bounded fuzz of the
 * frame never gets a 5xx and leaves the node committing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../client/client.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { mutateBytes, randomBytesBelow } from '../../helpers/fuzz.js';
import { mapLimit, rng } from '../../helpers/load.js';
import { createNetwork, type Network, type TestNode } from '../../helpers/network.js';
import { JSON_T, OCTET, send, tx } from './bad-input-cases.js';

describe('batch submission (POST /v1/txs)', () => {
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

  const put = (who: string, nonce: number, value = `v${nonce}`) =>
    tx(net.chainId, who, {
      nonce,
      args: [new TextEncoder().encode(`${who}-key`), new TextEncoder().encode(value)],
    });

  it('admits consecutive nonces of several senders in order, and they all commit', async () => {
    const txs: SignedTx[] = [];
    for (let nonce = 0; nonce < 5; nonce++) for (let s = 0; s < 10; s++) txs.push(put(`batch-${s}`, nonce));
    const results = await node.client.submitBatch(txs);
    expect(results).toEqual(txs.map((t) => ({ hash: toHex(t.hash) })));
    for (let s = 0; s < 10; s++) {
      const last = txs[40 + s]!;
      const view = await node.client.waitForReceipt(toHex(last.hash), { timeoutMs: 20_000 });
      expect(view.receipt?.status).toBe('ok');
    }
    const q = await node.client.query('kv', 'get', [new TextEncoder().encode('batch-3-key')]);
    expect(Buffer.from(q.returnData, 'hex').toString()).toBe('v4');
  });

  it('answers a mixed batch with one exact code per refused tx and admits the rest', async () => {
    const good = put('mixed-a', 0);
    const badSig = { ...put('mixed-b', 0) };
    const forged = badSig.bytes.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const wrongChain = tx('other-chain', 'mixed-c');
    const gap = put('mixed-d', 7);
    const body = encodeTxBatch([
      good.bytes,
      forged,
      wrongChain.bytes,
      good.bytes,
      gap.bytes,
      new Uint8Array(3),
    ]);
    const r = await send(node, { path: '/v1/txs', body, type: OCTET });
    expect(r.status).toBe(202);
    const json = r.json as {
      accepted: number;
      rejected: number;
      results: { hash?: string; error?: { code: string } }[];
    };
    expect(json.accepted).toBe(2);
    expect(json.rejected).toBe(4);
    expect(json.results.map((x) => x.error?.code ?? 'ok')).toEqual([
      'ok',
      'bad_signature',
      'wrong_chain',
      'duplicate',
      'ok',
      'bad_encoding',
    ]);
    expect(json.results[0]?.hash).toBe(toHex(good.hash));
    await node.client.waitForReceipt(toHex(good.hash), { timeoutMs: 20_000 });
    // The gapped nonce waits in the mempool, as it would after POST /v1/tx.
    expect((await node.client.getTx(toHex(gap.hash)))?.status).toBe('pending');
  });

  it('takes the JSON form', async () => {
    const a = put('json-a', 0);
    const b = put('json-a', 1);
    const r = await send(node, {
      path: '/v1/txs',
      body: JSON.stringify({ txs: [toHex(a.bytes), toHex(b.bytes)] }),
      type: JSON_T,
    });
    expect(r.status).toBe(202);
    expect((r.json as { results: unknown[] }).results).toEqual([
      { hash: toHex(a.hash) },
      { hash: toHex(b.hash) },
    ]);
  });

  it('refuses malformed batches with a 4xx and admits nothing from them', async () => {
    const valid = put('malformed', 0).bytes;
    const frame = encodeTxBatch([valid]);
    const lying = frame.slice();
    lying[1] = 2; // says two txs, holds one
    const tooMany = new Uint8Array(2);
    new DataView(tooMany.buffer).setUint16(0, 1001);
    const cases: { name: string; body: Uint8Array | string; type: string; status: number; code: string }[] = [
      { name: 'truncated', body: frame.slice(0, -10), type: OCTET, status: 400, code: 'bad_encoding' },
      { name: 'lying count', body: lying, type: OCTET, status: 400, code: 'bad_encoding' },
      {
        name: 'trailing bytes',
        body: Uint8Array.from([...frame, 0]),
        type: OCTET,
        status: 400,
        code: 'bad_encoding',
      },
      { name: 'over 1,000 txs', body: tooMany, type: OCTET, status: 413, code: 'too_large' },
      { name: 'empty frame', body: new Uint8Array(2), type: OCTET, status: 400, code: 'bad_request' },
      { name: 'no body', body: new Uint8Array(0), type: OCTET, status: 400, code: 'bad_encoding' },
      { name: 'json empty list', body: '{"txs":[]}', type: JSON_T, status: 400, code: 'bad_request' },
      { name: 'json odd hex', body: '{"txs":["abc"]}', type: JSON_T, status: 400, code: 'bad_request' },
      {
        name: 'json unknown field',
        body: `{"txs":["${toHex(valid)}"],"x":1}`,
        type: JSON_T,
        status: 400,
        code: 'bad_request',
      },
      { name: 'json not a list', body: '{"txs":"00"}', type: JSON_T, status: 400, code: 'bad_request' },
      { name: 'json garbage', body: '{"txs":', type: JSON_T, status: 400, code: 'bad_encoding' },
      { name: 'text body', body: 'hello', type: 'text/plain', status: 415, code: 'unsupported_media_type' },
      {
        name: 'over 4 MiB',
        body: new Uint8Array(4 * 1024 * 1024 + 1),
        type: OCTET,
        status: 413,
        code: 'too_large',
      },
    ];
    for (const c of cases) {
      const r = await send(node, { path: '/v1/txs', body: c.body, type: c.type });
      const err = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
      expect({ name: c.name, status: r.status, code: err?.code }).toEqual({
        name: c.name,
        status: c.status,
        code: c.code,
      });
      expect(typeof err?.message).toBe('string');
    }
    expect(await node.client.getTx(toHex(put('malformed', 0).hash))).toBeNull();
  });

  it('the client reports a refused request as an ApiError with its code', async () => {
    await expect(node.client.submitBatch([])).rejects.toMatchObject({ status: 400, code: 'bad_request' });
    await expect(node.client.submitBatch([])).rejects.toBeInstanceOf(ApiError);
  });

  it('survives a bounded fuzz of the batch frame: never a 5xx, and the node still commits', async () => {
    const rand = rng(77);
    const base = encodeTxBatch([put('fuzz', 0).bytes, put('fuzz', 1).bytes, put('fuzz', 2).bytes]);
    const inputs = Array.from({ length: 1_500 }, () =>
      rand() < 0.75 ? mutateBytes(base, rand) : randomBytesBelow(700, rand),
    );
    const deadline = Date.now() + 60_000;
    const seen = new Map<number, number>();
    await mapLimit(inputs, 16, async (body) => {
      if (Date.now() > deadline) return;
      const r = await send(node, { path: '/v1/txs', body, type: OCTET });
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      if (r.status >= 500) throw new Error(`fuzz got ${r.status} for ${toHex(body).slice(0, 80)}`);
      if (r.status === 202) {
        const j = r.json as { results: { hash?: string; error?: { code?: string } }[] };
        for (const x of j.results) expect(typeof (x.hash ?? x.error?.code)).toBe('string');
      } else {
        expect(typeof (r.json as { error?: { code?: unknown } } | null)?.error?.code).toBe('string');
      }
    });
    expect([...seen.keys()].every((s) => [202, 400, 413].includes(s))).toBe(true);
    const after = put('after-fuzz', 0);
    await node.client.submit(after);
    await node.client.waitForReceipt(toHex(after.hash), { timeoutMs: 20_000 });
  });
});
