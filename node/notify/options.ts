/** Options of the actor-event index, its stream and its webhooks (docs/config.md#notify). */

/** One webhook subscriber (config.json `notify.webhooks[]`). */
export interface WebhookSubscriber {
  /** http(s) URL the deliveries are POSTed to. */
  readonly url: string;
  /** HMAC-SHA256 key of the signature header, 16 characters at least. Never logged. */
  readonly secret: string;
  /** Only these event types (default: all). */
  readonly events?: readonly string[];
  /** Only events for these actor ids (default: all actors). */
  readonly actors?: readonly string[];
}

export interface NotifyOptions {
  /** Blocks of actor events kept for replay; older ones are pruned (a resume from before gets `reset`). */
  readonly retainBlocks: number;
  /** Most events one resume replays; beyond, the stream sends `reset` and the newest this many. */
  readonly maxReplay: number;
  /** Blocks (at most) indexed from the chain store at start when the index is behind. */
  readonly catchUpBlocks: number;
  readonly webhook: {
    /** First retry after this many ms, doubling per failed attempt... */
    readonly minBackoffMs: number;
    /** ...up to this many ms between attempts (attempts go on: nothing is dropped for failing). */
    readonly maxBackoffMs: number;
    /** A delivery not answered with 2xx within this many ms has failed. */
    readonly timeoutMs: number;
    /** Deliveries kept per subscriber; past that the oldest are dropped (logged and counted). */
    readonly maxOutbox: number;
  };
  /** Hospital systems to POST events to. */
  readonly webhooks: readonly WebhookSubscriber[];
}

export const defaultNotifyOptions: NotifyOptions = {
  retainBlocks: 100_000,
  maxReplay: 1000,
  catchUpBlocks: 100_000,
  webhook: { minBackoffMs: 500, maxBackoffMs: 60_000, timeoutMs: 10_000, maxOutbox: 100_000 },
  webhooks: [],
};

/** Why a webhook entry is refused, or null if it is fine (url http(s), secret >= 16 chars). */
export function webhookProblem(w: unknown, knownTypes: readonly string[]): string | null {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) return 'expected an object';
  const o = w as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['url', 'secret', 'events', 'actors'].includes(k)) return `${k}: unknown field`;
  let url: URL;
  try {
    url = new URL(String(o.url));
  } catch {
    return 'url: expected an http(s) URL';
  }
  if (typeof o.url !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return 'url: expected an http(s) URL';
  // The secret's value never appears in a message.
  if (typeof o.secret !== 'string' || o.secret.length < 16) return 'secret: expected 16 characters or more';
  if (o.events !== undefined) {
    if (!Array.isArray(o.events) || o.events.some((t) => !knownTypes.includes(t as string)))
      return `events: expected a list of ${knownTypes.join(', ')}`;
  }
  if (o.actors !== undefined) {
    if (!Array.isArray(o.actors) || o.actors.some((a) => typeof a !== 'string' || !/^[0-9a-f]{64}$/.test(a)))
      return 'actors: expected a list of actor ids (64 lowercase hex)';
  }
  return null;
}
