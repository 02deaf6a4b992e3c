/**
 * Drives the pure Raft core with real time, real disk and a real network: ticks on a timer, steps
 * inbound messages, and carries out each Ready in the order the contract fixes (persist, then send,
 * then apply, then advance). Only one Ready is in progress at a time; inputs that arrive meanwhile
 * are stepped at once and picked up by the next Ready.
 */
import { decodeConfChange } from '../consensus/confchange.js';
import type { Raft } from '../consensus/raft.js';
import {
  type ConfChange,
  type ConfState,
  type Entry,
  EntryType,
  type HardState,
  type Message,
  type ProposeResult,
  type Ready,
  type Snapshot,
  type SoftState,
  type Storage,
} from '../consensus/types.js';
import type { Logger } from './log.js';

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
}

/** A fatal fault in the Ready loop (disk failure, divergence): the node must stop. */
export type DriverFault = (err: Error) => void;

export class RaftDriver {
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #again = false;
  #stopped = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly raft: Raft,
    private readonly persistence: RaftPersistence,
    private readonly hooks: RaftDriverHooks,
    private readonly opts: RaftDriverOptions,
    private readonly log: Logger,
    private readonly onFault: DriverFault,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
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
    await this.#idle;
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

  transferLeadership(to: string): void {
    this.raft.transferLeadership(to);
    this.#kick();
  }

  get status() {
    return this.raft.status();
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
      .catch((err: unknown) => {
        this.#stopped = true;
        if (this.#timer !== null) clearInterval(this.#timer);
        this.onFault(err instanceof Error ? err : new Error(String(err)));
      })
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
        if (rd.hardState !== undefined || rd.entries.length > 0 || rd.snapshot !== undefined) {
          await this.persistence.persist({
            ...(rd.hardState === undefined ? {} : { hardState: rd.hardState }),
            entries: rd.entries,
            ...(rd.snapshot === undefined ? {} : { snapshot: rd.snapshot }),
          });
        }
        for (const m of rd.messages) this.hooks.send(m);
        if (rd.snapshot !== undefined) await this.hooks.restore(rd.snapshot);
        if (rd.committedEntries.length > 0) await this.#applyCommitted(rd.committedEntries);
        this.raft.advance(rd);
      }
    } while (this.#again && !this.#stopped);
    this.log.trace('ready loop idle');
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
