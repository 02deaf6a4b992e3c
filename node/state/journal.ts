/**
 * An overlay of a block's writes on top of the world state, with nested checkpoints so a failed tx
 * leaves no trace. The overlay holds one entry per written key (null = deleted); an undo log
 * records each key's previous overlay entry so `revert()` rolls back to the last checkpoint in
 * O(writes since it).
 */
import type { JournaledStateView, ReadonlyStateView, StateWrite } from './view.js';
import { getByString, keyBytes, keyString } from './view.js';

/** An overlay entry: the key bytes when the writer gave them (else derived from the string). */
interface Entry {
  readonly key: Uint8Array | undefined;
  readonly value: Uint8Array | null;
}

interface Undo {
  readonly s: string;
  /** The overlay entry before the write: undefined = the key was not in the overlay. */
  readonly prev: Entry | undefined;
}

/** The overlay execution writes into; `writes()` is the block's write set. */
export class JournaledState implements JournaledStateView {
  private readonly overlay = new Map<string, Entry>();
  private readonly undo: Undo[] = [];
  private readonly marks: number[] = [];

  constructor(private readonly base: ReadonlyStateView) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const e = this.overlay.get(keyString(key));
    if (e !== undefined) return e.value === null ? undefined : e.value;
    return this.base.get(key);
  }

  getStr(s: string): Uint8Array | undefined {
    const e = this.overlay.get(s);
    if (e !== undefined) return e.value === null ? undefined : e.value;
    return getByString(this.base, s);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    // Copy both: the caller may reuse its buffers, and what lands in state must not change later.
    const k = key.slice();
    this.write(keyString(k), k, value.slice());
  }

  delete(key: Uint8Array): void {
    const k = key.slice();
    this.write(keyString(k), k, null);
  }

  /** `set` by key string; the caller hands `value` over and never mutates it (the VM's rule). */
  setStr(s: string, value: Uint8Array): void {
    this.write(s, undefined, value);
  }

  deleteStr(s: string): void {
    this.write(s, undefined, null);
  }

  private write(s: string, key: Uint8Array | undefined, value: Uint8Array | null): void {
    if (this.marks.length > 0) this.undo.push({ s, prev: this.overlay.get(s) });
    this.overlay.set(s, { key, value });
  }

  /** Opens a nested checkpoint. */
  checkpoint(): void {
    this.marks.push(this.undo.length);
  }

  /** Keeps the writes since the last checkpoint (they join the enclosing one, if any). */
  commit(): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Error('JournaledState.commit without checkpoint');
    if (this.marks.length === 0) this.undo.length = 0;
  }

  /** Drops the writes since the last checkpoint. */
  revert(): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Error('JournaledState.revert without checkpoint');
    while (this.undo.length > mark) {
      const u = this.undo.pop()!;
      if (u.prev === undefined) this.overlay.delete(u.s);
      else this.overlay.set(u.s, u.prev);
    }
  }

  /** Open checkpoints (0 once a block's execution is done). */
  get depth(): number {
    return this.marks.length;
  }

  /** The writes made so far, one per key (order is deterministic but carries no meaning). */
  writes(): StateWrite[] {
    if (this.marks.length > 0) throw new Error('JournaledState.writes with open checkpoints');
    const out: StateWrite[] = [];
    for (const [s, e] of this.overlay) out.push({ key: e.key ?? keyBytes(s), value: e.value, keyStr: s });
    return out;
  }
}
