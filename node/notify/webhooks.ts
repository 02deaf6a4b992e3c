/**
 * Webhook delivery: one loop per subscriber takes the oldest delivery of its LevelDB outbox, POSTs it
 * signed (HMAC-SHA256 over `<timestamp>.<body>`), and removes it only after a 2xx; a failure waits
 * an exponential back-off (capped) and tries the same delivery again, so each subscriber receives
 * its deliveries in order, at least once (the delivery id makes them idempotent), across restarts.
 */
import { createHash, createHmac } from 'node:crypto';
import type { ActorEvent } from '../../protocol/notify.js';
import type { Logger } from '../log.js';
import type { NotifyOptions, WebhookSubscriber } from './options.js';
import type { Delivery, NotifyStore } from './store.js';

/** The header carrying `t=<unix seconds>,v1=<hex hmac>`. */
const SIGNATURE_HEADER = 'ehrchain-signature';
/** The header carrying the delivery id. */
const DELIVERY_HEADER = 'ehrchain-delivery';

/** `t=<seconds>,v1=<hex of HMAC-SHA256(secret, "<seconds>.<body>")>`. */
export function signatureHeader(secret: string, body: string, seconds: number): string {
  const mac = createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex');
  return `t=${seconds},v1=${mac}`;
}

/** A subscriber's outbox name: derived from its URL, so config order does not matter. */
export function subscriberKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** Does the subscriber want this event (its `events` and `actors` filters)? */
export function wants(s: WebhookSubscriber, e: ActorEvent): boolean {
  return (
    (s.events === undefined || s.events.includes(e.type)) &&
    (s.actors === undefined || s.actors.includes(e.actor))
  );
}

/** The back-off before attempt `attempt + 1` (attempt >= 1): min * 2^(attempt-1), capped. */
export function backoffMs(attempt: number, min: number, max: number): number {
  return Math.min(max, min * 2 ** Math.min(30, attempt - 1));
}

export interface WebhookDeps {
  readonly store: NotifyStore;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  /** Wall clock, ms (the signature's timestamp). */
  readonly now?: () => number;
}

interface Loop {
  readonly sub: WebhookSubscriber;
  readonly key: string;
  wake: (() => void) | null;
  /** Written to since the loop last looked at its outbox. */
  dirty: boolean;
  done: Promise<void>;
}

/** Runs the delivery loops. */
export class WebhookDispatcher {
  readonly #loops: Loop[];
  readonly #abort = new AbortController();

  constructor(
    private readonly opts: NotifyOptions,
    private readonly deps: WebhookDeps,
  ) {
    this.#loops = opts.webhooks.map((sub) => ({
      sub,
      key: subscriberKey(sub.url),
      wake: null,
      dirty: false,
      done: Promise.resolve(),
    }));
  }

  /** True when some webhook is configured (most nodes have none: the index then skips deliveries). */
  get enabled(): boolean {
    return this.#loops.length > 0;
  }

  /** The deliveries one event makes: one per subscriber that wants it. */
  deliveriesFor(e: ActorEvent): { subscriber: string; delivery: Delivery }[] {
    return this.#loops
      .filter((l) => wants(l.sub, e))
      .map((l) => ({ subscriber: l.key, delivery: { id: `${l.key}-${e.id}`, event: e } }));
  }

  start(): void {
    for (const l of this.#loops) l.done = this.#run(l);
  }

  /** New deliveries were written: wake the idle loops. */
  wake(): void {
    for (const l of this.#loops) {
      l.dirty = true;
      l.wake?.();
    }
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.wake();
    await Promise.all(this.#loops.map((l) => l.done));
  }

  async #run(l: Loop): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      l.dirty = false;
      const next = await this.deps.store.outboxFirst(l.key).catch(() => null);
      if (signal.aborted) return;
      if (next === null) {
        if (!l.dirty)
          await new Promise<void>((resolve) => {
            l.wake = resolve;
          });
        l.wake = null;
        continue;
      }
      if (await this.#post(l, next.delivery)) {
        attempt = 0;
        await this.deps.store.outboxDelete(l.key, next.key).catch(() => undefined);
        continue;
      }
      attempt++;
      const wait = backoffMs(attempt, this.opts.webhook.minBackoffMs, this.opts.webhook.maxBackoffMs);
      await sleep(wait, signal);
    }
  }

  async #post(l: Loop, d: Delivery): Promise<boolean> {
    const body = JSON.stringify({ id: d.id, event: d.event });
    const seconds = Math.floor((this.deps.now ?? Date.now)() / 1000);
    try {
      const res = await (this.deps.fetch ?? fetch)(l.sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [DELIVERY_HEADER]: d.id,
          [SIGNATURE_HEADER]: signatureHeader(l.sub.secret, body, seconds),
        },
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.opts.webhook.timeoutMs)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      this.deps.log.debug({ url: l.sub.url, status: res.status, delivery: d.id }, 'webhook refused');
    } catch (err) {
      // The URL is logged, the secret never.
      this.deps.log.debug({ url: l.sub.url, delivery: d.id, err: String(err) }, 'webhook unreachable');
    }
    return false;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
