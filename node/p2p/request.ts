/**
 * Generic request/response over a libp2p stream protocol (for blob fetch and similar).
 *
 * One stream per request. The requester writes one length-prefixed frame and closes its writable
 * end; the responder answers with one length-prefixed frame `[status, ...body]` and closes:
 *   status 0: ok, body is the response;
 *   status 1: refused, body is a short ASCII code (`RequestRefusal.code`, or 'internal').
 * Both directions are bounded in size and time.
 */
import type { Connection, Libp2p, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { P2PError } from './errors.js';
import { parsePeerId } from './identity.js';
import { DropReason, type P2PMetrics } from './metrics.js';

/** Throw this from a request handler to answer with a refusal code the requester can act on. */
export class RequestRefusal extends Error {
  override readonly name = 'RequestRefusal';
  /** Up to 64 characters of [A-Za-z0-9_.:-]; anything else is sent as 'internal'. */
  constructor(readonly code: string) {
    super(code);
  }
}

/** What a request handler learns about its caller. */
export interface RequestContext {
  /** Authenticated remote peer id string. */
  readonly from: string;
  /** Fires on timeout or host stop. */
  readonly signal: AbortSignal;
}

/** Answers one request; throw `RequestRefusal` to refuse with a code. */
export type RequestHandler = (request: Uint8Array, ctx: RequestContext) => Promise<Uint8Array> | Uint8Array;

/** Limits for a request protocol's responder side. */
export interface HandleRequestOptions {
  /** Default 64 KiB. */
  readonly maxRequestBytes?: number;
  /** Default 16 MiB; a larger answer is refused with 'internal'. */
  readonly maxResponseBytes?: number;
  /** Whole exchange, default 30 s. */
  readonly timeoutMs?: number;
  /** Concurrent inbound streams per connection, default 16. */
  readonly maxInboundStreams?: number;
}

/** Options for one request. */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Whole exchange (dial included), default 30 s. */
  readonly timeoutMs?: number;
  /** Default 16 MiB. */
  readonly maxResponseBytes?: number;
}

const STATUS_OK = 0;
const STATUS_REFUSED = 1;
const CODE_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE = 16 * 1024 * 1024;

type StreamHost = Pick<Libp2p, 'dialProtocol' | 'handle'>;

async function readOneFrame(stream: Stream, maxDataLength: number): Promise<Uint8Array> {
  try {
    for await (const frame of lp.decode(stream, { maxDataLength })) return frame.subarray();
  } catch (err) {
    if (err instanceof Error && err.name === 'InvalidDataLengthError') {
      throw new P2PError('too_large', `frame over ${maxDataLength} bytes`, { cause: err });
    }
    throw new P2PError('bad_message', 'bad frame', { cause: err });
  }
  throw new P2PError('bad_message', 'stream ended before a frame');
}

function withAbort(stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void => stream.abort(new Error('aborted'));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** Registers `handler` for `protocol` on `host`. */
export async function handleRequest(
  host: StreamHost,
  protocol: string,
  handler: RequestHandler,
  stopSignal: () => AbortSignal,
  metrics: P2PMetrics,
  options: HandleRequestOptions = {},
): Promise<void> {
  const maxRequest = options.maxRequestBytes ?? 64 * 1024;
  const maxResponse = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  await host.handle(
    protocol,
    async (stream: Stream, connection: Connection) => {
      const signal = AbortSignal.any([stopSignal(), AbortSignal.timeout(timeoutMs)]);
      const release = withAbort(stream, signal);
      try {
        const request = await readOneFrame(stream, maxRequest);
        metrics.messageReceived('request', request.byteLength);
        let response: Uint8Array;
        try {
          const body = await handler(request, { from: connection.remotePeer.toString(), signal });
          if (body.byteLength > maxResponse) throw new Error('response too large');
          response = new Uint8Array(body.byteLength + 1);
          response[0] = STATUS_OK;
          response.set(body, 1);
        } catch (err) {
          const code = err instanceof RequestRefusal && CODE_RE.test(err.code) ? err.code : 'internal';
          response = new Uint8Array([STATUS_REFUSED, ...new TextEncoder().encode(code)]);
        }
        stream.send(lp.encode.single(response));
        metrics.messageSent('response', response.byteLength);
        await stream.close({ signal });
      } catch {
        metrics.messageDropped('request', DropReason.BadMessage);
        stream.abort(new Error('request failed'));
      } finally {
        release();
      }
    },
    { maxInboundStreams: options.maxInboundStreams ?? 16 },
  );
}

/**
 * Sends one request and returns the response body. Throws P2PError: 'remote_error' (with
 * `remoteCode`) when refused, 'timeout', 'aborted' (the caller's signal), 'too_large',
 * 'bad_message', or 'unreachable'.
 */
export async function request(
  host: StreamHost,
  peer: string,
  protocol: string,
  body: Uint8Array,
  stopSignal: AbortSignal,
  metrics: P2PMetrics,
  options: RequestOptions = {},
): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signals = [stopSignal, timeout];
  if (options.signal !== undefined) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const maxResponse = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
  const peerId = parsePeerId(peer);
  let release = (): void => {};
  try {
    const stream = await host.dialProtocol(peerId, protocol, { signal });
    release = withAbort(stream, signal);
    stream.send(lp.encode.single(body));
    metrics.messageSent('request', body.byteLength);
    await stream.close({ signal });
    const frame = await readOneFrame(stream, maxResponse + 1);
    metrics.messageReceived('response', frame.byteLength);
    const status = frame[0];
    if (status === STATUS_OK) return frame.subarray(1);
    if (status === STATUS_REFUSED) {
      const code = new TextDecoder().decode(frame.subarray(1, 65));
      throw new P2PError('remote_error', `refused: ${code}`, { remoteCode: code });
    }
    throw new P2PError('bad_message', 'unknown response status');
  } catch (err) {
    if (options.signal?.aborted === true) throw new P2PError('aborted', 'request aborted', { cause: err });
    if (timeout.aborted) throw new P2PError('timeout', 'request timed out', { cause: err });
    if (stopSignal.aborted) throw new P2PError('not_started', 'host stopped', { cause: err });
    if (err instanceof P2PError) throw err;
    throw new P2PError('unreachable', `request to ${peer} failed`, { cause: err });
  } finally {
    release();
  }
}
