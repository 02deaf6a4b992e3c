/**
 * The published API contract holds: docs/openapi.json is exactly what the route schemas generate,
 * a real node serves that same document, and every reply a real node gives (each route, each
 * status, every malformed request of the bad-input table) validates against the schema the document
 * publishes for its route and status. fastify's response schemas only serialise (they drop
 * undeclared fields and coerce types; they check neither patterns, enums nor required fields), so
 * the validation here uses ajv over the published document.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiJson } from '../../../node/http/openapi.js';
import { decodeBlock } from '../../../protocol/chain/block.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';
import { badRequests, JSON_T, OCTET, send, tx } from '../node/bad-input-cases.js';

const FILE = new URL('../../../docs/openapi.json', import.meta.url);

interface Doc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
}
const doc = JSON.parse(readFileSync(FILE, 'utf8')) as Doc;
const ajv = new Ajv({ strict: false, allErrors: true });
const compiled = new Map<string, ValidateFunction>();

/** The documented route template (`/v1/tx/{hash}`) of a concrete path. */
function templateOf(method: string, path: string): string | undefined {
  const bare = path.split('?')[0] ?? path;
  return Object.keys(doc.paths).find((t) => {
    if (doc.paths[t]?.[method] === undefined) return false;
    const re = new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return re.test(bare);
  });
}

/** Validates a JSON reply against the schema published for (route, status); returns the errors. */
function check(method: string, path: string, status: number, body: unknown): string[] {
  const t = templateOf(method, path);
  if (t === undefined) {
    // No route: the catch-all 404 uses the common error body, as every route's 4XX does.
    return check('get', '/v1/status', status, body);
  }
  const responses = doc.paths[t]?.[method]?.responses ?? {};
  const key = String(status) in responses ? String(status) : `${String(status)[0]}XX`;
  const schema = responses[key]?.content?.['application/json']?.schema;
  if (schema === undefined) return [`${method} ${t}: no documented ${status} reply`];
  const id = `${method} ${t} ${key}`;
  const v = compiled.get(id) ?? ajv.compile(schema);
  compiled.set(id, v);
  return v(body) ? [] : (v.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message}`);
}

describe('docs/openapi.json', () => {
  it('is exactly what the route schemas generate (npm run docs:openapi rewrites it)', async () => {
    expect(await openApiJson()).toBe(readFileSync(FILE, 'utf8'));
  });
});

describe('a real node answers as docs/openapi.json says', () => {
  let net: Network;
  let node: TestNode;
  let committed: SignedTx;
  let pending: SignedTx;
  const seen: { method: string; path: string; status: number }[] = [];

  const call = async (method: 'get' | 'post', path: string, body?: string | Uint8Array, type?: string) => {
    const r = await send(node, {
      method: method.toUpperCase(),
      path,
      ...(body === undefined ? {} : { body }),
      ...(type === undefined ? {} : { type }),
    });
    seen.push({ method, path, status: r.status });
    expect(check(method, path, r.status, r.json), `${method} ${path}`).toEqual([]);
    return r;
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    node = net.node(0);
    await net.waitLeader();
    committed = tx(net.chainId, 'contract-alice');
    await node.client.submit(committed);
    await node.client.waitForReceipt(toHex(committed.hash), { timeoutMs: 20_000 });
    pending = tx(net.chainId, 'contract-bob', { nonce: 5 });
    await node.client.submit(pending);
  }, 60_000);
  afterAll(async () => {
    await net?.cleanup();
  });

  it('serves the same document at /openapi.json (the explorer adds no /v1 route)', async () => {
    const served = (await send(node, { path: '/openapi.json' })).json as Doc;
    const v1 = (d: Doc) => Object.fromEntries(Object.entries(d.paths).filter(([p]) => p.startsWith('/v1/')));
    expect(v1(served)).toEqual(v1(doc));
  });

  it('every route, each success and not-found reply, validates', async () => {
    const fresh = tx(net.chainId, 'contract-carol');
    expect((await call('post', '/v1/tx', JSON.stringify({ tx: toHex(fresh.bytes) }), JSON_T)).status).toBe(
      202,
    );
    expect((await call('post', '/v1/tx', fresh.bytes, OCTET)).status).toBe(409);
    const batch = [tx(net.chainId, 'contract-dave'), tx(net.chainId, 'contract-dave')];
    const b = await call(
      'post',
      '/v1/txs',
      JSON.stringify({ txs: batch.map((t) => toHex(t.bytes)) }),
      JSON_T,
    );
    expect(b.json).toMatchObject({ accepted: 1, rejected: 1 });
    expect((await call('get', `/v1/tx/${toHex(committed.hash)}`)).json).toMatchObject({
      status: 'committed',
    });
    expect((await call('get', `/v1/tx/${toHex(pending.hash)}`)).json).toMatchObject({ status: 'pending' });
    expect((await call('get', `/v1/tx/${'ab'.repeat(32)}`)).status).toBe(404);
    const blk = await call('get', '/v1/blocks/1');
    expect(blk.json).toMatchObject({ chainId: net.chainId, height: 1 });
    expect((await call('get', '/v1/blocks/999999')).status).toBe(404);
    expect((await call('get', '/v1/blocks?from=1&limit=5')).status).toBe(200);
    expect((await call('get', '/v1/blocks')).status).toBe(200);
    expect((await call('get', `/v1/accounts/${toHex(committed.body.sender)}`)).json).toEqual({
      nonce: 1,
      pending: 0,
    });
    expect((await call('get', '/v1/status')).json).toMatchObject({ chainId: net.chainId });
    const key = toHex(new TextEncoder().encode('contract-alice-key'));
    expect((await call('get', `/v1/query/kv/get?args=${key}`)).json).toMatchObject({
      status: 'ok',
      value: toHex(new TextEncoder().encode('v')),
    });
    expect((await call('get', '/v1/query/kv/get?args=00')).json).toEqual({
      status: 'reverted',
      error: 'not_found',
      gasUsed: 0,
      value: null,
      returnData: '',
    });
    expect((await call('get', '/v1/query/nosuch/get')).status).toBe(404);
    expect((await call('get', '/v1/blocks/999999/raw')).status).toBe(404);
  });

  it('GET /v1/blocks/:height/raw serves the canonical block bytes, hashing to the block hash', async () => {
    await waitFor(async () => (await node.status()).height >= 1, 'block 1');
    const res = await fetch(`${node.url}/v1/blocks/1/raw`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const block = decodeBlock(new Uint8Array(await res.arrayBuffer()));
    const view = await node.client.getBlock(1);
    expect({
      hash: toHex(block.hash),
      chainId: block.header.chainId,
      txs: block.txs.map((t) => toHex(t.hash)),
    }).toEqual({
      hash: view.hash,
      chainId: view.chainId,
      txs: view.txs,
    });
    expect(fromHex(view.hash)).toEqual(block.hash);
  });

  it('every malformed request of the bad-input table gets a documented error body', async () => {
    for (const k of badRequests(net.chainId, committed, pending)) {
      const r = await send(node, k);
      const method = (k.method ?? (k.body === undefined ? 'GET' : 'POST')).toLowerCase();
      expect(check(method, k.path, r.status, r.json), k.name).toEqual([]);
    }
  });
});
