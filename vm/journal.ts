/**
 * State access for the VM. `StateView` is the synchronous key-value interface the node provides
 * (over its block overlay); `Journal` wraps one with nested checkpoint / commit / revert, so a
 * failed call leaves no trace. `MemoryState` is a plain in-memory `StateView`.
 */
import { bytesKey } from './bytes.js';

/**
 * Synchronous byte-keyed state. Keys and values are immutable once handed over, in both directions:
 * neither side mutates an array it passed or received, so nobody needs to copy.
 */
export interface StateView {
  get(key: Uint8Array): Uint8Array | undefined;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /**
   * Optional string-keyed access, the same entries as above: `s` is `bytesKey(key)` (one char per
   * byte). A state that keys a Map by such strings offers these so the VM can build the string once
   * from cached prefixes instead of handing over bytes that every layer converts again.
   */
  getStr?(s: string): Uint8Array | undefined;
  setStr?(s: string, value: Uint8Array): void;
  deleteStr?(s: string): void;
}

/** A state with string-keyed access (see `StateView.getStr`). */
export interface KeyedState {
  getStr(s: string): Uint8Array | undefined;
  setStr(s: string, value: Uint8Array): void;
  deleteStr(s: string): void;
}

/** A `StateView` with nested checkpoints. */
export interface JournaledState extends StateView {
  /** Opens a checkpoint; writes after it can be undone by `revert`. */
  checkpoint(): void;
  /** Keeps the writes since the last checkpoint (they join the enclosing checkpoint, if any). */
  commit(): void;
  /** Undoes the writes since the last checkpoint and closes it. */
  revert(): void;
  /** Number of open checkpoints. */
  readonly depth: number;
}

/** The bytes of a `bytesKey` string. */
function keyOfString(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// Adapts a bytes-only StateView to string keys.
class BytesKeyed implements KeyedState {
  constructor(private readonly base: StateView) {}
  getStr(s: string): Uint8Array | undefined {
    return this.base.get(keyOfString(s));
  }
  setStr(s: string, value: Uint8Array): void {
    this.base.set(keyOfString(s), value);
  }
  deleteStr(s: string): void {
    this.base.delete(keyOfString(s));
  }
}

/** `state` itself when it has string-keyed access, else an adapter that converts. */
export function keyedState(state: StateView): KeyedState {
  return state.getStr !== undefined && state.setStr !== undefined && state.deleteStr !== undefined
    ? (state as KeyedState)
    : new BytesKeyed(state);
}

/** An in-memory `StateView` keyed by byte strings; iteration in sorted key order for state dumps. */
export class MemoryState implements StateView, KeyedState {
  // bytesKey(key) -> value; the key bytes are recovered from the string for `entries`.
  private readonly map = new Map<string, Uint8Array>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(bytesKey(key));
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.map.set(bytesKey(key), value);
  }
  delete(key: Uint8Array): void {
    this.map.delete(bytesKey(key));
  }
  getStr(s: string): Uint8Array | undefined {
    return this.map.get(s);
  }
  setStr(s: string, value: Uint8Array): void {
    this.map.set(s, value);
  }
  deleteStr(s: string): void {
    this.map.delete(s);
  }
  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }
  /** All entries sorted by key bytes. */
  entries(): [Uint8Array, Uint8Array][] {
    // One char per byte: string order is byte order.
    const keys = [...this.map.keys()].sort();
    return keys.map((s): [Uint8Array, Uint8Array] => [keyOfString(s), this.map.get(s)!]);
  }
}

/**
 * Write-through journal over a `StateView`: reads and writes go straight to the base, and each
 * write inside a checkpoint logs the previous value so `revert` can restore it. Writes outside any
 * checkpoint are not logged. Works on string keys underneath (`keyedState`), so a logged write
 * costs one key conversion, not three.
 */
export class Journal implements JournaledState, KeyedState {
  private readonly base: KeyedState;
  // Undo log: key string and previous value (undefined = absent), flat, in write order.
  private readonly keys: string[] = [];
  private readonly olds: (Uint8Array | undefined)[] = [];
  private readonly marks: number[] = [];

  constructor(base: StateView) {
    this.base = keyedState(base);
  }

  get depth(): number {
    return this.marks.length;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.base.getStr(bytesKey(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.setStr(bytesKey(key), value);
  }

  delete(key: Uint8Array): void {
    this.deleteStr(bytesKey(key));
  }

  getStr(s: string): Uint8Array | undefined {
    return this.base.getStr(s);
  }

  setStr(s: string, value: Uint8Array): void {
    this.log(s);
    this.base.setStr(s, value);
  }

  deleteStr(s: string): void {
    this.log(s);
    this.base.deleteStr(s);
  }

  checkpoint(): void {
    this.marks.push(this.keys.length);
  }

  commit(): void {
    // The parent must still be able to undo these writes: they stay in the log, which revert
    // replays backwards. With no checkpoint left, nothing can be undone any more.
    if (this.marks.pop() === undefined) return;
    if (this.marks.length === 0) {
      this.keys.length = 0;
      this.olds.length = 0;
    }
  }

  revert(): void {
    const mark = this.marks.pop();
    if (mark === undefined) return;
    for (let i = this.keys.length - 1; i >= mark; i--) {
      const s = this.keys[i]!;
      const old = this.olds[i];
      if (old === undefined) this.base.deleteStr(s);
      else this.base.setStr(s, old);
    }
    this.keys.length = mark;
    this.olds.length = mark;
  }

  private log(s: string): void {
    if (this.marks.length === 0) return;
    this.keys.push(s);
    this.olds.push(this.base.getStr(s));
  }
}
