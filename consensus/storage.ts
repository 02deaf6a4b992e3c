/**
 * MemoryStorage: an in-memory `Storage` (like etcd's MemoryStorage). The driver writes to it while
 * handling a Ready; the Raft core only reads. Used by tests, the simulator and as the node's cache.
 */
import { RaftError } from './errors.js';
import type { ConfState, Entry, HardState, NodeId, Snapshot, Storage } from './types.js';

const emptyData = new Uint8Array(0);

/** Sum of entry payload sizes; the unit of every byte limit in the core. */
export function entrySize(e: Entry): number {
  return e.data.byteLength;
}

/**
 * Keep a prefix of `ents` whose total size stays within maxBytes, but always at least one entry
 * (so an oversized entry can still make progress).
 */
export function limitSize<T extends Entry>(ents: T[], maxBytes: number | undefined): T[] {
  if (maxBytes === undefined || ents.length <= 1) return ents;
  let size = entrySize(ents[0] as T);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n] as T);
    if (size > maxBytes) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
}

/** In-memory Storage. Index 0 of the internal array is a dummy entry at the snapshot's index/term. */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: null, commit: 0 };
  private snap: Snapshot;
  // ents[0] is a placeholder holding the snapshot's index and term; real entries follow.
  private ents: Entry[];

  /** `init` is the membership for bootstrapping a fresh cluster; a node joining later passes none. */
  constructor(init?: { voters: readonly NodeId[]; learners?: readonly NodeId[] }) {
    const conf: ConfState = { voters: [...(init?.voters ?? [])], learners: [...(init?.learners ?? [])] };
    this.snap = { meta: { index: 0, term: 0, conf }, data: emptyData };
    this.ents = [{ index: 0, term: 0, type: 0, data: emptyData }];
  }

  /** Hard state and the membership as of the latest snapshot (or the bootstrap membership). */
  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.meta.conf };
  }

  /** Records the hard state (term, vote, commit) from a Ready. */
  setHardState(hs: HardState): void {
    this.hardState = { term: hs.term, vote: hs.vote, commit: hs.commit };
  }

  /** Entries in [lo, hi), limited to maxBytes but at least one. */
  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new RaftError('compacted', `entries(${lo}): compacted up to ${offset}`);
    if (hi > this.lastIndex() + 1) {
      throw new RaftError('unavailable', `entries(${lo}, ${hi}): last index is ${this.lastIndex()}`);
    }
    if (lo >= hi) return [];
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  /** Term at index; the snapshot index answers with the snapshot's term. */
  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new RaftError('compacted', `term(${index}): compacted up to ${offset}`);
    if (index > this.lastIndex()) {
      throw new RaftError('unavailable', `term(${index}): last index is ${this.lastIndex()}`);
    }
    return (this.ents[index - offset] as Entry).term;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole log with the snapshot (a follower installing the leader's snapshot). */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.snap.meta.index) {
      throw new RaftError(
        'snapshot_out_of_date',
        `snapshot at ${snap.meta.index} is not newer than ${this.snap.meta.index}`,
      );
    }
    this.snap = snap;
    this.ents = [{ index: snap.meta.index, term: snap.meta.term, type: 0, data: emptyData }];
  }

  /**
   * Records a snapshot of the state machine as of `index` (which must be applied by the caller and
   * held in this storage). Does not drop entries; call compact() for that.
   */
  createSnapshot(index: number, conf: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.snap.meta.index) {
      throw new RaftError(
        'snapshot_out_of_date',
        `snapshot at ${index} is not newer than ${this.snap.meta.index}`,
      );
    }
    if (index > this.lastIndex()) {
      throw new RaftError('unavailable', `snapshot at ${index} is beyond last index ${this.lastIndex()}`);
    }
    const term = this.term(index);
    this.snap = {
      meta: { index, term, conf: { voters: [...conf.voters], learners: [...conf.learners] } },
      data,
    };
    return this.snap;
  }

  /**
   * Drops entries up to and including `index`. The caller should compact only up to its latest
   * snapshot's index: entries compacted beyond it can only be recovered from a newer snapshot.
   */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset)
      throw new RaftError('compacted', `compact(${index}): already compacted up to ${offset}`);
    if (index > this.lastIndex()) {
      throw new RaftError('unavailable', `compact(${index}): beyond last index ${this.lastIndex()}`);
    }
    const i = index - offset;
    const head = this.ents[i] as Entry;
    const rest = this.ents.slice(i + 1);
    this.ents = [{ index: head.index, term: head.term, type: 0, data: emptyData }, ...rest];
  }

  /**
   * Appends entries, truncating any existing suffix from the first new index. Entries at or below the
   * compaction point are ignored; a gap after the last index is an error.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = (entries[entries.length - 1] as Entry).index;
    if (last < first) return;
    let ents = entries;
    if ((ents[0] as Entry).index < first) ents = ents.slice(first - (ents[0] as Entry).index);
    const start = (ents[0] as Entry).index;
    if (start > this.lastIndex() + 1) {
      throw new RaftError('invalid_entries', `append at ${start} leaves a gap after ${this.lastIndex()}`);
    }
    for (let k = 1; k < ents.length; k++) {
      if ((ents[k] as Entry).index !== start + k) {
        throw new RaftError('invalid_entries', 'appended entries are not contiguous');
      }
    }
    const keep = start - this.offset();
    this.ents.length = keep;
    for (const e of ents) this.ents.push(e);
  }

  private offset(): number {
    return (this.ents[0] as Entry).index;
  }
}
