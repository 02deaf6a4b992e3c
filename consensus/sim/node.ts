/**
 * One simulated node: a Raft, its MemoryStorage (what it has persisted, which survives a crash) and
 * a digest state machine. `drain` handles Ready in the simplest order the contract in ../types.ts
 * allows: persist (snapshot, entries, hard state), then send, then apply, then advance; and reports
 * every step of that to the safety checker.
 */
import { decodeConfChange } from '../confchange.js';
import { Raft } from '../raft.js';
import { MemoryStorage } from '../storage.js';
import type { ConfState, Message, RaftConfig, Role, Snapshot } from '../types.js';
import { EntryType } from '../types.js';
import { type SafetyChecker, SafetyViolation } from './checker.js';
import { mixInt, mixString } from './hash.js';
import type { Prng } from './prng.js';
import { DigestStateMachine } from './statemachine.js';

/** Raft settings the simulator varies per scenario (the rest of RaftConfig is per node). */
export type SimRaftSettings = Omit<RaftConfig, 'id' | 'storage' | 'random' | 'applied'>;

const MAX_READY_ROUNDS = 1000;

/** Counters a node keeps for the scenario's report. */
export interface NodeStats {
  snapshotsInstalled: number;
  confChangesApplied: number;
}

/** Where a node's output goes. */
export interface NodeSink {
  send(m: Message): void;
  readonly checker: SafetyChecker;
  trace(h: (x: number) => number): void;
  log?: (line: string) => void;
}

/** A simulated node; see the file comment. */
export class SimNode {
  storage: MemoryStorage;
  raft: Raft | null = null;
  sm: DigestStateMachine;
  role: Role = 'follower';
  term = 0;
  leader: string | null = null;
  readonly stats: NodeStats = { snapshotsInstalled: 0, confChangesApplied: 0 };
  /**
   * Crash in the middle of the next Ready: after sending a leader's early appends but before
   * persisting (thesis 10.2.1), after persisting it, or after sending its messages.
   */
  crashAt: 'afterEarlySend' | 'afterPersist' | 'afterSend' | null = null;
  /** Set when drain stopped at `crashAt`; the cluster then crashes the node. */
  stoppedMidReady = false;

  constructor(
    readonly id: string,
    readonly initialConf: ConfState,
    private readonly settings: SimRaftSettings,
    /** The node's own seeded generator (election jitter). */
    readonly rng: Prng,
    private readonly sink: NodeSink,
  ) {
    this.storage = new MemoryStorage({ voters: initialConf.voters, learners: initialConf.learners });
    this.sm = new DigestStateMachine(initialConf);
  }

  /** Whether the node is running. */
  get up(): boolean {
    return this.raft !== null;
  }

  /** Starts (or restarts) Raft from what storage holds; the state machine restarts from the snapshot. */
  start(): void {
    const snap: Snapshot = this.storage.snapshot();
    this.sm = DigestStateMachine.fromSnapshot(snap, this.initialConf);
    if (snap.meta.index > 0) this.sink.checker.digest(this.id, snap.meta.index, this.sm.digest);
    this.term = this.storage.initialState().hardState.term;
    this.role = 'follower';
    this.leader = null;
    this.raft = new Raft({
      ...this.settings,
      id: this.id,
      storage: this.storage,
      random: this.rng.asRandom(),
      applied: snap.meta.index,
    });
  }

  /** Loses all volatile state; storage (what was persisted) survives. */
  crash(): void {
    this.raft = null;
    this.role = 'follower';
    this.leader = null;
    this.crashAt = null;
    this.stoppedMidReady = false;
  }

  /** Handles every pending Ready in contract order. */
  drain(): void {
    const raft = this.raft;
    if (!raft) return;
    const { checker } = this.sink;
    for (let rounds = 0; raft.hasReady(); rounds++) {
      // A Ready loop that never settles is a core bug (it would hang the test run).
      if (rounds === MAX_READY_ROUNDS)
        throw new SafetyViolation(
          'liveness',
          `node ${this.id}: still hasReady() after ${MAX_READY_ROUNDS} rounds`,
        );
      const rd = raft.ready();
      // 0. A leader's appends and heartbeats may leave before its own disk write (types.ts, 3).
      const early = new Set(rd.early ?? []);
      for (const m of early) this.#send(m);
      if (this.crashAt === 'afterEarlySend') {
        this.stopMidReady();
        return;
      }
      // 1. Persist.
      if (rd.snapshot) {
        this.storage.applySnapshot(rd.snapshot);
        checker.snapshot(this.id, rd.snapshot.meta);
        this.stats.snapshotsInstalled++;
      }
      if (rd.entries.length > 0) {
        this.storage.append(rd.entries);
        checker.append(this.id, rd.entries);
      }
      if (rd.hardState) {
        this.storage.setHardState(rd.hardState);
        checker.hardState(this.id, rd.hardState);
        this.term = rd.hardState.term;
      }
      if (rd.softState) {
        const was = this.role;
        this.role = rd.softState.role;
        this.leader = rd.softState.leader;
        if (this.role === 'leader' && was !== 'leader') {
          checker.leader(this.id, this.term);
          this.sink.log?.(`${this.id} leader term ${this.term}`);
        }
      }
      if (this.crashAt === 'afterPersist') {
        this.stopMidReady();
        return;
      }
      // 2. Send.
      for (const m of rd.messages) if (!early.has(m)) this.#send(m);
      if (this.crashAt === 'afterSend') {
        this.stopMidReady();
        return;
      }
      // 3. Apply.
      if (rd.snapshot) {
        this.sm.restore(rd.snapshot);
        checker.digest(this.id, rd.snapshot.meta.index, this.sm.digest);
        this.sink.log?.(`${this.id} restored snapshot ${rd.snapshot.meta.index}`);
      }
      for (const e of rd.committedEntries) {
        if (e.index !== this.sm.applied + 1)
          throw new SafetyViolation(
            'apply_order',
            `node ${this.id} applies ${e.index} after ${this.sm.applied}`,
          );
        checker.apply(this.id, e);
        if (e.type === EntryType.ConfChange) {
          const conf = raft.applyConfChange(decodeConfChange(e.data));
          this.sm.conf = conf;
          this.sm.applied = e.index;
          this.stats.confChangesApplied++;
        } else {
          this.sm.apply(e);
        }
        checker.digest(this.id, e.index, this.sm.digest);
        this.sink.trace((h) => mixInt(mixString(h, this.id), e.index));
      }
      // 4. Advance.
      raft.advance(rd);
    }
  }

  #send(m: Message): void {
    if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot')
      this.sink.checker.leaderMessage(m.from, m.term);
    this.sink.send(m);
  }

  private stopMidReady(): void {
    this.crashAt = null;
    this.stoppedMidReady = true;
  }

  /** Takes a snapshot at the applied index and compacts the log, keeping `keep` entries before it. */
  snapshotAndCompact(keep: number): boolean {
    const applied = this.sm.applied;
    const snapIndex = this.storage.snapshot().meta.index;
    if (applied <= snapIndex || applied < this.storage.firstIndex()) return false;
    this.storage.createSnapshot(applied, this.sm.conf, this.sm.encode());
    const to = Math.max(this.storage.firstIndex(), applied - keep);
    if (to >= this.storage.firstIndex()) this.storage.compact(to);
    this.sink.checker.compact(this.id, this.storage.firstIndex());
    return true;
  }
}
