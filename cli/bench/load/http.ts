/**
 * The load generator's HTTP: one keep-alive connection pool per worker, at most `maxSockets`
 * connections per node. Three clients: undici's `Agent` driven through `dispatch` with a bare
 * handler (the default: 0.42-0.46x `node:http`'s CPU per request, measured in docs/bench.md),
 * `node:http` with a keep-alive Agent, or the global `fetch` (unpooled beyond undici's defaults).
 * Every CPU microsecond the generator spends is taken from the validators on a shared machine.
 */
import * as http from 'node:http';
import { Agent, type Dispatcher } from 'undici';
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

/** `http://host:port/p?q` -> [`http://host:port`, `/p?q`], without a URL object per request. */
export function splitUrl(url: string): [origin: string, path: string] {
  const i = url.indexOf('/', url.indexOf('//') + 2);
  return i < 0 ? [url, '/'] : [url.slice(0, i), url.slice(i)];
}

/** Collects one response's status and body text. */
class ReplyHandler implements Dispatcher.DispatchHandler {
  #status = 0;
  #parts: Buffer[] = [];
  constructor(
    private readonly resolve: (r: HttpReply) => void,
    private readonly reject: (e: Error) => void,
  ) {}
  /** Present so that undici takes this for a handler of its current API. */
  onRequestStart(): void {}
  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode;
  }
  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#parts.push(chunk);
  }
  onResponseEnd(): void {
    const p = this.#parts;
    const body =
      p.length === 0 ? '' : p.length === 1 ? (p[0] as Buffer).toString() : Buffer.concat(p).toString();
    this.resolve({ status: this.#status, body });
  }
  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.reject(err);
  }
}

function undiciPool(maxSockets: number, timeoutMs: number): HttpPool {
  // One request per connection at a time (no pipelining), as with node:http's Agent; a response
  // whose headers or body stall for timeoutMs fails the request.
  const agent = new Agent({
    connections: maxSockets,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  });
  const send = (url: string, method: Dispatcher.HttpMethod, body: Uint8Array | null, type: string) =>
    new Promise<HttpReply>((resolve, reject) => {
      const [origin, path] = splitUrl(url);
      agent.dispatch(
        { origin, path, method, headers: body === null ? {} : { 'content-type': type }, body },
        new ReplyHandler(resolve, reject),
      );
    });
  return {
    post: (url, body, type) => send(url, 'POST', body, type),
    get: (url) => send(url, 'GET', null, ''),
    close: () => {
      agent.destroy().catch(() => undefined);
    },
  };
}

/** Creates a pool: `maxSockets` connections per origin at most. */
export function createHttpPool(impl: HttpImpl, maxSockets: number, timeoutMs = 10_000): HttpPool {
  if (impl === 'fetch') return fetchPool(timeoutMs);
  return impl === 'node' ? nodePool(maxSockets, timeoutMs) : undiciPool(maxSockets, timeoutMs);
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
