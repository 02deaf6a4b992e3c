/**
 * The Raft log as the core sees it: stable storage plus an unstable tail (entries and possibly a
 * snapshot) not yet persisted by the driver. After etcd's raftLog / unstable.
 */
import { RaftError } from './errors.js';
import { limitSize } from './storage.js';
import type { Entry, Snapshot, Storage } from './types.js';

/** Entries and a snapshot that the driver has been (or will be) handed in a Ready but not yet persisted. */
export class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  /** Index of entries[0]. */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.meta.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot ? this.snapshot.meta.index : undefined;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      return this.snapshot && this.snapshot.meta.index === i ? this.snapshot.meta.term : undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset]?.term;
  }

  /** The driver persisted entries up to (i, t): drop them from the unstable tail. */
  stableTo(i: number, t: number): void {
    // A mismatched term means the tail was rewritten after that Ready; keep it.
    if (i < this.offset || this.maybeTerm(i) !== t) return;
    this.entries = this.entries.slice(i + 1 - this.offset);
    this.offset = i + 1;
  }

  stableSnapTo(i: number): void {
    if (this.snapshot && this.snapshot.meta.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.meta.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: readonly Entry[]): void {
    const after = (ents[0] as Entry).index;
    if (after === this.offset + this.entries.length) {
      for (const e of ents) this.entries.push(e);
    } else if (after <= this.offset) {
      // Replaces the whole unstable tail (and shadows the stored suffix from `after` on).
      this.offset = after;
      this.entries = [...ents];
    } else {
      this.entries = this.entries.slice(0, after - this.offset);
      for (const e of ents) this.entries.push(e);
    }
  }

  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}

/** Stable storage plus the unstable tail, with the commit and apply cursors. */
export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** Highest index known committed. */
  committed: number;
  /** Highest index the driver has applied (as reported through advance()). */
  applied: number;

  constructor(storage: Storage) {
    this.storage = storage;
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    // Storage may keep entries below its snapshot (for slow followers): what the snapshot covers is
    // committed and applied all the same, so start after it, never before (sim seed 1260).
    const start = Math.max(first - 1, storage.snapshot().meta.index);
    this.committed = start;
    this.applied = start;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Term at index i, or undefined when i is compacted or beyond the last index. */
  termOrUndefined(i: number): number | undefined {
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    try {
      return this.storage.term(i);
    } catch (e) {
      if (e instanceof RaftError && (e.code === 'compacted' || e.code === 'unavailable')) return undefined;
      throw e;
    }
  }

  /** Term at index i; throws RaftError 'compacted' / 'unavailable' when out of range. */
  term(i: number): number {
    const t = this.termOrUndefined(i);
    if (t !== undefined) return t;
    if (i < this.firstIndex() - 1) throw new RaftError('compacted', `term(${i}): compacted`);
    throw new RaftError('unavailable', `term(${i}): unavailable`);
  }

  lastTerm(): number {
    return this.termOrUndefined(this.lastIndex()) ?? 0;
  }

  matchTerm(i: number, t: number): boolean {
    const got = this.termOrUndefined(i);
    return got !== undefined && got === t;
  }

  /** §5.4.1: is a log ending at (lasti, term) at least as up-to-date as ours? */
  isUpToDate(lasti: number, term: number): boolean {
    const lt = this.lastTerm();
    return term > lt || (term === lt && lasti >= this.lastIndex());
  }

  /**
   * The follower side of AppendEntries: if our log holds (prevIndex, prevTerm), append the entries
   * (truncating from the first conflict) and advance commit; returns the last new index, or null on
   * a log-matching failure.
   */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: readonly Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      // A conflict at or below commit would rewrite committed history: refuse the message.
      if (ci <= this.committed) return null;
      this.append(ents.slice(ci - (prevIndex + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Index of the first entry whose term differs from ours (or that we lack); 0 if none. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast back-off (etcd findConflictByTerm): the largest index <= `index` whose term is <= `term`,
   * with that term. Entries above it cannot match a log whose entry at `index` has term `term`.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = Math.min(index, this.lastIndex()); i > 0; i--) {
      const t = this.termOrUndefined(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /** Appends entries to the unstable tail (truncating a conflicting suffix); returns the last index. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = (ents[0] as Entry).index - 1;
    if (after < this.committed) {
      throw new RaftError('invalid_entries', `append after ${after} is below commit ${this.committed}`);
    }
    if (after > this.lastIndex()) {
      throw new RaftError('invalid_entries', `append after ${after} leaves a gap after ${this.lastIndex()}`);
    }
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Entries in [lo, hi), limited to maxBytes but at least one; throws if out of range. */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo >= hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new RaftError('compacted', `slice(${lo}): compacted below ${first}`);
    if (hi > this.lastIndex() + 1) throw new RaftError('unavailable', `slice(${lo}, ${hi}): unavailable`);
    const off = this.unstable.offset;
    let ents: Entry[] = [];
    if (lo < off) {
      ents = this.storage.entries(lo, Math.min(hi, off), maxBytes);
      // Storage stopped early because of the size limit: the unstable part would not fit either.
      if (ents.length < Math.min(hi, off) - lo) return ents;
    }
    if (hi > off) {
      const u = this.unstable.slice(Math.max(lo, off), hi);
      ents = ents.length > 0 ? ents.concat(u) : u;
    }
    return limitSize(ents, maxBytes);
  }

  /** Entries from i to the end, limited to maxBytes. */
  entriesFrom(i: number, maxBytes?: number): Entry[] {
    return this.slice(i, this.lastIndex() + 1, maxBytes);
  }

  /** Committed entries not yet applied (none while a snapshot awaits persistence). */
  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot) return [];
    const off = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= off) return [];
    return this.slice(off, this.committed + 1);
  }

  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot) return false;
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex());
  }

  /** §5.4.2: commit maxIndex only if it is from the current term. */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.termOrUndefined(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Raises commit (never lowers it), clamped to what we hold. */
  commitTo(i: number): void {
    const to = Math.min(i, this.lastIndex());
    if (to > this.committed) this.committed = to;
  }

  appliedTo(i: number): void {
    if (i > this.committed)
      throw new RaftError('invalid_ready', `applied ${i} is beyond commit ${this.committed}`);
    if (i > this.applied) this.applied = i;
  }

  stableTo(i: number, t: number): void {
    this.unstable.stableTo(i, t);
  }

  stableSnapTo(i: number): void {
    this.unstable.stableSnapTo(i);
  }

  /** Replaces the log with a snapshot from the leader. */
  restore(s: Snapshot): void {
    this.committed = s.meta.index;
    this.unstable.restore(s);
  }

  /** The latest snapshot: a pending one from the leader, else the stored one. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }
}
