/**
 * The actor-event index on disk: its own LevelDB under `<dataDir>/notify` (utf8 keys, JSON values).
 * One block's worth of changes (its events, prunes, timers, guardian links, webhook outbox entries
 * and the indexed height) is one atomic batch.
 *
 *   m:height                          -> last indexed block height
 *   m:first                           -> first block height indexed (what a replay can reach back to)
 *   e:<actor>:<h12>-<i9>              -> ActorEvent            (per-actor, in chain order)
 *                                        (<actor>: an actor id, or a group key org:<code> / role:<role>)
 *   h:<h12>:<actor>:<i9>              -> ''                    (by height, for pruning)
 *   t:<due16>:<kind>:<id>             -> Timer                 (lapse / expiry checks by block time)
 *   g:<patient>:<guardian>            -> ''                    (guardian links seen)
 *   o:<subscriber>:<seq16>            -> Delivery              (webhook outbox, in order)
 *
 * A full disk: every write goes through a DiskGuard (store/health.ts) and waits while the disk is
 * full; once the guard's probe finds room it reopens the database and the write runs again, so no
 * block's events are skipped. `interrupt()` fails the waiting writes at stop (the index then catches
 * up from the chain store at the next start).
 */
import { Level } from 'level';
import type { ActorEvent } from '../../protocol/notify.js';
import { DiskGuard, type DiskGuardOptions, type DiskState } from '../store/health.js';
import type { Timer } from './map.js';

/** One webhook delivery waiting in the outbox. */
export interface Delivery {
  /** Stable across retries and restarts: the receiver's idempotence key. */
  readonly id: string;
  readonly event: ActorEvent;
}

/** Everything one block changes in the index. */
export interface BlockWrite {
  readonly height: number;
  readonly events: readonly ActorEvent[];
  readonly addTimers: readonly Timer[];
  readonly doneTimers: readonly Timer[];
  readonly guardians: readonly { guardian: string; patient: string; linked: boolean }[];
  readonly deliveries: readonly { subscriber: string; delivery: Delivery }[];
  /** Prune the events of heights below this. */
  readonly pruneBelow: number;
}

const pad = (n: number, w: number): string => String(Math.max(0, Math.trunc(n))).padStart(w, '0');
const eventSuffix = (height: number, index: number): string => `${pad(height, 12)}-${pad(index, 9)}`;
const timerKey = (t: Timer): string => `t:${pad(t.due, 16)}:${t.kind}:${pad(t.id, 16)}`;

type Batch = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/** The index's LevelDB. */
export class NotifyStore {
  readonly #db: Level<string, string>;
  readonly #guard: DiskGuard;
  #height = 0;
  #first = 0;
  readonly #guardians = new Map<string, Set<string>>();
  readonly #nextSeq = new Map<string, number>();
  readonly #outboxSize = new Map<string, number>();

  private constructor(db: Level<string, string>, dir: string, disk: Partial<DiskGuardOptions>) {
    this.#db = db;
    this.#guard = new DiskGuard(
      async () => {
        await db.close();
        await db.open();
      },
      dir,
      disk,
    );
  }

  /**
   * Opens (creating) the index at `dir` and loads its height, guardian links and outbox sizes;
   * `disk`: how the full-disk probe samples.
   */
  static async open(dir: string, disk: Partial<DiskGuardOptions> = {}): Promise<NotifyStore> {
    const db = new Level<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const s = new NotifyStore(db, dir, disk);
    const h = await db.get('m:height');
    s.#height = h === undefined ? 0 : Number(h);
    const f = await db.get('m:first');
    s.#first = f === undefined ? 0 : Number(f);
    for await (const key of db.keys({ gt: 'g:', lt: 'g;' })) {
      const [, patient, guardian] = key.split(':') as [string, string, string];
      s.#link(patient, guardian, true);
    }
    for await (const key of db.keys({ gt: 'o:', lt: 'o;' })) {
      const [, sub, seq] = key.split(':') as [string, string, string];
      s.#nextSeq.set(sub, Number(seq) + 1);
      s.#outboxSize.set(sub, (s.#outboxSize.get(sub) ?? 0) + 1);
    }
    return s;
  }

  /** The last block height indexed (0: none). */
  get height(): number {
    return this.#height;
  }

  /** The first block height indexed (0: none yet): the index knows nothing before it. */
  get first(): number {
    return this.#first;
  }

  /** The guardians linked to `patient`, as far as the index has seen. */
  guardiansOf(patient: string): string[] {
    return [...(this.#guardians.get(patient) ?? [])];
  }

  #link(patient: string, guardian: string, linked: boolean): void {
    const set = this.#guardians.get(patient) ?? new Set<string>();
    if (linked) set.add(guardian);
    else set.delete(guardian);
    this.#guardians.set(patient, set);
  }

  /** Applies a guardian change in memory before the block is written (later entries see it). */
  link(patient: string, guardian: string, linked: boolean): void {
    this.#link(patient, guardian, linked);
  }

  /** Timers due at block time `time` (due <= time), oldest first, at most `limit`. */
  async dueTimers(time: number, limit = 1000): Promise<Timer[]> {
    const out: Timer[] = [];
    for await (const v of this.#db.values({ gt: 't:', lt: `t:${pad(time + 1, 16)}`, limit }))
      out.push(JSON.parse(v) as Timer);
    return out;
  }

  /** The events of `actor` after `(height, index)` (all when null), oldest first, at most `limit`. */
  async eventsAfter(actor: string, after: { height: number; index: number } | null, limit: number) {
    const gt = after === null ? `e:${actor}:` : `e:${actor}:${eventSuffix(after.height, after.index)}`;
    const out: ActorEvent[] = [];
    for await (const v of this.#db.values({ gt, lt: `e:${actor};`, limit })) out.push(JSON.parse(v));
    return out;
  }

  /** The newest `limit` events of `actor`, oldest first. */
  async newestEvents(actor: string, limit: number): Promise<ActorEvent[]> {
    const out: ActorEvent[] = [];
    for await (const v of this.#db.values({ gt: `e:${actor}:`, lt: `e:${actor};`, limit, reverse: true }))
      out.push(JSON.parse(v));
    return out.reverse();
  }

  /** The next `seq` for a subscriber's outbox. */
  #seq(sub: string): number {
    const n = this.#nextSeq.get(sub) ?? 0;
    this.#nextSeq.set(sub, n + 1);
    return n;
  }

  /** Writes one block's changes atomically; returns the outbox entries dropped to stay under `maxOutbox`. */
  async write(w: BlockWrite, maxOutbox: number): Promise<number> {
    const ops: Batch[] = [];
    for (const e of w.events) {
      const [h, i] = e.id.split('-') as [string, string];
      ops.push({
        type: 'put',
        key: `e:${e.actor}:${eventSuffix(Number(h), Number(i))}`,
        value: JSON.stringify(e),
      });
      ops.push({ type: 'put', key: `h:${pad(Number(h), 12)}:${e.actor}:${pad(Number(i), 9)}`, value: '' });
    }
    for (const t of w.doneTimers) ops.push({ type: 'del', key: timerKey(t) });
    for (const t of w.addTimers) ops.push({ type: 'put', key: timerKey(t), value: JSON.stringify(t) });
    for (const g of w.guardians) {
      const key = `g:${g.patient}:${g.guardian}`;
      ops.push(g.linked ? { type: 'put', key, value: '' } : { type: 'del', key });
    }
    let dropped = 0;
    for (const { subscriber, delivery } of w.deliveries) {
      ops.push({
        type: 'put',
        key: `o:${subscriber}:${pad(this.#seq(subscriber), 16)}`,
        value: JSON.stringify(delivery),
      });
      this.#outboxSize.set(subscriber, (this.#outboxSize.get(subscriber) ?? 0) + 1);
    }
    for (const [sub, size] of this.#outboxSize) {
      if (size <= maxOutbox) continue;
      const excess = size - maxOutbox;
      for await (const key of this.#db.keys({ gt: `o:${sub}:`, lt: `o:${sub};`, limit: excess }))
        ops.push({ type: 'del', key });
      this.#outboxSize.set(sub, maxOutbox);
      dropped += excess;
    }
    // Prune at most a bounded number of old keys per block, so a lowered retention catches up gradually.
    for await (const key of this.#db.keys({ gt: 'h:', lt: `h:${pad(w.pruneBelow, 12)}`, limit: 5000 })) {
      // A group key (`org:<code>`, `role:<role>`) holds a ':' itself: height first, index last.
      const parts = key.split(':');
      const [h = '', i = ''] = [parts[1], parts.at(-1)];
      const actor = parts.slice(2, -1).join(':');
      ops.push({ type: 'del', key }, { type: 'del', key: `e:${actor}:${h}-${i}` });
    }
    ops.push({ type: 'put', key: 'm:height', value: String(w.height) });
    if (this.#first === 0) ops.push({ type: 'put', key: 'm:first', value: String(w.height) });
    await this.#guard.write(() => this.#db.batch(ops));
    this.#height = w.height;
    if (this.#first === 0) this.#first = w.height;
    return dropped;
  }

  /** The oldest delivery in a subscriber's outbox with its key, or null when empty. */
  async outboxFirst(sub: string): Promise<{ key: string; delivery: Delivery } | null> {
    for await (const [key, value] of this.#db.iterator({ gt: `o:${sub}:`, lt: `o:${sub};`, limit: 1 }))
      return { key, delivery: JSON.parse(value) as Delivery };
    return null;
  }

  /** Removes a delivered entry. */
  async outboxDelete(sub: string, key: string): Promise<void> {
    await this.#guard.write(() => this.#db.del(key));
    const n = this.#outboxSize.get(sub) ?? 1;
    this.#outboxSize.set(sub, n - 1);
  }

  /** Deliveries waiting for a subscriber. */
  outboxSize(sub: string): number {
    return this.#outboxSize.get(sub) ?? 0;
  }

  /** Whether writes wait for lack of space. */
  diskState(): DiskState {
    return this.#guard.state();
  }

  /** Calls `f` when the disk fills or has room again; returns the unsubscribe function. */
  onDiskState(f: (s: DiskState) => void): () => void {
    return this.#guard.onChange(f);
  }

  /** Fails the writes waiting for room (StoreError `not_open`): nothing else would end them. */
  interrupt(): void {
    this.#guard.close();
  }

  async close(): Promise<void> {
    this.#guard.close();
    await this.#db.close();
  }
}
