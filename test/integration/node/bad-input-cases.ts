/**
 * The table of malformed and hostile HTTP requests for bad-input.test.ts, with the exact status and
 * error code each must get, and the small helpers that build and send them.
 */
import { connect } from 'node:net';
import { toHex } from '../../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import type { SignedTx, TxBody } from '../../../protocol/chain/types.js';
import { rng, seedOf } from '../../helpers/load.js';
import type { TestNode } from '../../helpers/network.js';

export interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string;
  readonly body?: Uint8Array | string;
  readonly type?: string;
  readonly status: number;
  readonly code?: string;
}

export const OCTET = 'application/octet-stream';
export const JSON_T = 'application/json';

/** Sends a request; the body parsed as JSON when it is JSON. */
export async function send(n: TestNode, c: Omit<Case, 'status' | 'name'>) {
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

/** Writes `request` as is on a fresh TCP connection and returns what the node answers (2 s at most). */
export function rawRequest(url: string, request: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let got = '';
    const socket = connect(Number(u.port), u.hostname, () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(), 2000);
    socket.on('data', (b) => {
      got += b.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

/** A signed kv put from the sender named `who`, with fields overridden. */
export function tx(chainId: string, who: string, over: Partial<TxBody> = {}): SignedTx {
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

const set = (b: Uint8Array, i: number, v: number) => {
  const c = b.slice();
  c[i] = v;
  return c;
};

/** POST /v1/tx with a body. */
const P = (name: string, body: Uint8Array | string, status: number, code: string, type = OCTET): Case => ({
  name,
  path: '/v1/tx',
  body,
  type,
  status,
  code,
});
/** Any method on a path, no body. */
const R = (name: string, path: string, status: number, code: string, method = 'GET'): Case => ({
  name,
  path,
  method,
  status,
  code,
});

/**
 * Every refusal: `committed` is a tx already in a block (alice, nonce 0), `pending` one waiting in
 * the mempool on a nonce gap (bob, nonce 3). None of them may change state.
 */
export function badRequests(c: string, committed: SignedTx, pending: SignedTx): Case[] {
  const good = tx(c, 'carol').bytes;
  const nonceAt = 1 + 1 + c.length + 32;
  const rand = rng(5);
  const noise = Uint8Array.from({ length: 200 }, () => Math.floor(rand() * 256));
  const hash64 = 'ab'.repeat(32);
  const big = [new Uint8Array(1), new Uint8Array(140_000)];
  return [
    P('random bytes', noise, 400, 'bad_encoding'),
    P('empty body', new Uint8Array(0), 400, 'bad_encoding'),
    P('trailing byte', Uint8Array.from([...good, 0]), 400, 'bad_encoding'),
    P('truncated', good.slice(0, -1), 400, 'bad_encoding'),
    P('unknown tag', set(good, 0, 0x09), 400, 'bad_encoding'),
    P('u64 >= 2^53', set(good, nonceAt, 0xff), 400, 'bad_encoding'),
    P('bad id byte', set(good, 2, 0x20), 400, 'bad_encoding'),
    P('bad signature', flip(good, good.length - 1), 401, 'bad_signature'),
    P('forged sender', flip(good, nonceAt - 27), 401, 'bad_signature'),
    P('wrong chain', tx('other-chain', 'carol').bytes, 400, 'wrong_chain'),
    P('gas limit 0', tx(c, 'carol', { gasLimit: 0 }).bytes, 400, 'gas_limit'),
    P('gas limit too high', tx(c, 'carol', { gasLimit: 10_000_001 }).bytes, 400, 'gas_limit'),
    P('replay of a committed tx', committed.bytes, 409, 'nonce_stale'),
    P('committed nonce, new body', tx(c, 'alice', { gasLimit: 5 }).bytes, 409, 'nonce_stale'),
    P('duplicate pending tx', pending.bytes, 409, 'duplicate'),
    P('pending nonce, new body', tx(c, 'bob', { nonce: 3, gasLimit: 7 }).bytes, 409, 'nonce_duplicate'),
    P('nonce past the window', tx(c, 'bob', { nonce: 5_000 }).bytes, 409, 'nonce_gap'),
    P('tx over maxTxBytes', tx(c, 'carol', { args: big }).bytes, 413, 'too_large'),
    P('body over bodyLimit', new Uint8Array(300_000), 413, 'too_large'),
    P('JSON over bodyLimit', JSON.stringify({ tx: '00'.repeat(150_000) }), 413, 'too_large', JSON_T),
    P('text/plain', toHex(good), 415, 'unsupported_media_type', 'text/plain'),
    R('no body', '/v1/tx', 415, 'unsupported_media_type', 'POST'),
    P('JSON tx number', '{"tx":5}', 400, 'bad_request', JSON_T),
    P('JSON tx object', '{"tx":{"a":1}}', 400, 'bad_request', JSON_T),
    P('JSON {}', '{}', 400, 'bad_request', JSON_T),
    P('JSON unknown field', JSON.stringify({ tx: toHex(good), extra: 1 }), 400, 'bad_request', JSON_T),
    P('JSON array', '[]', 400, 'bad_request', JSON_T),
    P('JSON null', 'null', 400, 'bad_request', JSON_T),
    P('JSON bad hex', '{"tx":"zz"}', 400, 'bad_request', JSON_T),
    P('JSON odd hex', JSON.stringify({ tx: `${toHex(good)}0` }), 400, 'bad_request', JSON_T),
    P('JSON garbage tx', JSON.stringify({ tx: toHex(noise) }), 400, 'bad_encoding', JSON_T),
    P('JSON syntax', '{"tx":', 400, 'bad_encoding', JSON_T),
    P('JSON empty', '', 400, 'bad_encoding', JSON_T),
    R('unknown route', '/v1/nope', 404, 'not_found'),
    R('wrong method', '/v1/status', 404, 'not_found', 'POST'),
    R('DELETE tx', '/v1/tx', 404, 'not_found', 'DELETE'),
    R('PUT block', '/v1/blocks/1', 404, 'not_found', 'PUT'),
    R('height 0', '/v1/blocks/0', 400, 'bad_request'),
    R('height -1', '/v1/blocks/-1', 400, 'bad_request'),
    R('height abc', '/v1/blocks/abc', 400, 'bad_request'),
    R('height 1.5', '/v1/blocks/1.5', 400, 'bad_request'),
    R('height 2^53+1', '/v1/blocks/9007199254740993', 400, 'bad_request'),
    R('height not yet', '/v1/blocks/99999999', 404, 'not_found'),
    R('from 0', '/v1/blocks?from=0', 400, 'bad_request'),
    R('from Infinity', '/v1/blocks?from=Infinity', 400, 'bad_request'),
    R('from -Infinity', '/v1/blocks?from=-Infinity', 400, 'bad_request'),
    R('from 1e309', '/v1/blocks?from=1e309', 400, 'bad_request'),
    R('limit Infinity', '/v1/blocks?limit=Infinity', 400, 'bad_request'),
    R('height Infinity', '/v1/blocks/Infinity', 400, 'bad_request'),
    R('raw height Infinity', '/v1/blocks/Infinity/raw', 400, 'bad_request'),
    R('from abc', '/v1/blocks?from=abc', 400, 'bad_request'),
    R('limit 0', '/v1/blocks?limit=0', 400, 'bad_request'),
    R('limit 101', '/v1/blocks?limit=101', 400, 'bad_request'),
    R('tx hash not hex', '/v1/tx/xyz', 400, 'bad_request'),
    R('tx hash unknown', `/v1/tx/${hash64}`, 404, 'not_found'),
    R('bad %-escape', '/v1/tx/%zz', 400, 'bad_request'),
    R('account not hex', '/v1/accounts/zz', 400, 'bad_request'),
    R('account 63 hex', `/v1/accounts/${hash64.slice(1)}`, 400, 'bad_request'),
    R('query args not hex', '/v1/query/kv/get?args=zz', 400, 'bad_request'),
    R('query args odd hex', '/v1/query/kv/get?args=6b6', 400, 'bad_request'),
    R('query args twice', '/v1/query/kv/get?args=01&args=02', 400, 'bad_request'),
    R('query unknown contract', '/v1/query/nope/get?args=01', 404, 'unknown_contract'),
    R('query contract too long', `/v1/query/${'a'.repeat(65)}/get`, 400, 'bad_request'),
    R('events flag', '/v1/events?receipts=maybe', 400, 'bad_request'),
  ];
}
