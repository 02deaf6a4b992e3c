/**
 * Following one actor's notifications (`GET /v1/events?actor=`, docs/notify.md): a server-sent
 * event stream read with fetch, yielded as typed events, reconnecting after a drop with the last
 * event id seen so the node replays what was missed.
 */
import type { ActorEvent, ResetEvent } from '../protocol/notify.js';

export interface FollowOptions {
  /** Resume after this event id (as Last-Event-ID). */
  readonly lastEventId?: string;
  /** Ends the iteration. */
  readonly signal?: AbortSignal;
  /** Wait before reconnecting after a drop. Default: the stream's `retry:` (2,000 ms). */
  readonly reconnectMs?: number;
}

/** What the iterator yields: an actor event, or a reset when the node could not replay everything. */
export type FollowItem =
  | { readonly kind: 'event'; readonly event: ActorEvent }
  | { readonly kind: 'reset'; readonly reset: ResetEvent };

interface Frame {
  event: string;
  id: string | null;
  data: string;
}

/** Parses SSE frames out of a text stream (lines ending \n, frames ending with a blank line). */
export async function* sseFrames(chunks: AsyncIterable<string>): AsyncGenerator<Frame | { retry: number }> {
  let buf = '';
  let frame: Frame = { event: 'message', id: null, data: '' };
  for await (const chunk of chunks) {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (frame.data !== '') yield frame;
        frame = { event: 'message', id: null, data: '' };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') frame.event = value;
      else if (field === 'id') frame.id = value;
      else if (field === 'data') frame.data = frame.data === '' ? value : `${frame.data}\n${value}`;
      else if (field === 'retry' && /^\d+$/.test(value)) yield { retry: Number(value) };
    }
  }
}

async function* textOf(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder();
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>)
    yield dec.decode(bytes, { stream: true });
}

/** The actor's events from `baseUrl`, for ever (until `signal` aborts), reconnecting as needed. */
export async function* followActor(
  baseUrl: string,
  fetchImpl: typeof fetch,
  actorId: string,
  opts: FollowOptions = {},
): AsyncGenerator<FollowItem> {
  let last = opts.lastEventId ?? null;
  let retry = opts.reconnectMs ?? 2_000;
  const aborted = (): boolean => opts.signal?.aborted === true;
  while (!aborted()) {
    const url = new URL('/v1/events', baseUrl);
    url.searchParams.set('actor', actorId);
    try {
      const res = await fetchImpl(url, {
        headers: { accept: 'text/event-stream', ...(last === null ? {} : { 'last-event-id': last }) },
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      if (!res.ok || res.body === null) {
        // A refusal (bad actor id: 400, no index: 404) will not get better by retrying.
        if (res.status >= 400 && res.status < 500) throw new Error(`${res.status}: ${await res.text()}`);
      } else {
        for await (const f of sseFrames(textOf(res.body))) {
          if ('retry' in f) {
            if (opts.reconnectMs === undefined) retry = f.retry;
            continue;
          }
          if (f.event === 'reset') {
            yield { kind: 'reset', reset: JSON.parse(f.data) as ResetEvent };
            continue;
          }
          const event = JSON.parse(f.data) as ActorEvent;
          if (f.id !== null) last = f.id;
          yield { kind: 'event', event };
        }
      }
    } catch (err) {
      if (aborted()) return;
      if (err instanceof Error && /^4\d\d:/.test(err.message)) throw err;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, retry);
      opts.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
