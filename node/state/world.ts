/**
 * The world state held in memory: a map from byte keys to byte values plus its LtHash, so the
 * state root after a block costs O(writes). LevelDB (node/store) keeps it durable; this class does
 * no I/O.
 */

import { KeySpace } from './keys.js';
import { createLaneArena } from './lanes.js';
import { entryBytesInto, LtHash } from './lthash.js';
import type { ReadonlyStateView, StateWrite } from './view.js';
import { keyBytes, keyString } from './view.js';

/** A block's writes with the root they lead to, computed but not yet applied. */
export interface StagedState {
  /** The effective writes: one per key, no-ops (same value, deleting an absent key) removed. */
  readonly writes: readonly StateWrite[];
  /** State root after the writes. */
  readonly root: Uint8Array;
  /** @internal the accumulator after the writes. */
  readonly hash: LtHash;
  /** @internal identifies the state version the writes were staged against. */
  readonly base: object;
  /** @internal each effective write's key as its map string, in order. */
  readonly keyStrs: readonly string[];
  /** @internal each effective write's value as its map string (null: delete), in order. */
  readonly valueStrs: readonly (string | null)[];
}

/** A remembered entry vector: the value it was expanded from and the arena slot holding it. */
interface MemoEntry {
  value: string;
  readonly slot: number;
}

// The process's lane arena (node/state/lanes.ts): the accumulator being staged, the scratch each
// entry is expanded into, then the memo's vectors. Staging is synchronous and never re-entered, so
// one accumulator slot serves every WorldState: `stage` loads its accumulator there and reads the
// result back once per block, not per write.
const ACC = 0;
const SCRATCH = 1;
const FIRST_MEMO_SLOT = 2;
// 4,096 vectors of 2 KiB: 8 MiB at most.
const MEMO_CAPACITY = 4096;
const arena = createLaneArena(FIRST_MEMO_SLOT + MEMO_CAPACITY);
const accBytes = arena.slotBytes(ACC);
const scratchBytes = arena.slotBytes(SCRATCH);

/**
 * A bounded memo of entry vectors by (key, value): the vector added when a key was last written is
 * the one subtracted when it is next overwritten, so a hot key (a sender's nonce) costs one entry
 * expansion per write instead of two. A pure function's cache: a hit is checked on the exact value,
 * so one memo serves every WorldState of the process.
 * Only the node's own keys (space 0x00: nonces) are remembered: they are rewritten by every tx of
 * their sender, while contract keys (kv puts, grants, anchors) are mostly written once; remembering
 * those too kept 4,096 vectors of 2 KiB churning through the old generation for few hits (measured:
 * an insert 20 -> 10-16 µs CPU, a cold update 22-40 -> 17-26 µs, in alternating runs; the vectors
 * now live in the arena, outside the JS heap).
 * Every operation works on the accumulator slot `ACC`.
 */
class VectorMemo {
  readonly #map = new Map<string, MemoEntry>();
  #nextSlot = FIRST_MEMO_SLOT;

  /** Subtracts (key, value) from the accumulator: the memo's vector when it holds that exact value. */
  sub(keyStr: string, key: Uint8Array, valueStr: string): void {
    const hit = this.#map.get(keyStr);
    if (hit !== undefined && hit.value === valueStr) {
      arena.sub(ACC, hit.slot);
      return;
    }
    entryBytesInto(key, keyBytes(valueStr), scratchBytes);
    arena.sub(ACC, SCRATCH);
  }

  /**
   * Replaces (key, old value) by (key, value) in the accumulator. When the memo holds the old
   * value's vector (a sender's nonce, rewritten by each of its txs), the new vector is expanded into
   * the scratch, and one pass adds it, subtracts the old one and keeps the new in the entry's slot.
   * Otherwise `sub` then `add`.
   */
  update(keyStr: string, key: Uint8Array, oldStr: string, value: Uint8Array, valueStr: string): void {
    const hit = this.#map.get(keyStr);
    if (hit === undefined || hit.value !== oldStr) {
      this.sub(keyStr, key, oldStr);
      this.add(keyStr, key, value, valueStr);
      return;
    }
    entryBytesInto(key, value, scratchBytes);
    arena.replaceKeep(ACC, hit.slot, SCRATCH);
    hit.value = valueStr;
    this.#map.delete(keyStr);
    this.#map.set(keyStr, hit);
  }

  /**
   * Adds (key, value) to the accumulator, remembering its vector when the key is the node's own
   * (most recent last; the oldest goes first, and its slot is reused).
   */
  add(keyStr: string, key: Uint8Array, value: Uint8Array, valueStr: string): void {
    entryBytesInto(key, value, scratchBytes);
    if (keyStr.charCodeAt(0) !== KeySpace.System) {
      arena.add(ACC, SCRATCH);
      return;
    }
    let e = this.#map.get(keyStr);
    if (e !== undefined) {
      // Rewritten in place, then moved to the most recent end.
      this.#map.delete(keyStr);
      e.value = valueStr;
    } else if (this.#nextSlot < arena.slots) {
      e = { value: valueStr, slot: this.#nextSlot++ };
    } else {
      const oldest = this.#map.keys().next().value!;
      e = this.#map.get(oldest)!;
      this.#map.delete(oldest);
      e.value = valueStr;
    }
    arena.addKeep(ACC, SCRATCH, e.slot);
    this.#map.set(keyStr, e);
  }
}

const memo = new VectorMemo();

/**
 * The whole world state in memory. Keys and values are held as latin1 strings (one char per byte):
 * V8 keeps them as one-byte strings, about 4x smaller than a Uint8Array each, and `get` hands out
 * a fresh copy that no caller can use to mutate state.
 */
export class WorldState implements ReadonlyStateView {
  private readonly map = new Map<string, string>();
  private hash = new LtHash();
  // Replaced on every change; staged writes remember it to detect staleness.
  private version: object = {};

  /**
   * Builds a state from entries (keys must be distinct). With `trusted`, that accumulator is taken
   * as the entries' hash without recomputing it (O(state) entry expansions saved on open).
   */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>, trusted?: LtHash): WorldState {
    const w = new WorldState();
    for (const [k, v] of entries) {
      const s = keyString(k);
      if (w.map.has(s)) throw new Error('WorldState.fromEntries: duplicate key');
      w.map.set(s, keyString(v));
      if (trusted === undefined) w.hash.add(k, v);
    }
    if (trusted !== undefined) w.hash = trusted.clone();
    return w;
  }

  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.map.get(keyString(key));
    return v === undefined ? undefined : keyBytes(v);
  }

  /** `get` by `keyString(key)`. */
  getStr(s: string): Uint8Array | undefined {
    const v = this.map.get(s);
    return v === undefined ? undefined : keyBytes(v);
  }

  /** The current 32-byte state root. */
  root(): Uint8Array {
    return this.hash.root();
  }

  /** A copy of the LtHash accumulator. */
  accumulator(): LtHash {
    return this.hash.clone();
  }

  /**
   * Computes the root after `writes` without changing the state, so the node can write the block to
   * disk first and only then `applyStaged`. Later writes to the same key win. `distinct`: the caller
   * vouches that no key appears twice and each write carries its `keyStr` (a JournaledState's
   * `writes()`), so no map of last writes is built.
   */
  stage(writes: readonly StateWrite[], distinct = false): StagedState {
    this.hash.bytesInto(accBytes);
    const effective: StateWrite[] = [];
    const keyStrs: string[] = [];
    const valueStrs: (string | null)[] = [];
    const one = (s: string, w: StateWrite): void => {
      const oldS = this.map.get(s) ?? null;
      const newS = w.value === null ? null : keyString(w.value);
      if (oldS === newS) return; // same value, or deleting an absent key
      if (oldS !== null && w.value !== null && newS !== null) memo.update(s, w.key, oldS, w.value, newS);
      else if (oldS !== null) memo.sub(s, w.key, oldS);
      else if (w.value !== null && newS !== null) memo.add(s, w.key, w.value, newS);
      effective.push(w);
      keyStrs.push(s);
      valueStrs.push(newS);
    };
    if (distinct) {
      for (const w of writes) one(w.keyStr ?? keyString(w.key), w);
    } else {
      const last = new Map<string, StateWrite>();
      for (const w of writes) last.set(w.keyStr ?? keyString(w.key), w);
      for (const [s, w] of last) one(s, w);
    }
    const hash = LtHash.fromBytes(accBytes);
    return { writes: effective, root: hash.root(), hash, base: this.version, keyStrs, valueStrs };
  }

  /** True when `staged` was computed against the current state. */
  isCurrent(staged: StagedState): boolean {
    return staged.base === this.version;
  }

  /** Applies staged writes; throws if the state changed since they were staged. */
  applyStaged(staged: StagedState): void {
    if (staged.base !== this.version) throw new Error('WorldState: staged writes are stale');
    const { keyStrs, valueStrs } = staged;
    for (let i = 0; i < keyStrs.length; i++) {
      const v = valueStrs[i]!;
      if (v === null) this.map.delete(keyStrs[i]!);
      else this.map.set(keyStrs[i]!, v);
    }
    this.hash = staged.hash.clone();
    this.version = {};
  }

  /** Stages and applies in one step; returns the new root. */
  apply(writes: readonly StateWrite[]): Uint8Array {
    const staged = this.stage(writes);
    this.applyStaged(staged);
    return staged.root;
  }

  /** Replaces the whole state (snapshot restore); `trusted` as in `fromEntries`. */
  replace(entries: Iterable<readonly [Uint8Array, Uint8Array]>, trusted?: LtHash): void {
    const next = WorldState.fromEntries(entries, trusted);
    this.map.clear();
    for (const [s, v] of next.map) this.map.set(s, v);
    this.hash = next.hash;
    this.version = {};
  }

  /** All entries in unspecified order. */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [s, v] of this.map) yield [keyBytes(s), keyBytes(v)];
  }

  /** All entries in byte order of keys (as LevelDB stores them; used for snapshots). */
  sortedEntries(): [Uint8Array, Uint8Array][] {
    // latin1 strings compare by code unit, and each code unit is one byte: string order is byte order.
    const keys = [...this.map.keys()].sort();
    return keys.map((s) => [keyBytes(s), keyBytes(this.map.get(s)!)]);
  }

  /** Recomputes the root from scratch (O(state)); equals `root()` unless memory is corrupt. */
  recomputeRoot(): Uint8Array {
    const h = new LtHash();
    for (const [k, v] of this.entries()) h.add(k, v);
    return h.root();
  }
}
