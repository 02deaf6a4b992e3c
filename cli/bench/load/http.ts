/**
 * The load generator's HTTP: one keep-alive connection pool per worker, either `node:http` with a
 * keep-alive Agent (the default, measured faster here) or undici's global `fetch`.
 */
import * as http from 'node:http';
import type { HttpImpl } from '../options.js';

/** A response reduced to what the harness reads. */
export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/** POSTs bodies and GETs JSON over pooled keep-alive connections. */
export interface HttpPool {
  post(url: string, body: Uint8Array, contentType: string): Promise<HttpReply>;
  get(url: string): Promise<HttpReply>;
  close(): void;
}

function nodePool(maxSockets: number, timeoutMs: number): HttpPool {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const send = (url: string, method: string, body: Uint8Array | null, type: string) =>
    new Promise<HttpReply>((resolve, reject) => {
      const u = new URL(url);
      const headers: Record<string, string | number> = {};
      if (body !== null) {
        headers['content-type'] = type;
        headers['content-length'] = body.length;
      }
      const req = http.request(
        { agent, method, host: u.hostname, port: u.port, path: u.pathname + u.search, headers },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  return {
    post: (url, body, type) => send(url, 'POST', body, type),
    get: (url) => send(url, 'GET', null, ''),
    close: () => agent.destroy(),
  };
}

function fetchPool(timeoutMs: number): HttpPool {
  const send = async (url: string, init: RequestInit): Promise<HttpReply> => {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  };
  return {
    post: (url, body, type) =>
      send(url, { method: 'POST', headers: { 'content-type': type }, body: Buffer.from(body) }),
    get: (url) => send(url, {}),
    close: () => undefined,
  };
}

/** Creates a pool: `maxSockets` connections per origin at most. */
export function createHttpPool(impl: HttpImpl, maxSockets: number, timeoutMs = 10_000): HttpPool {
  return impl === 'fetch' ? fetchPool(timeoutMs) : nodePool(maxSockets, timeoutMs);
}

/** GET a JSON document (throws on non-2xx). */
export async function getJson<T>(pool: HttpPool, url: string): Promise<T> {
  const r = await pool.get(url);
  if (r.status < 200 || r.status >= 300) throw new Error(`GET ${url}: HTTP ${r.status}`);
  return JSON.parse(r.body) as T;
}

/** Follows a server-sent event stream; `onChunk` gets decoded text. Resolves when the stream ends. */
export function followStream(
  url: string,
  onChunk: (text: string) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream' }, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (c: string) => onChunk(c));
      res.on('end', () => resolve());
      res.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
      res.on('close', () => resolve());
    });
    req.on('error', (e) => (signal.aborted ? resolve() : reject(e)));
  });
}
