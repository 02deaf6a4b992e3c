/**
 * `GET /v1/events?actor=<id>`: the actor's events as server-sent events (`event: <type>`, `id: <event
 * id>`, `data: <json>`). A resume (`Last-Event-ID` or `?since=`) first replays what was missed, from
 * the index, then goes live; events indexed while the replay is read are buffered, not lost, and
 * none is sent twice.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ActorEvent, type ActorEventSource, compareEventIds } from '../../protocol/notify.js';

/** One SSE frame. */
function sseFrame(type: string, data: unknown, id?: string): string {
  return `event: ${type}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** Streams `actor`'s events on `reply` until the client goes away. */
export async function streamActorEvents(
  source: ActorEventSource,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: string,
  since: string | null,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  let buffered: ActorEvent[] | null = [];
  let last = since;
  const send = (e: ActorEvent) => {
    if (last !== null && compareEventIds(e.id, last) <= 0) return;
    last = e.id;
    res.write(sseFrame(e.type, e, e.id));
  };
  const unsubscribe = source.subscribe(actor, (e) => {
    if (buffered !== null) buffered.push(e);
    else send(e);
  });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.raw.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
  try {
    const r = await source.replay(actor, since);
    if (r.reset !== null) {
      res.write(sseFrame('reset', r.reset));
      last = null;
    }
    for (const e of r.events) send(e);
  } finally {
    const pending = buffered;
    buffered = null;
    for (const e of pending) send(e);
  }
}
