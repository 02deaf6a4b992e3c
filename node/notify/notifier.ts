/**
 * The actor-event index of a node (docs/notify.md): fed every applied block, in order, it turns
 * the consent contract's Audit events into per-actor events, persists them with their webhook
 * deliveries in one batch, then tells the live streams and wakes the webhook loops. At start it
 * indexes the blocks the chain store applied while it was not running (a crash between the two
 * writes loses nothing).
 */
import { join } from 'node:path';
import type { Block, Receipt } from '../../protocol/chain/types.js';
import { type ActorEvent, parseEventId, type ResetEvent } from '../../protocol/notify.js';
import type { AppliedBlock } from '../blocks/applier.js';
import type { Logger } from '../log.js';
import type { DiskGuardOptions } from '../store/health.js';
import { type ConsentQuery, createStateContext } from './facts.js';
import { auditOfEvent, auditToActorEvents, type DraftEvent, type Timer, timerToActorEvents } from './map.js';
import type { NotifyOptions } from './options.js';
import { NotifyStore } from './store.js';
import { WebhookDispatcher } from './webhooks.js';

/** The blocks the chain store holds, for catching up at start. */
export interface BlockSource {
  latestHeight(): number;
  getBlock(height: number): Promise<Block | undefined>;
  getReceipts(height: number): Promise<Receipt[] | undefined>;
}

export interface NotifierDeps {
  readonly dataDir: string;
  readonly query: ConsentQuery;
  readonly blocks: BlockSource;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
  /** How the index's full-disk probe samples (the chain store's `store.disk*` options). */
  readonly disk?: Partial<DiskGuardOptions>;
}

/** What a resume replays: events after the id asked for, and a reset if some could not be. */
export interface Replay {
  readonly reset: ResetEvent | null;
  readonly events: readonly ActorEvent[];
}

type Listener = (e: ActorEvent) => void;

/** The index, its live listeners and its webhooks. */
export class Notifier {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #webhooks: WebhookDispatcher;
  #tail: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(
    readonly options: NotifyOptions,
    private readonly deps: NotifierDeps,
    private readonly store: NotifyStore,
  ) {
    this.#webhooks = new WebhookDispatcher(options, {
      store,
      log: deps.log,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
  }

  /** Opens the index's LevelDB under `<dataDir>/notify`. */
  static async open(options: NotifyOptions, deps: NotifierDeps): Promise<Notifier> {
    const store = await NotifyStore.open(join(deps.dataDir, 'notify'), deps.disk ?? {});
    store.onDiskState((s) => {
      // Blocks keep coming and wait in order in the queue (the chain store, on the same disk,
      // pauses applying too); nothing is skipped.
      if (s.full)
        deps.log.error(
          { reason: s.reason, freeBytes: s.freeBytes },
          'actor-event index: DISK FULL, indexing paused until space is freed',
        );
      else
        deps.log.warn({ freeBytes: s.freeBytes }, 'actor-event index: disk has room again, indexing resumed');
    });
    return new Notifier(options, deps, store);
  }

  /** The last block height indexed. */
  get height(): number {
    return this.store.height;
  }

  /** Indexes what the chain store applied meanwhile (bounded by catchUpBlocks), then delivers webhooks. */
  async start(): Promise<void> {
    const head = this.deps.blocks.latestHeight();
    const from = Math.max(this.store.height + 1, head - this.options.catchUpBlocks + 1);
    this.#enqueue(async () => {
      for (let h = from; h <= head && !this.#stopped; h++) {
        const [block, receipts] = await Promise.all([
          this.deps.blocks.getBlock(h),
          this.deps.blocks.getReceipts(h),
        ]);
        // Below the store's base (a snapshot restore) there is nothing to index.
        if (block !== undefined && receipts !== undefined) await this.#index(block, receipts);
      }
      if (head >= from) this.deps.log.info({ from, to: head }, 'actor-event index caught up');
    });
    this.#webhooks.start();
  }

  /** The applied-block hook (blocks/fanout.ts): indexed in order, after any catch-up. */
  onApplied(a: AppliedBlock): void {
    this.#enqueue(() => this.#index(a.block, a.receipts));
  }

  /** Live events for `actor` as they are indexed. */
  subscribe(actor: string, listener: Listener): () => void {
    const set = this.#listeners.get(actor) ?? new Set<Listener>();
    set.add(listener);
    this.#listeners.set(actor, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(actor);
    };
  }

  /**
   * What `actor` missed after event `since` (null: nothing to replay), bounded by maxReplay and by
   * retention: beyond either, a reset and the newest events the bound allows.
   */
  async replay(actor: string, since: string | null): Promise<Replay> {
    if (since === null) return { reset: null, events: [] };
    const at = parseEventId(since);
    const max = this.options.maxReplay;
    if (at === null) return { reset: { reason: 'too_old', since, from: null }, events: [] };
    // The index holds heights from retainedFrom on: a resume from an event before that may miss some.
    const retainedFrom = Math.max(this.store.height - this.options.retainBlocks + 1, this.store.first);
    if (at.height < retainedFrom - 1) {
      const events = await this.store.newestEvents(actor, max);
      return { reset: { reason: 'too_old', since, from: events[0]?.id ?? null }, events };
    }
    const events = await this.store.eventsAfter(actor, at, max + 1);
    if (events.length <= max) return { reset: null, events };
    const newest = await this.store.newestEvents(actor, max);
    return { reset: { reason: 'too_many', since, from: newest[0]?.id ?? null }, events: newest };
  }

  /** Waits until everything enqueued so far is indexed (tests, shutdown). */
  idle(): Promise<void> {
    return this.#tail;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    // A write waiting for disk space would hold this stop forever; the next start catches up.
    if (this.store.diskState().full) this.store.interrupt();
    await this.#tail;
    await this.#webhooks.stop();
    await this.store.close();
  }

  #enqueue(job: () => Promise<void>): void {
    this.#tail = this.#tail.then(job).catch((err: unknown) => {
      this.deps.log.error({ err }, 'actor-event index: a block could not be indexed');
    });
  }

  async #index(block: Block, receipts: readonly Receipt[]): Promise<void> {
    const { height, time } = block.header;
    if (this.#stopped || height <= this.store.height) return;
    const ctx = createStateContext(this.deps.query, (p) => this.store.guardiansOf(p));
    const drafts: DraftEvent[] = [];
    const addTimers: Timer[] = [];
    const guardians: { guardian: string; patient: string; linked: boolean }[] = [];
    for (let i = 0; i < receipts.length; i++) {
      const r = receipts[i]!;
      if (r.status !== 'ok' || block.txs[i]?.body.contract !== 'consent') continue;
      for (const ev of r.events) {
        const entry = auditOfEvent(ev);
        if (entry === null) continue;
        const m = auditToActorEvents(entry, ctx);
        for (const g of m.guardians) this.store.link(g.patient, g.guardian, g.linked);
        guardians.push(...m.guardians);
        drafts.push(...m.events);
        addTimers.push(...m.timers);
      }
    }
    const doneTimers = await this.store.dueTimers(time);
    // A timer already due at this block's time (a grant made within 24 h of its end) is checked
    // now, not stored: an idle chain might cut no next block to check it at.
    const dueNow = addTimers.filter((t) => t.due <= time);
    const later = addTimers.filter((t) => t.due > time);
    for (const t of [...doneTimers, ...dueNow]) drafts.push(...timerToActorEvents(t, time, ctx));
    const events: ActorEvent[] = drafts.map((d, i) => ({ id: `${height}-${i}`, height, time, ...d }));
    const deliveries = this.#webhooks.enabled ? events.flatMap((e) => this.#webhooks.deliveriesFor(e)) : [];
    const dropped = await this.store.write(
      {
        height,
        events,
        addTimers: later,
        doneTimers,
        guardians,
        deliveries,
        pruneBelow: height - this.options.retainBlocks + 1,
      },
      this.options.webhook.maxOutbox,
    );
    if (dropped > 0) this.deps.log.warn({ dropped }, 'webhook outbox full: oldest deliveries dropped');
    if (deliveries.length > 0) this.#webhooks.wake();
    if (this.#listeners.size === 0) return;
    for (const e of events) {
      const ls = this.#listeners.get(e.actor);
      if (ls !== undefined) for (const l of ls) l(e);
    }
  }
}
