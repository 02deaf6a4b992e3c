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

/** An in-memory `StateView` keyed by byte strings; iteration in sorted key order for state dumps. */
export class MemoryState implements StateView {
  // Lookup string -> [key, value]; the key bytes are kept for `entries`.
  private readonly map = new Map<string, readonly [Uint8Array, Uint8Array]>();

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(bytesKey(key))?.[1];
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.map.set(bytesKey(key), [key, value]);
  }
  delete(key: Uint8Array): void {
    this.map.delete(bytesKey(key));
  }
  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }
  /** All entries sorted by key bytes. */
  entries(): [Uint8Array, Uint8Array][] {
    const all = [...this.map.values()].map(([k, v]): [Uint8Array, Uint8Array] => [k, v]);
    return all.sort((a, b) => compareBytes(a[0], b[0]));
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

// An undo record: the key and what it held before the write (undefined = absent).
interface Undo {
  readonly key: Uint8Array;
  readonly old: Uint8Array | undefined;
}

/**
 * Write-through journal over a `StateView`: reads and writes go straight to the base, and each
 * write inside a checkpoint logs the previous value so `revert` can restore it. Writes outside any
 * checkpoint are not logged.
 */
export class Journal implements JournaledState {
  private readonly levels: Undo[][] = [];

  constructor(private readonly base: StateView) {}

  get depth(): number {
    return this.levels.length;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.log(key);
    this.base.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.log(key);
    this.base.delete(key);
  }

  checkpoint(): void {
    this.levels.push([]);
  }

  commit(): void {
    const top = this.levels.pop();
    if (top === undefined) return;
    const parent = this.levels[this.levels.length - 1];
    // The parent must still be able to undo these writes; appending keeps the order right, as
    // revert replays the log backwards.
    if (parent !== undefined) for (const u of top) parent.push(u);
  }

  revert(): void {
    const top = this.levels.pop();
    if (top === undefined) return;
    for (let i = top.length - 1; i >= 0; i--) {
      const u = top[i]!;
      if (u.old === undefined) this.base.delete(u.key);
      else this.base.set(u.key, u.old);
    }
  }

  private log(key: Uint8Array): void {
    const top = this.levels[this.levels.length - 1];
    if (top === undefined) return;
    const old = this.base.get(key);
    top.push({ key, old });
  }
}
