/**
 * An overlay of a block's writes on top of the world state, with nested checkpoints so a failed tx
 * leaves no trace. The overlay holds one entry per written key (null = deleted); an undo log
 * records each key's previous overlay entry so `revert()` rolls back to the last checkpoint in
 * O(writes since it).
 */
import type { JournaledStateView, ReadonlyStateView, StateWrite } from './view.js';
import { keyString } from './view.js';

interface Undo {
  readonly s: string;
  /** The overlay entry before the write: undefined = the key was not in the overlay. */
  readonly prev: { readonly key: Uint8Array; readonly value: Uint8Array | null } | undefined;
}

/** The overlay execution writes into; `writes()` is the block's write set. */
export class JournaledState implements JournaledStateView {
  private readonly overlay = new Map<
    string,
    { readonly key: Uint8Array; readonly value: Uint8Array | null }
  >();
  private readonly undo: Undo[] = [];
  private readonly marks: number[] = [];

  constructor(private readonly base: ReadonlyStateView) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const e = this.overlay.get(keyString(key));
    if (e !== undefined) return e.value === null ? undefined : e.value;
    return this.base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    // Copy both: the caller may reuse its buffers, and what lands in state must not change later.
    this.write(key.slice(), value.slice());
  }

  delete(key: Uint8Array): void {
    this.write(key.slice(), null);
  }

  private write(key: Uint8Array, value: Uint8Array | null): void {
    const s = keyString(key);
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
    for (const e of this.overlay.values()) out.push({ key: e.key, value: e.value });
    return out;
  }
}
