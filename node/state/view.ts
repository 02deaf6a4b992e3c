/**
 * The state interfaces execution sees. Reads and writes are synchronous: the whole world state
 * lives in memory (see docs/state.md), so a contract never waits on disk.
 */

/** Read access to state. Returned arrays must not be mutated. */
export interface ReadonlyStateView {
  get(key: Uint8Array): Uint8Array | undefined;
}

/** Read and write access to state. */
export interface StateView extends ReadonlyStateView {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

/**
 * A state view with nested checkpoints, as execution uses it: `checkpoint()` before a tx,
 * then `commit()` to keep its writes or `revert()` to drop them.
 */
export interface JournaledStateView extends StateView {
  checkpoint(): void;
  commit(): void;
  revert(): void;
}

/** One write of a block: `value === null` deletes the key. */
export interface StateWrite {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** Bytes as a string of one char per byte (latin1): compact, exact, and ordered like the bytes. */
export function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

/** Inverse of `keyString` (a fresh copy). */
export function keyBytes(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

/** A view of `inner` in which every key is prefixed: how a contract sees only its own storage. */
export class PrefixedView implements StateView {
  constructor(
    private readonly inner: StateView,
    private readonly prefix: Uint8Array,
  ) {}

  private k(key: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.prefix.length + key.length);
    out.set(this.prefix, 0);
    out.set(key, this.prefix.length);
    return out;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.inner.get(this.k(key));
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.inner.set(this.k(key), value);
  }

  delete(key: Uint8Array): void {
    this.inner.delete(this.k(key));
  }
}

/** A read-only prefixed view (for queries). */
export class PrefixedReadView implements ReadonlyStateView {
  constructor(
    private readonly inner: ReadonlyStateView,
    private readonly prefix: Uint8Array,
  ) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const k = new Uint8Array(this.prefix.length + key.length);
    k.set(this.prefix, 0);
    k.set(key, this.prefix.length);
    return this.inner.get(k);
  }
}
