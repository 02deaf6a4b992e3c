/**
 * Takes state snapshots and compacts the Raft log by the retention policy (log-retention.ts): after
 * each applied batch it counts the bytes applied and, once due, snapshots at the last applied
 * block's entry (so the state snapshot and the Raft snapshot agree) and compacts below it.
 */
import { entrySize } from '../../consensus/storage.js';
import type { ConfState, Entry } from '../../consensus/types.js';
import type { Logger } from '../log.js';
import type { ChainStore } from '../store/chain-store.js';
import { compactionPoint, logBytes, snapshotDue } from './log-retention.js';
import type { RaftNodeOptions } from './options.js';

export type SnapshotterOptions = Pick<
  RaftNodeOptions,
  'snapshotEvery' | 'snapshotBytes' | 'keepEntries' | 'keepBytes'
>;

export interface SnapshotterDeps {
  readonly store: ChainStore;
  /** Raft's current membership, recorded in the snapshot. */
  conf(): ConfState;
  /** Height of the last applied block (for the log line). */
  appliedHeight(): number;
  readonly log: Logger;
}

export class Snapshotter {
  #lastSnapshotIndex: number;
  /** Bytes of Raft entries applied since the last snapshot (bounds the in-memory log). */
  #bytesSince: number;

  constructor(
    private readonly opts: SnapshotterOptions,
    private readonly deps: SnapshotterDeps,
  ) {
    const rs = deps.store.raft.storage;
    this.#lastSnapshotIndex = rs.snapshot().meta.index;
    this.#bytesSince = logBytes(rs, this.#lastSnapshotIndex + 1, deps.store.appliedIndex());
  }

  /** Counts entries handed to the state machine. */
  onApplying(entries: readonly Entry[]): void {
    for (const e of entries) this.#bytesSince += entrySize(e);
  }

  /** A snapshot from the leader replaced the state: counting starts again from it. */
  onRestored(index: number): void {
    this.#lastSnapshotIndex = index;
    this.#bytesSince = 0;
  }

  /** Snapshots and compacts when the policy says it is due. */
  async maybeSnapshot(): Promise<void> {
    const { store, log } = this.deps;
    const appliedIndex = store.appliedIndex();
    const storage = store.raft.storage;
    if (!snapshotDue(appliedIndex, this.#lastSnapshotIndex, this.#bytesSince, this.opts)) return;
    await store.raft.createSnapshot(appliedIndex, this.deps.conf(), store.createStateSnapshot());
    this.#lastSnapshotIndex = appliedIndex;
    this.#bytesSince = 0;
    const compactTo = compactionPoint(storage, appliedIndex, this.opts);
    if (compactTo >= storage.firstIndex()) await store.raft.compact(compactTo);
    log.info(
      { index: appliedIndex, height: this.deps.appliedHeight() },
      'state snapshot taken, log compacted',
    );
  }
}
