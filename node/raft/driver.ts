/**
 * Drives the pure Raft core with real time, real disk and a real network: ticks on a timer, steps
 * inbound messages, and carries out each Ready as consensus/types.ts allows (with
 * `parallelPersist`, a leader's appends first; then persist, then send the rest, then hand
 * committed entries to the state machine, then advance). Entries are applied in order on a bounded
 * queue beside the loop; a conf change or a snapshot waits for it to drain. Only one Ready is in
 * progress at a time; inputs that arrive meanwhile are stepped at once and picked up by the next
 * Ready.
 */
import { decodeConfChange } from '../../consensus/confchange.js';
import type { Raft } from '../../consensus/raft.js';
import {
  type ConfChange,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type LeaderLoss,
  type Message,
  type ProposeResult,
  type Ready,
  type Snapshot,
  type SoftState,
  type Storage,
} from '../../consensus/types.js';
import type { Logger } from '../log.js';

/** Durable Raft state: the node backs it with LevelDB and a synchronous in-memory mirror. */
export interface RaftPersistence {
  readonly storage: Storage;
  /** Writes hard state, entries and snapshot of a Ready durably, in one batch, then updates the mirror. */
  persist(rd: { hardState?: HardState; entries: readonly Entry[]; snapshot?: Snapshot }): Promise<void>;
  /** Records the membership that results from applying the conf change at `index`. */
  saveConfState(conf: ConfState, index: number): Promise<void>;
}

/** What the driver hands to the rest of the node. */
export interface RaftDriverHooks {
  /** Sends one message; best effort (Raft tolerates loss). */
  send(msg: Message): void;
  /** Applies committed entries in order; must be durable before it resolves. */
  apply(entries: readonly Entry[]): Promise<void>;
  /** Replaces the state machine with a snapshot received from the leader. */
  restore(snapshot: Snapshot): Promise<void>;
  onSoftState?(soft: SoftState): void;
  /** Called when a committed conf change has been applied to Raft. */
  onConfState?(conf: ConfState, change: ConfChange): void;
}

export interface RaftDriverOptions {
  readonly tickMs: number;
  /**
   * Committed entries handed to the state machine but not yet applied, at most (0: apply before
   * every advance, as the plain contract says). Applying runs beside the Ready loop, in order, so
   * persisting and sending new entries does not wait for blocks to execute; a conf change or a
   * snapshot first waits until everything before it is applied.
   */
  readonly maxApplyBacklog: number;
  /**
   * Send a leader's `early` appends before persisting the Ready (thesis 10.2.1: its fsync runs
   * beside the followers'). Off by default: alone it saves ~2.6 ms per commit
   * (test/perf/commit-latency.ts), but whole-chain runs have not shown a gain yet, and the appends
   * can then reach followers before the gossip of their txs (docs/raft.md).
   */
  readonly parallelPersist?: boolean;
}

/** A fatal fault in the Ready loop (disk failure, divergence): the node must stop. */
export type DriverFault = (err: Error) => void;

/** What the driver works with. */
export interface RaftDriverDeps {
  readonly raft: Raft;
  readonly persistence: RaftPersistence;
  readonly hooks: RaftDriverHooks;
  readonly log: Logger;
  /** Called once, with the first fault. */
  readonly onFault: DriverFault;
  /** False while Raft must not be ticked (a recovering node must not campaign: recovery-gate.ts). */
  readonly shouldTick?: () => boolean;
  /** Started and stopped with the tick timer (the event-loop stall watch, stall-watch.ts). */
  readonly watch?: { start(): void; stop(): void };
}

export class RaftDriver {
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #again = false;
  #stopped = false;
  #idle: Promise<void> = Promise.resolve();
  // The apply pipeline: a chain of applies, in commit order, and how many entries it still holds.
  #applying: Promise<void> = Promise.resolve();
  #backlog = 0;
  #faulted = false;
  #lastVote: { term: number; vote: string | null } = { term: -1, vote: null };

  private readonly raft: Raft;
  private readonly persistence: RaftPersistence;
  private readonly hooks: RaftDriverHooks;
  private readonly log: Logger;
  private readonly onFault: DriverFault;

  constructor(
    private readonly opts: RaftDriverOptions,
    private readonly deps: RaftDriverDeps,
  ) {
    this.raft = deps.raft;
    this.persistence = deps.persistence;
    this.hooks = deps.hooks;
    this.log = deps.log;
    this.onFault = deps.onFault;
  }

  start(): void {
    this.deps.watch?.start();
    this.#timer = setInterval(() => {
      if (this.deps.shouldTick?.() === false) return;
      this.raft.tick();
      this.#kick();
    }, this.opts.tickMs);
    this.#kick();
  }

  /** Stops ticking and waits for the Ready in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.deps.watch?.stop();
    await this.#idle;
    await this.#applying.catch(() => undefined);
  }

  step(msg: Message): void {
    if (this.#stopped) return;
    this.raft.step(msg);
    this.#kick();
  }

  propose(data: Uint8Array): ProposeResult {
    const r = this.raft.propose(data);
    this.#kick();
    return r;
  }

  proposeConfChange(cc: ConfChange): ProposeResult {
    const r = this.raft.proposeConfChange(cc);
    this.#kick();
    return r;
  }

  /**
   * The transport lost `peer` (node/p2p/dialer.ts): if it led, campaign soon (Raft.leaderLost; at
   * once with a real vote when `loss.certain` and this node ranks first).
   */
  leaderLost(peer: string, loss: LeaderLoss = { certain: false }): void {
    if (this.#stopped) return;
    this.raft.leaderLost(peer, loss);
    this.#kick();
  }

  /** Hands leadership to `to` (a leader whose clock is behind the chain steps aside this way). */
  transferLeadership(to: string): void {
    this.raft.transferLeadership(to);
    this.#kick();
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (!this.raft.hasReady()) return;
    this.#running = true;
    this.#idle = this.#loop()
      .catch((err: unknown) => this.#fail(err))
      .finally(() => {
        this.#running = false;
      });
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      while (!this.#stopped && this.raft.hasReady()) {
        const rd: Ready = this.raft.ready();
        if (rd.softState !== undefined) this.hooks.onSoftState?.(rd.softState);
        // With parallelPersist a leader's appends leave before its own disk write, which then runs
        // beside the followers' (thesis 10.2.1; the core counts its own copy only at advance).
        const early = rd.early === undefined || this.opts.parallelPersist !== true ? null : new Set(rd.early);
        if (early !== null) for (const m of early) this.hooks.send(m);
        if (rd.hardState !== undefined || rd.entries.length > 0 || rd.snapshot !== undefined) {
          const t0 = performance.now();
          await this.persistence.persist({
            ...(rd.hardState === undefined ? {} : { hardState: rd.hardState }),
            entries: rd.entries,
            ...(rd.snapshot === undefined ? {} : { snapshot: rd.snapshot }),
          });
          this.#logVote(rd.hardState, performance.now() - t0);
        }
        for (const m of rd.messages) if (early === null || !early.has(m)) this.hooks.send(m);
        if (rd.snapshot !== undefined) {
          await this.#drained();
          await this.hooks.restore(rd.snapshot);
        }
        if (rd.committedEntries.length > 0) await this.#handOver(rd.committedEntries);
        this.raft.advance(rd);
      }
    } while (this.#again && !this.#stopped);
    this.log.trace('ready loop idle');
  }

  /**
   * A new term or vote (an election: rare) is logged at info with how long it took to persist: the
   * vote round of a failover waits on it (docs/raft.md).
   */
  #logVote(hs: HardState | undefined, ms: number): void {
    if (hs === undefined || (hs.term === this.#lastVote.term && hs.vote === this.#lastVote.vote)) return;
    this.#lastVote = { term: hs.term, vote: hs.vote };
    this.log.info({ term: hs.term, vote: hs.vote, persistMs: Math.round(ms) }, 'raft term or vote persisted');
  }

  /**
   * Committed entries without a conf change are queued to apply beside the loop (when the backlog
   * allows); anything else waits for the queue, then applies here, before Raft advances.
   */
  async #handOver(entries: readonly Entry[]): Promise<void> {
    const limit = this.opts.maxApplyBacklog;
    if (limit <= 0 || entries.some((e) => e.type === EntryType.ConfChange)) {
      await this.#drained();
      await this.#applyCommitted(entries);
      return;
    }
    while (this.#backlog > 0 && this.#backlog + entries.length > limit) await this.#drained();
    this.#backlog += entries.length;
    this.#applying = this.#applying.then(async () => {
      try {
        await this.hooks.apply(entries);
      } finally {
        this.#backlog -= entries.length;
      }
    });
    // A failed apply stops the node, as it would inline.
    this.#applying.catch((err: unknown) => this.#fail(err));
  }

  /** Stops the loop and reports the fault, once. */
  #fail(err: unknown): void {
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#faulted) return;
    this.#faulted = true;
    this.onFault(err instanceof Error ? err : new Error(String(err)));
  }

  /** Resolves once every queued apply is done; rejects with the first apply failure. */
  async #drained(): Promise<void> {
    await this.#applying;
  }

  /** Normal entries go to the state machine in runs; each conf change is applied to Raft in order. */
  async #applyCommitted(entries: readonly Entry[]): Promise<void> {
    let from = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.type !== EntryType.ConfChange) continue;
      if (i > from) await this.hooks.apply(entries.slice(from, i));
      from = i + 1;
      const change = decodeConfChange(e.data);
      const conf = this.raft.applyConfChange(change);
      await this.persistence.saveConfState(conf, e.index);
      this.hooks.onConfState?.(conf, change);
    }
    if (from < entries.length) await this.hooks.apply(from === 0 ? entries : entries.slice(from));
  }
}
