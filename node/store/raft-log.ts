/**
 * Durable Raft storage: persists each Ready's snapshot, entries and hard state in one LevelDB batch,
 * and keeps a `MemoryStorage` mirror that the Raft core reads synchronously. The mirror changes only
 * after the batch is on disk, so what Raft reads is always durable; `load()` rebuilds it on restart.
 *
 * One exception, as in etcd (`MustSync`): a Ready whose only change is the commit index writes
 * nothing. That index is not a promise to anyone (a follower learns it again from the leader), so
 * it goes to disk with the next batch that has to be written anyway (entries, term, vote or
 * snapshot). Raft needs only `applied <= commit` on restart: `load(applied)` raises a stale commit
 * to the applied index, whose entries were durable in the log before they could commit. This saves
 * one fsynced batch per block on every node (docs/state.md, crash safety).
 */
import { MemoryStorage } from '../../consensus/storage.js';
import type { ConfState, Entry, HardState, Snapshot } from '../../consensus/types.js';
import {
  decodeConfState,
  decodeEntry,
  decodeHardState,
  decodeSnapshotMeta,
  encodeConfState,
  encodeEntry,
  encodeHardState,
  encodeSnapshotMeta,
  readU64Key,
} from './codec.js';
import type { Db } from './db.js';
import { Batch, RaftKey, readRange, taggedU64 } from './db.js';
import { StoreError, StoreErrorCode } from './errors.js';

/** What a Ready asks to persist (a subset of `Ready`). */
export interface RaftPersist {
  readonly hardState?: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
}

/** Options of the Raft log store. */
export interface RaftLogOptions {
  /** fsync every persist (Raft's safety across power loss needs it). Default true. */
  readonly sync: boolean;
}

const defaultRaftLogOptions: RaftLogOptions = { sync: true };

const HARD_STATE_KEY = new Uint8Array([RaftKey.HardState]);
const BOOT_CONF_KEY = new Uint8Array([RaftKey.BootConf]);
const SNAP_META_KEY = new Uint8Array([RaftKey.SnapMeta]);
const SNAP_DATA_KEY = new Uint8Array([RaftKey.SnapData]);

function entryKey(index: number): Uint8Array {
  return taggedU64(RaftKey.Entry, index);
}

/** The Raft log on disk plus its in-memory mirror. */
export class RaftLogStore {
  private mirror = new MemoryStorage();
  private readonly opts: RaftLogOptions;
  /** The mirror's commit index is ahead of the hard state on disk (a commit-only Ready). */
  private commitPending = false;

  constructor(
    private readonly db: Db,
    opts: Partial<RaftLogOptions> = {},
  ) {
    this.opts = { ...defaultRaftLogOptions, ...opts };
  }

  // Writes run one at a time in call order: each computes its batch from the mirror, which only
  // the previous write's completion brings up to date.
  private queue: Promise<void> = Promise.resolve();
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Resolves once every write called so far has finished (for a clean close). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** The synchronous `Storage` to hand to the Raft core. */
  get storage(): MemoryStorage {
    return this.mirror;
  }

  /**
   * Rebuilds the mirror from disk. `applied`: the Raft index whose effects the state machine holds
   * on disk; a commit index below it (not yet written when the process stopped) is raised to it.
   */
  async load(applied = 0): Promise<void> {
    const raft = this.db.raft;
    const [hsB, bootB, metaB, dataB] = await raft.getMany([
      HARD_STATE_KEY,
      BOOT_CONF_KEY,
      SNAP_META_KEY,
      SNAP_DATA_KEY,
    ]);
    const boot = bootB === undefined ? undefined : decodeConfState(bootB);
    const m = new MemoryStorage(
      boot === undefined ? undefined : { voters: boot.voters, learners: boot.learners },
    );
    if (metaB !== undefined) {
      const meta = decodeSnapshotMeta(metaB);
      if (meta.index > 0) m.applySnapshot({ meta, data: dataB ?? new Uint8Array(0) });
    }
    const entries: Entry[] = [];
    for (const [k, v] of await readRange(raft, {
      gte: entryKey(0),
      lt: new Uint8Array([RaftKey.Entry + 1]),
    })) {
      entries.push(decodeEntry(readU64Key(k.subarray(1)), v));
    }
    // Entries at or below the snapshot are ignored by append; a gap means the disk is corrupt.
    try {
      m.append(entries);
    } catch (e) {
      throw new StoreError(StoreErrorCode.Corrupt, `raft log on disk is not contiguous: ${String(e)}`);
    }
    const hs = hsB === undefined ? m.initialState().hardState : decodeHardState(hsB);
    // Entries up to `applied` were committed (only committed entries are applied) and are held in
    // the log or below its snapshot; beyond the last index the store is damaged and Raft says so.
    const commit = Math.max(hs.commit, Math.min(applied, m.lastIndex()));
    if (hsB !== undefined || commit !== hs.commit) m.setHardState({ ...hs, commit });
    this.mirror = m;
    this.commitPending = false;
  }

  /**
   * Records the membership a fresh cluster starts with (before any Ready). Kept apart from the
   * snapshot so that a restart without any snapshot still knows its voters.
   */
  async bootstrap(conf: ConfState): Promise<void> {
    return this.serial(async () => {
      const old = this.mirror;
      if (old.lastIndex() > 0 || old.snapshot().meta.index > 0) {
        throw new StoreError(StoreErrorCode.RaftInvalid, 'bootstrap on a non-empty log');
      }
      const batch = new Batch(this.db);
      batch.put(BOOT_CONF_KEY, encodeConfState(conf), { sublevel: this.db.raft });
      await batch.write({ sync: this.opts.sync });
      const m = new MemoryStorage({ voters: conf.voters, learners: conf.learners });
      m.setHardState(old.initialState().hardState);
      this.mirror = m;
    });
  }

  /** Persists a Ready's snapshot, entries (truncating any conflicting suffix) and hard state atomically. */
  async persist(rd: RaftPersist): Promise<void> {
    return this.serial(async () => {
      const m = this.mirror;
      if (rd.snapshot === undefined && rd.entries.length === 0 && rd.hardState !== undefined) {
        const was = m.initialState().hardState;
        if (rd.hardState.term === was.term && rd.hardState.vote === was.vote) {
          m.setHardState(rd.hardState);
          this.commitPending = true;
          return;
        }
      }
      const batch = new Batch(this.db);
      const raft = this.db.raft;
      // Index range of entries held on disk, as it evolves through this batch.
      let first = m.firstIndex();
      let last = m.lastIndex();
      if (rd.snapshot !== undefined) {
        const si = rd.snapshot.meta.index;
        if (si <= m.snapshot().meta.index) {
          throw new StoreError(
            StoreErrorCode.RaftInvalid,
            `snapshot at ${si} is not newer than the one held`,
          );
        }
        for (let i = first; i <= last; i++) batch.del(entryKey(i), { sublevel: raft });
        batch.put(SNAP_META_KEY, encodeSnapshotMeta(rd.snapshot.meta), { sublevel: raft });
        batch.put(SNAP_DATA_KEY, rd.snapshot.data, { sublevel: raft });
        first = si + 1;
        last = si;
      }
      let ents = rd.entries;
      if (ents.length > 0 && ents[ents.length - 1]!.index >= first) {
        if (ents[0]!.index < first) ents = ents.slice(first - ents[0]!.index);
        const start = ents[0]!.index;
        if (start > last + 1)
          throw new StoreError(StoreErrorCode.RaftInvalid, `append at ${start} leaves a gap after ${last}`);
        const end = ents[ents.length - 1]!.index;
        for (let k = 0; k < ents.length; k++) {
          const e = ents[k]!;
          if (e.index !== start + k)
            throw new StoreError(StoreErrorCode.RaftInvalid, 'appended entries are not contiguous');
          batch.put(entryKey(e.index), encodeEntry(e), { sublevel: raft });
        }
        // The conflicting suffix beyond the new last entry goes.
        for (let i = end + 1; i <= last; i++) batch.del(entryKey(i), { sublevel: raft });
      }
      // A commit index held back by a commit-only Ready rides along.
      const hs = rd.hardState ?? (this.commitPending ? m.initialState().hardState : undefined);
      if (hs !== undefined) batch.put(HARD_STATE_KEY, encodeHardState(hs), { sublevel: raft });
      await batch.write({ sync: this.opts.sync });
      if (hs !== undefined) this.commitPending = false;
      if (rd.snapshot !== undefined) m.applySnapshot(rd.snapshot);
      m.append(ents);
      if (rd.hardState !== undefined) m.setHardState(rd.hardState);
    });
  }

  /**
   * Records a snapshot of the applied state as of `index` (which must be held in the log), and,
   * with `compact`, drops the entries up to it in the same batch.
   */
  async createSnapshot(index: number, conf: ConfState, data: Uint8Array, compact = false): Promise<Snapshot> {
    return this.serial(async () => {
      const m = this.mirror;
      if (index <= m.snapshot().meta.index || index > m.lastIndex()) {
        throw new StoreError(StoreErrorCode.RaftInvalid, `cannot snapshot at ${index}`);
      }
      const meta = {
        index,
        term: m.term(index),
        conf: { voters: [...conf.voters], learners: [...conf.learners] },
      };
      const batch = new Batch(this.db);
      batch.put(SNAP_META_KEY, encodeSnapshotMeta(meta), { sublevel: this.db.raft });
      batch.put(SNAP_DATA_KEY, data, { sublevel: this.db.raft });
      if (compact)
        for (let i = m.firstIndex(); i <= index; i++) batch.del(entryKey(i), { sublevel: this.db.raft });
      await batch.write({ sync: this.opts.sync });
      const snap = m.createSnapshot(index, conf, data);
      if (compact) m.compact(index);
      return snap;
    });
  }

  /** Drops entries up to and including `index` (at most the latest snapshot's index). */
  async compact(index: number): Promise<void> {
    return this.serial(async () => {
      const m = this.mirror;
      if (index < m.firstIndex() || index > m.snapshot().meta.index) {
        throw new StoreError(StoreErrorCode.RaftInvalid, `cannot compact to ${index}`);
      }
      const batch = new Batch(this.db);
      for (let i = m.firstIndex(); i <= index; i++) batch.del(entryKey(i), { sublevel: this.db.raft });
      await batch.write({ sync: this.opts.sync });
      m.compact(index);
    });
  }
}
