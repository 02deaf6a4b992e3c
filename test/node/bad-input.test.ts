/**
 * Hostile and malformed HTTP input against a real one-validator node: on every route, the exact
 * status and error code; afterwards the node still answers and nothing committed has changed (the
 * state root and height are those from before). Then a bounded fuzz of `POST /v1/tx`: never a 5xx,
 * never an admission, never a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../node/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../node/chain/keys.js';
import { signTx } from '../../node/chain/tx.js';
import type { SignedTx, TxBody } from '../../node/chain/types.js';
import { mapLimit, rng, seedOf } from '../helpers/load.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../helpers/network.js';

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly body?: Uint8Array | string;
  readonly type?: string;
  readonly status: number;
  readonly code?: string;
}

const OCTET = 'application/octet-stream';
const JSON_T = 'application/json';

async function send(n: TestNode, c: Omit<Case, 'status' | 'name'>) {
  const res = await fetch(`${n.url}${c.path}`, {
    method: c.method ?? (c.body === undefined ? 'GET' : 'POST'),
    ...(c.body === undefined ? {} : { body: typeof c.body === 'string' ? c.body : Buffer.from(c.body) }),
    ...(c.type === undefined ? {} : { headers: { 'content-type': c.type } }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, headers: res.headers };
}

/** A signed kv put from the sender named `who`, with fields overridden. */
function tx(chainId: string, who: string, over: Partial<TxBody> = {}): SignedTx {
  const seed = seedOf(`bad-input/${who}`);
  const body: TxBody = {
    chainId,
    sender: publicKeyFromSeed(seed),
    nonce: 0,
    gasLimit: 100_000,
    contract: 'kv',
    method: 'put',
    args: [new TextEncoder().encode(`${who}-key`), new TextEncoder().encode('v')],
    ...over,
  };
  return signTx(body, createSigner(seed));
}

const flip = (b: Uint8Array, i: number) => {
  const c = b.slice();
  c[i] = (c[i] ?? 0) ^ 0x01;
  return c;
};

describe('malformed and hostile HTTP input', () => {
  let net: Network;
  let node: TestNode;
  let root0 = '';
  let height0 = 0;
  let committed: SignedTx;
  let pending: SignedTx;

  const unchanged = async () => {
    const st = await node.status();
    expect({ root: st.stateRoot, height: st.height }).toEqual({ root: root0, height: height0 });
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    node = net.node(0);
    await net.waitLeader();
    // The JSON form works (it was refused with a oneOf error before the fix in http/schemas.ts).
    committed = tx(net.chainId, 'alice');
    const r = await send(node, {
      path: '/v1/tx',
      type: JSON_T,
      body: JSON.stringify({ tx: toHex(committed.bytes) }),
    });
    expect(r.status).toBe(202);
    await node.client.waitForReceipt(toHex(committed.hash), { timeoutMs: 20_000 });
    // Nonce 3 of a fresh sender waits (a gap) in the mempool and never commits.
    pending = tx(net.chainId, 'bob', { nonce: 3 });
    await node.client.submit(pending);
    await waitFor(async () => (await node.status()).height >= 1, 'the first block');
    const st = await node.status();
    root0 = st.stateRoot;
    height0 = st.height;
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('answers every bad request with its exact status and error code, and changes nothing', async () => {
    const c = net.chainId;
    const good = tx(c, 'carol').bytes;
    const nonceAt = 1 + 1 + c.length + 32;
    const withNonceTop = good.slice();
    withNonceTop[nonceAt] = 0xff;
    const badId = good.slice();
    badId[2] = 0x20;
    const unknownTag = good.slice();
    unknownTag[0] = 0x09;
    const rand = rng(5);
    const noise = Uint8Array.from({ length: 200 }, () => Math.floor(rand() * 256));
    const hash64 = 'ab'.repeat(32);
    const cases: Case[] = [
      { name: 'random bytes', path: '/v1/tx', type: OCTET, body: noise, status: 400, code: 'bad_encoding' },
      {
        name: 'empty body',
        path: '/v1/tx',
        type: OCTET,
        body: new Uint8Array(0),
        status: 400,
        code: 'bad_encoding',
      },
      {
        name: 'trailing byte',
        path: '/v1/tx',
        type: OCTET,
        body: Uint8Array.from([...good, 0]),
        status: 400,
        code: 'bad_encoding',
      },
      {
        name: 'truncated',
        path: '/v1/tx',
        type: OCTET,
        body: good.slice(0, -1),
        status: 400,
        code: 'bad_encoding',
      },
      {
        name: 'unknown tag',
        path: '/v1/tx',
        type: OCTET,
        body: unknownTag,
        status: 400,
        code: 'bad_encoding',
      },
      {
        name: 'u64 >= 2^53',
        path: '/v1/tx',
        type: OCTET,
        body: withNonceTop,
        status: 400,
        code: 'bad_encoding',
      },
      { name: 'bad id byte', path: '/v1/tx', type: OCTET, body: badId, status: 400, code: 'bad_encoding' },
      {
        name: 'bad signature',
        path: '/v1/tx',
        type: OCTET,
        body: flip(good, good.length - 1),
        status: 401,
        code: 'bad_signature',
      },
      {
        name: 'forged sender',
        path: '/v1/tx',
        type: OCTET,
        body: flip(good, 1 + 1 + c.length + 5),
        status: 401,
        code: 'bad_signature',
      },
      {
        name: 'wrong chain',
        path: '/v1/tx',
        type: OCTET,
        body: tx('other-chain', 'carol').bytes,
        status: 400,
        code: 'wrong_chain',
      },
      {
        name: 'gas limit 0',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'carol', { gasLimit: 0 }).bytes,
        status: 400,
        code: 'gas_limit',
      },
      {
        name: 'gas limit too high',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'carol', { gasLimit: 10_000_001 }).bytes,
        status: 400,
        code: 'gas_limit',
      },
      {
        name: 'replay of a committed tx',
        path: '/v1/tx',
        type: OCTET,
        body: committed.bytes,
        status: 409,
        code: 'nonce_stale',
      },
      {
        name: 'committed nonce, new body',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'alice', { gasLimit: 5 }).bytes,
        status: 409,
        code: 'nonce_stale',
      },
      {
        name: 'duplicate pending tx',
        path: '/v1/tx',
        type: OCTET,
        body: pending.bytes,
        status: 409,
        code: 'duplicate',
      },
      {
        name: 'pending nonce, new body',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'bob', { nonce: 3, gasLimit: 7 }).bytes,
        status: 409,
        code: 'nonce_duplicate',
      },
      {
        name: 'nonce past the window',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'bob', { nonce: 5_000 }).bytes,
        status: 409,
        code: 'nonce_gap',
      },
      {
        name: 'tx over maxTxBytes',
        path: '/v1/tx',
        type: OCTET,
        body: tx(c, 'carol', { args: [new Uint8Array(1), new Uint8Array(140_000)] }).bytes,
        status: 413,
        code: 'too_large',
      },
      {
        name: 'body over bodyLimit',
        path: '/v1/tx',
        type: OCTET,
        body: new Uint8Array(300_000),
        status: 413,
        code: 'too_large',
      },
      {
        name: 'JSON over bodyLimit',
        path: '/v1/tx',
        type: JSON_T,
        body: JSON.stringify({ tx: '00'.repeat(150_000) }),
        status: 413,
        code: 'too_large',
      },
      {
        name: 'text/plain',
        path: '/v1/tx',
        type: 'text/plain',
        body: toHex(good),
        status: 415,
        code: 'unsupported_media_type',
      },
      { name: 'no body', path: '/v1/tx', method: 'POST', status: 415, code: 'unsupported_media_type' },
      {
        name: 'JSON tx number',
        path: '/v1/tx',
        type: JSON_T,
        body: '{"tx":5}',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'JSON tx object',
        path: '/v1/tx',
        type: JSON_T,
        body: '{"tx":{"a":1}}',
        status: 400,
        code: 'bad_request',
      },
      { name: 'JSON {}', path: '/v1/tx', type: JSON_T, body: '{}', status: 400, code: 'bad_request' },
      { name: 'JSON array', path: '/v1/tx', type: JSON_T, body: '[]', status: 400, code: 'bad_request' },
      { name: 'JSON null', path: '/v1/tx', type: JSON_T, body: 'null', status: 400, code: 'bad_request' },
      {
        name: 'JSON bad hex',
        path: '/v1/tx',
        type: JSON_T,
        body: '{"tx":"zz"}',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'JSON odd hex',
        path: '/v1/tx',
        type: JSON_T,
        body: JSON.stringify({ tx: `${toHex(good)}0` }),
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'JSON garbage tx',
        path: '/v1/tx',
        type: JSON_T,
        body: JSON.stringify({ tx: toHex(noise) }),
        status: 400,
        code: 'bad_encoding',
      },
      {
        name: 'JSON syntax',
        path: '/v1/tx',
        type: JSON_T,
        body: '{"tx":',
        status: 400,
        code: 'bad_encoding',
      },
      { name: 'JSON empty', path: '/v1/tx', type: JSON_T, body: '', status: 400, code: 'bad_encoding' },
      { name: 'unknown route', path: '/v1/nope', status: 404, code: 'not_found' },
      { name: 'wrong method', path: '/v1/status', method: 'POST', status: 404, code: 'not_found' },
      { name: 'DELETE tx', path: '/v1/tx', method: 'DELETE', status: 404, code: 'not_found' },
      { name: 'PUT block', path: '/v1/blocks/1', method: 'PUT', status: 404, code: 'not_found' },
      { name: 'height 0', path: '/v1/blocks/0', status: 400, code: 'bad_request' },
      { name: 'height -1', path: '/v1/blocks/-1', status: 400, code: 'bad_request' },
      { name: 'height abc', path: '/v1/blocks/abc', status: 400, code: 'bad_request' },
      { name: 'height 1.5', path: '/v1/blocks/1.5', status: 400, code: 'bad_request' },
      { name: 'height 2^53+1', path: '/v1/blocks/9007199254740993', status: 400, code: 'bad_request' },
      { name: 'height not yet', path: '/v1/blocks/99999999', status: 404, code: 'not_found' },
      { name: 'from 0', path: '/v1/blocks?from=0', status: 400, code: 'bad_request' },
      { name: 'from abc', path: '/v1/blocks?from=abc', status: 400, code: 'bad_request' },
      { name: 'limit 0', path: '/v1/blocks?limit=0', status: 400, code: 'bad_request' },
      { name: 'limit 101', path: '/v1/blocks?limit=101', status: 400, code: 'bad_request' },
      { name: 'tx hash not hex', path: '/v1/tx/xyz', status: 400, code: 'bad_request' },
      { name: 'tx hash unknown', path: `/v1/tx/${hash64}`, status: 404, code: 'not_found' },
      { name: 'bad %-escape', path: '/v1/tx/%zz', status: 400, code: 'bad_request' },
      { name: 'account not hex', path: '/v1/accounts/zz', status: 400, code: 'bad_request' },
      { name: 'account 63 hex', path: `/v1/accounts/${hash64.slice(1)}`, status: 400, code: 'bad_request' },
      { name: 'query args not hex', path: '/v1/query/kv/get?args=zz', status: 400, code: 'bad_request' },
      { name: 'query args odd hex', path: '/v1/query/kv/get?args=6b6', status: 400, code: 'bad_request' },
      {
        name: 'query args twice',
        path: '/v1/query/kv/get?args=01&args=02',
        status: 400,
        code: 'bad_request',
      },
      {
        name: 'query unknown contract',
        path: '/v1/query/nope/get?args=01',
        status: 404,
        code: 'unknown_contract',
      },
      {
        name: 'query contract too long',
        path: `/v1/query/${'a'.repeat(65)}/get`,
        status: 400,
        code: 'bad_request',
      },
      { name: 'events flag', path: '/v1/events?receipts=maybe', status: 400, code: 'bad_request' },
    ];
    for (const k of cases) {
      const r = await send(node, k);
      const err = (r.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      expect({ case: k.name, status: r.status, code: err?.code }).toEqual({
        case: k.name,
        status: k.status,
        code: k.code,
      });
      expect(typeof err?.message, k.name).toBe('string');
      expect((await node.status()).name).toBe('node1');
    }
    await unchanged();
  });

  it('answers odd but harmless queries without an error, and over-long URLs with 431', async () => {
    const q = (p: string) => send(node, { path: p });
    expect((await q('/v1/query/kv/nomethod?args=01')).json).toMatchObject({
      status: 'reverted',
      error: 'unknown_method',
    });
    expect((await q('/v1/query/kv/get')).json).toMatchObject({ status: 'reverted', error: 'bad_args' });
    expect((await q('/v1/query/kv/get?args=01,02')).json).toMatchObject({
      status: 'reverted',
      error: 'bad_args',
    });
    const key = toHex(new TextEncoder().encode('alice-key'));
    expect((await q(`/v1/query/kv/get?args=${key.toUpperCase()}`)).json).toMatchObject({
      status: 'ok',
      returnData: '76',
    });
    // Node's HTTP parser refuses a request line over 16 KiB before fastify sees it (so the schema's
    // 64 KiB args limit is never reached, and the body is Node's, not `{ error: { code } }`).
    expect((await q(`/v1/query/kv/get?args=${'00'.repeat(10_000)}`)).status).toBe(431);
    expect((await q('/openapi.json')).status).toBe(200);
    await unchanged();
  });

  it('survives a bounded fuzz of POST /v1/tx: never a 5xx, never an admission', async () => {
    const rand = rng(2024);
    const base = tx(net.chainId, 'dave').bytes;
    const int = (n: number) => Math.floor(rand() * n);
    const mutate = (): { body: Uint8Array | string; type: string } => {
      const b = Array.from(base);
      switch (int(6)) {
        case 0:
          for (let i = 1 + int(4); i > 0; i--) b[int(b.length)] = int(256);
          break;
        case 1:
          b.splice(int(b.length), 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
          break;
        case 2:
          b.splice(int(b.length), 1 + int(8));
          break;
        case 3:
          return { body: Uint8Array.from({ length: int(600) }, () => int(256)), type: OCTET };
        case 4:
          return {
            body: JSON.stringify({ tx: toHex(Uint8Array.from(b.slice(0, int(b.length)))) }),
            type: JSON_T,
          };
        default:
          return {
            body: String.fromCharCode(...Array.from({ length: int(80) }, () => int(128))),
            type: JSON_T,
          };
      }
      const out = Uint8Array.from(b);
      if (toHex(out) === toHex(base)) out[0] = 0x00;
      return { body: out, type: OCTET };
    };
    const inputs = Array.from({ length: 2_500 }, mutate);
    const deadline = Date.now() + 90_000;
    const seen = new Map<number, number>();
    await mapLimit(inputs, 16, async (i) => {
      if (Date.now() > deadline) return;
      const r = await send(node, { path: '/v1/tx', ...i });
      seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
      if (r.status >= 500 || r.status === 202)
        throw new Error(`fuzz got ${r.status} for ${String(i.body).slice(0, 80)}`);
      expect(typeof (r.json as { error?: { code?: unknown } } | null)?.error?.code).toBe('string');
    });
    expect([...seen.keys()].every((s) => [400, 401, 409, 413, 415].includes(s))).toBe(true);
    expect(fromHex(root0).length).toBe(32);
    await unchanged();
  });
});
