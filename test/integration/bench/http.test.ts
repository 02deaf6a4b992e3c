/**
 * The load generator's HTTP pools against a real `node:http` server on 127.0.0.1: what the worker
 * relies on (status and body of every reply, keep-alive reuse, at most `maxSockets` connections per
 * node, a refused connection or a stalled reply fails the request) holds for each client.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPool } from '../../../cli/bench/load/http.js';
import type { HttpImpl } from '../../../cli/bench/options.js';

let server: http.Server;
let base = '';
let connections = 0;
let maxOpen = 0;
let open = 0;
const stalled: http.ServerResponse[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (req.url === '/stall') {
        stalled.push(res);
        return;
      }
      if (req.url === '/busy') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'mempool_full' } }));
        return;
      }
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first,');
        setTimeout(() => res.end('second'), 5);
        return;
      }
      // Echo: method, content type and body length, after a short wait so requests overlap.
      setTimeout(() => {
        res.writeHead(req.method === 'POST' ? 202 : 200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            method: req.method,
            type: req.headers['content-type'] ?? null,
            bytes: body.length,
          }),
        );
      }, 2);
    });
  });
  server.on('connection', (s) => {
    connections++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    s.on('close', () => open--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of stalled) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe.each<HttpImpl>(['undici', 'node'])('the %s pool', (impl) => {
  it('posts the body with its content type and returns status and body', async () => {
    const pool = createHttpPool(impl, 4);
    const r = await pool.post(`${base}/v1/tx`, new Uint8Array(300), 'application/octet-stream');
    pool.close();
    expect(r.status).toBe(202);
    expect(JSON.parse(r.body)).toEqual({ method: 'POST', type: 'application/octet-stream', bytes: 300 });
  });

  it('returns the status and body of an error reply', async () => {
    const pool = createHttpPool(impl, 4);
    const r = await pool.post(`${base}/busy`, new Uint8Array(1), 'application/octet-stream');
    pool.close();
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'mempool_full' } });
  });

  it('joins a body that arrives in chunks', async () => {
    const pool = createHttpPool(impl, 4);
    const r = await pool.get(`${base}/chunked`);
    pool.close();
    expect(r).toEqual({ status: 200, body: 'first,second' });
  });

  it('keeps at most maxSockets connections per node and reuses them', async () => {
    const pool = createHttpPool(impl, 4);
    const before = connections;
    maxOpen = open;
    const round = () => Promise.all(Array.from({ length: 40 }, (_, i) => pool.get(`${base}/echo?i=${i}`)));
    const first = await round();
    const afterFirst = connections;
    const second = await round();
    pool.close();
    expect(first.every((r) => r.status === 200) && second.every((r) => r.status === 200)).toBe(true);
    expect(afterFirst - before).toBeLessThanOrEqual(4);
    expect(maxOpen).toBeLessThanOrEqual(4);
    expect(connections).toBe(afterFirst);
  });

  it('fails a request whose node refuses the connection', async () => {
    const pool = createHttpPool(impl, 4);
    const port = await closedPort();
    await expect(pool.post(`http://127.0.0.1:${port}/v1/tx`, new Uint8Array(1), 'x')).rejects.toThrow();
    pool.close();
  });

  it('fails a request whose reply stalls past the timeout', async () => {
    const pool = createHttpPool(impl, 4, 200);
    await expect(pool.get(`${base}/stall`)).rejects.toThrow();
    pool.close();
  });
});
