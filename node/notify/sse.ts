/**
 * `GET /v1/events?actor=<id>[,<key>...]`: the actor's events as server-sent events (`event: <type>`,
 * `id: <event id>`, `data: <json>`). Several keys (an actor id and the group keys `org:<code>`,
 * `role:<role>` its person belongs to) make one stream in chain order: event ids are numbered per
 * block across every key, so one `since` resumes them all. A resume (`Last-Event-ID` or `?since=`)
 * first replays what was missed, from the index, then goes live; events indexed while the replay
 * is read are buffered, not lost, and none is sent twice.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ActorEvent, type ActorEventSource, compareEventIds } from '../../protocol/notify.js';

/** One SSE frame. */
function sseFrame(type: string, data: unknown, id?: string): string {
  return `event: ${type}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** The most keys one stream follows: an actor id, its organisation and its role, and one spare. */
export const MAX_STREAM_KEYS = 4;

/** Streams the events of `actors` (one or more keys) on `reply` until the client goes away. */
export async function streamActorEvents(
  source: ActorEventSource,
  req: FastifyRequest,
  reply: FastifyReply,
  actors: readonly string[],
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
  const keys = [...new Set(actors)].slice(0, MAX_STREAM_KEYS);
  const unsubscribes = keys.map((actor) =>
    source.subscribe(actor, (e) => {
      if (buffered !== null) buffered.push(e);
      else send(e);
    }),
  );
  const unsubscribe = () => {
    for (const u of unsubscribes) u();
  };
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.raw.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
  try {
    const rs = await Promise.all(keys.map((actor) => source.replay(actor, since)));
    const reset = rs.find((r) => r.reset !== null)?.reset ?? null;
    if (reset !== null) {
      res.write(sseFrame('reset', reset));
      last = null;
    }
    for (const e of rs.flatMap((r) => r.events).sort((a, b) => compareEventIds(a.id, b.id))) send(e);
  } finally {
    const pending = buffered;
    buffered = null;
    for (const e of pending.sort((a, b) => compareEventIds(a.id, b.id))) send(e);
  }
}
