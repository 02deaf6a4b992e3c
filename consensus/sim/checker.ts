/**
 * Raft's safety properties, checked incrementally as the simulator's driver persists, commits and
 * applies. The checker never looks inside Raft: it sees what a driver sees (Ready contents, the
 * storage, messages on the wire), keeps a shadow of every node's stored log as (term, chain hash)
 * pairs, and remembers everything across the whole history:
 * - election safety: at most one leader per term (from role changes and from who sends appends);
 * - log matching: an entry (index, term) always has the same prefix, on every node, at any time
 *   (a chain hash over the log up to it is unique per (index, term));
 * - leader completeness: an entry committed in term u is in the log of every leader of a term > u;
 * - state-machine safety: no two nodes apply different entries (or reach different state digests)
 *   at one index;
 * - hard-state sanity: term and commit never go back, one vote per term, commit within the log.
 */
import type { Entry, HardState, SnapshotMeta, Storage } from '../types.js';
import { HASH_INIT, mixBytes, mixInt } from './hash.js';

/** What broke; stable codes for tests. */
export type ViolationCode =
  | 'election_safety'
  | 'log_matching'
  | 'leader_completeness'
  | 'state_machine_safety'
  | 'hard_state'
  | 'apply_order'
  | 'storage'
  | 'liveness';

/** A broken Raft property (or a broken driver contract). */
export class SafetyViolation extends Error {
  constructor(
    readonly code: ViolationCode,
    detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'SafetyViolation';
  }
}

interface Shadow {
  /** Index and term of the entry just before the first held one (snapshot / compaction point). */
  base: number;
  baseTerm: number;
  baseHash: number;
  /** Entries base+1 .. base+terms.length. */
  terms: number[];
  hashes: number[];
}

/** Fingerprint of one entry's content. */
export function entryFingerprint(e: Entry): number {
  return mixBytes(mixInt(mixInt(HASH_INIT, e.term), e.type), e.data);
}

const TERM_SPACE = 2 ** 20;

/** Incremental checker of Raft safety over a whole simulated history; see the file comment. */
export class SafetyChecker {
  private readonly leaders = new Map<number, string>();
  private readonly shadows = new Map<string, Shadow>();
  /** (index, term) -> chain hash, over all history. */
  private readonly chain = new Map<number, number>();
  private readonly committedHash: number[] = [];
  private readonly commitTerm: number[] = [];
  private maxCommit = 0;
  private readonly applied: number[] = [];
  private readonly digests: number[] = [];
  private readonly hard = new Map<string, HardState>();
  /** Checks made, by kind, so tests can see the checker was exercised. */
  readonly counts = { leaders: 0, appends: 0, commits: 0, applies: 0, completeness: 0, storageScans: 0 };

  private shadow(id: string): Shadow {
    let s = this.shadows.get(id);
    if (!s) {
      s = { base: 0, baseTerm: 0, baseHash: HASH_INIT, terms: [], hashes: [] };
      this.shadows.set(id, s);
    }
    return s;
  }

  private static key(index: number, term: number): number {
    if (term >= TERM_SPACE) throw new Error(`term ${term} too large for the checker`);
    return index * TERM_SPACE + term;
  }

  /** Chain hash of node id's log at index, or undefined when not held. */
  hashAt(id: string, index: number): number | undefined {
    const s = this.shadow(id);
    if (index === s.base) return s.baseHash;
    return index > s.base ? s.hashes[index - s.base - 1] : undefined;
  }

  /** Last index of node id's shadow log. */
  lastIndex(id: string): number {
    const s = this.shadow(id);
    return s.base + s.terms.length;
  }

  /** Node `id` is the leader of `term` (seen on a role change). Checks election safety and completeness. */
  leader(id: string, term: number): void {
    this.counts.leaders++;
    this.leaderOf(id, term, 'role');
    // Leader completeness: the highest entry committed in an earlier term must be in this log;
    // its chain hash covers every entry before it.
    for (let i = this.maxCommit; i > 0; i--) {
      const u = this.commitTerm[i];
      if (u === undefined || u >= term) continue;
      const want = this.committedHash[i];
      const s = this.shadow(id);
      if (i < s.base) {
        // Compacted past it: the snapshot point is committed too, so compare there instead.
        if (this.committedHash[s.base] !== undefined && this.committedHash[s.base] !== s.baseHash)
          throw new SafetyViolation(
            'leader_completeness',
            `leader ${id} of term ${term}: snapshot ${s.base} differs from the committed entry`,
          );
        break;
      }
      this.counts.completeness++;
      if (this.hashAt(id, i) !== want)
        throw new SafetyViolation(
          'leader_completeness',
          `leader ${id} of term ${term} lacks entry ${i} committed in term ${u} (its last index ${this.lastIndex(id)})`,
        );
      break;
    }
  }

  /** Node `from` sent leader-only traffic (append, heartbeat, snapshot) in `term`. */
  leaderMessage(from: string, term: number): void {
    this.leaderOf(from, term, 'message');
  }

  private leaderOf(id: string, term: number, how: string): void {
    const prev = this.leaders.get(term);
    if (prev === undefined) this.leaders.set(term, id);
    else if (prev !== id)
      throw new SafetyViolation(
        'election_safety',
        `two leaders in term ${term}: ${prev} and ${id} (seen by ${how})`,
      );
  }

  /**
   * The driver appended `entries` to id's storage. Like MemoryStorage, entries at or below the
   * compaction point are ignored and a conflicting suffix is truncated.
   */
  append(id: string, all: readonly Entry[]): void {
    const s = this.shadow(id);
    const entries = all.filter((e) => e.index > s.base);
    if (entries.length === 0) return;
    this.counts.appends++;
    const first = (entries[0] as Entry).index;
    const last = s.base + s.terms.length;
    if (first > last + 1)
      throw new SafetyViolation('storage', `node ${id} appends at ${first} but holds (${s.base}, ${last}]`);
    const commit = this.hard.get(id)?.commit ?? 0;
    const before = s.hashes.slice(first - s.base - 1, commit - s.base);
    s.terms.length = first - s.base - 1;
    s.hashes.length = first - s.base - 1;
    let h = first - 1 === s.base ? s.baseHash : (s.hashes[first - s.base - 2] as number);
    let expect = first;
    for (const e of entries) {
      if (e.index !== expect)
        throw new SafetyViolation('storage', `node ${id}: entries not contiguous at ${e.index}`);
      expect++;
      h = mixInt(mixInt(h, e.index), entryFingerprint(e));
      const k = SafetyChecker.key(e.index, e.term);
      const known = this.chain.get(k);
      if (known === undefined) this.chain.set(k, h);
      else if (known !== h)
        throw new SafetyViolation(
          'log_matching',
          `node ${id} holds entry (${e.index}, term ${e.term}) with a different log before it`,
        );
      s.terms.push(e.term);
      s.hashes.push(h);
    }
    // The log up to the persisted commit index is fixed: an append may rewrite it only identically.
    if (s.base + s.terms.length < commit)
      throw new SafetyViolation(
        'storage',
        `node ${id} truncates its log to ${s.base + s.terms.length}, below its commit ${commit}`,
      );
    before.forEach((old, i) => {
      if (s.hashes[first - s.base - 1 + i] !== old)
        throw new SafetyViolation('storage', `node ${id} overwrites committed entry ${first + i}`);
    });
  }

  /** The driver installed a snapshot into id's storage (its log now starts after it). */
  snapshot(id: string, meta: SnapshotMeta): void {
    const h = this.chain.get(SafetyChecker.key(meta.index, meta.term));
    if (h === undefined && meta.index > 0)
      throw new SafetyViolation(
        'log_matching',
        `node ${id} installs a snapshot at (${meta.index}, ${meta.term}), an entry no node ever held`,
      );
    const s = this.shadow(id);
    const c = this.committedHash[meta.index];
    if (c !== undefined && h !== undefined && c !== h)
      throw new SafetyViolation(
        'state_machine_safety',
        `node ${id} installs a snapshot at ${meta.index} that differs from the committed entry`,
      );
    // Like MemoryStorage.applySnapshot: the whole log is replaced.
    s.terms = [];
    s.hashes = [];
    s.base = meta.index;
    s.baseTerm = meta.term;
    s.baseHash = h ?? HASH_INIT;
  }

  /** The driver compacted id's storage: the first held entry is now `firstIndex`. */
  compact(id: string, firstIndex: number): void {
    const s = this.shadow(id);
    const base = firstIndex - 1;
    if (base <= s.base) return;
    if (base > s.base + s.terms.length)
      throw new SafetyViolation('storage', `node ${id} compacted past its log`);
    const cut = base - s.base;
    s.baseTerm = s.terms[cut - 1] as number;
    s.baseHash = s.hashes[cut - 1] as number;
    s.terms = s.terms.slice(cut);
    s.hashes = s.hashes.slice(cut);
    s.base = base;
  }

  /** The driver persisted a hard state for id. Records newly committed entries. */
  hardState(id: string, hs: HardState): void {
    const prev = this.hard.get(id) ?? { term: 0, vote: null, commit: 0 };
    if (hs.term < prev.term)
      throw new SafetyViolation('hard_state', `node ${id} term went back ${prev.term} -> ${hs.term}`);
    if (hs.term === prev.term && prev.vote !== null && hs.vote !== prev.vote)
      throw new SafetyViolation(
        'hard_state',
        `node ${id} voted twice in term ${hs.term}: ${prev.vote} then ${hs.vote}`,
      );
    if (hs.commit < prev.commit)
      throw new SafetyViolation('hard_state', `node ${id} commit went back ${prev.commit} -> ${hs.commit}`);
    const s = this.shadow(id);
    const last = s.base + s.terms.length;
    if (hs.commit > last)
      throw new SafetyViolation('hard_state', `node ${id} commits ${hs.commit} beyond its log ${last}`);
    this.hard.set(id, hs);
    for (let i = Math.max(prev.commit + 1, s.base); i <= hs.commit; i++) this.committed(id, i, hs.term);
  }

  private committed(id: string, index: number, term: number): void {
    if (index === 0) return;
    this.counts.commits++;
    const h = this.hashAt(id, index) as number;
    const known = this.committedHash[index];
    if (known === undefined) this.committedHash[index] = h;
    else if (known !== h)
      throw new SafetyViolation('state_machine_safety', `node ${id} commits a different entry at ${index}`);
    const u = this.commitTerm[index];
    if (u === undefined || term < u) this.commitTerm[index] = term;
    if (index > this.maxCommit) this.maxCommit = index;
  }

  /** Node id's state machine applied `e` (must be in its log and committed). */
  apply(id: string, e: Entry): void {
    this.counts.applies++;
    const hs = this.hard.get(id);
    if (!hs || e.index > hs.commit)
      throw new SafetyViolation(
        'apply_order',
        `node ${id} applies ${e.index} beyond its persisted commit ${hs?.commit ?? 0}`,
      );
    const f = entryFingerprint(e);
    const known = this.applied[e.index];
    if (known === undefined) this.applied[e.index] = f;
    else if (known !== f)
      throw new SafetyViolation('state_machine_safety', `node ${id} applies a different entry at ${e.index}`);
  }

  /** Fingerprint of the entry applied at index by any node, if any. */
  appliedAt(index: number): number | undefined {
    return this.applied[index];
  }

  /** Node id's state machine reached `digest` at applied index `index` (by applying or by restoring a snapshot). */
  digest(id: string, index: number, digest: number): void {
    const known = this.digests[index];
    if (known === undefined) this.digests[index] = digest;
    else if (known !== digest)
      throw new SafetyViolation(
        'state_machine_safety',
        `node ${id} state at ${index} differs from another node's`,
      );
  }

  /** Forgets what node id persisted (for storage replaced behind the checker's back). */
  forget(id: string): void {
    this.shadows.delete(id);
    this.hard.delete(id);
  }

  /** Compares id's shadow with what its storage really holds. */
  verifyStorage(id: string, storage: Storage): void {
    this.counts.storageScans++;
    const s = this.shadow(id);
    const last = s.base + s.terms.length;
    if (storage.lastIndex() !== last)
      throw new SafetyViolation(
        'storage',
        `node ${id} storage lastIndex ${storage.lastIndex()}, expected ${last}`,
      );
    const first = storage.firstIndex();
    if (first < s.base + 1)
      throw new SafetyViolation('storage', `node ${id} storage firstIndex ${first} below ${s.base + 1}`);
    for (let i = first; i <= last; i++) {
      const t = storage.term(i);
      if (t !== s.terms[i - s.base - 1])
        throw new SafetyViolation('storage', `node ${id} storage term at ${i} is ${t}`);
    }
    if (first > s.base + 1) this.compact(id, first);
  }
}
