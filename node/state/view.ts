/**
 * The state interfaces execution sees. Reads and writes are synchronous: the whole world state
 * lives in memory (see docs/state.md), so a contract never waits on disk.
 */
import { latin1Key } from '../../protocol/chain/encoding.js';

/** Read access to state. Returned arrays must not be mutated. */
export interface ReadonlyStateView {
  get(key: Uint8Array): Uint8Array | undefined;
  /**
   * Optional: `get` by the key's `keyString`. The layers (world, block overlay, prefixed views)
   * key their maps by that string, so the VM builds it once instead of each layer converting bytes.
   */
  getStr?(s: string): Uint8Array | undefined;
}

/** Read and write access to state. */
export interface StateView extends ReadonlyStateView {
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Optional: `set` by `keyString(key)`; the value is handed over and must never be mutated. */
  setStr?(s: string, value: Uint8Array): void;
  /** Optional: `delete` by `keyString(key)`. */
  deleteStr?(s: string): void;
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
  /**
   * Optional: `keyString(key)`, when the writer holds it already (the block overlay keys its map by
   * it), so staging does not convert the key back. Must equal `keyString(key)` when present.
   */
  readonly keyStr?: string;
}

/**
 * Bytes as a string of one char per byte (latin1): compact, exact, and ordered like the bytes. The
 * protocol's `latin1Key`, which reads a small fresh key in place (most state keys are: a nonce key,
 * a key the journal copied) without moving it out of the JS heap.
 */
export const keyString: (key: Uint8Array) => string = latin1Key;

/** Inverse of `keyString` (a fresh copy). */
export function keyBytes(s: string): Uint8Array {
  const n = s.length;
  // Short strings: a loop beats the native call and the copy out of Buffer's shared pool.
  if (n > 256) return new Uint8Array(Buffer.from(s, 'latin1'));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `inner.getStr(s)`, or `inner.get` of the bytes when it has no string access. */
export function getByString(inner: ReadonlyStateView, s: string): Uint8Array | undefined {
  return inner.getStr !== undefined ? inner.getStr(s) : inner.get(keyBytes(s));
}

/** `inner.setStr(s, value)`, or `inner.set` of the bytes when it has no string access. */
export function setByString(inner: StateView, s: string, value: Uint8Array): void {
  if (inner.setStr !== undefined) inner.setStr(s, value);
  else inner.set(keyBytes(s), value);
}

function isJournaled(v: StateView): v is JournaledStateView {
  const j = v as Partial<JournaledStateView>;
  return (
    typeof j.checkpoint === 'function' && typeof j.commit === 'function' && typeof j.revert === 'function'
  );
}

/**
 * A view of `inner` in which every key is prefixed: how a contract sees only its own storage. Over
 * a journaled state it forwards checkpoints too, so the VM journals in the block overlay itself.
 */
export class PrefixedView implements StateView {
  private readonly ps: string;
  readonly checkpoint?: () => void;
  readonly commit?: () => void;
  readonly revert?: () => void;

  constructor(
    private readonly inner: StateView,
    private readonly prefix: Uint8Array,
  ) {
    this.ps = keyString(prefix);
    if (isJournaled(inner)) {
      this.checkpoint = () => inner.checkpoint();
      this.commit = () => inner.commit();
      this.revert = () => inner.revert();
    }
  }

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

  getStr(s: string): Uint8Array | undefined {
    return getByString(this.inner, this.ps + s);
  }

  setStr(s: string, value: Uint8Array): void {
    setByString(this.inner, this.ps + s, value);
  }

  deleteStr(s: string): void {
    const k = this.ps + s;
    if (this.inner.deleteStr !== undefined) this.inner.deleteStr(k);
    else this.inner.delete(keyBytes(k));
  }
}

/** A read-only prefixed view (for queries). */
export class PrefixedReadView implements ReadonlyStateView {
  private readonly ps: string;

  constructor(
    private readonly inner: ReadonlyStateView,
    private readonly prefix: Uint8Array,
  ) {
    this.ps = keyString(prefix);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const k = new Uint8Array(this.prefix.length + key.length);
    k.set(this.prefix, 0);
    k.set(key, this.prefix.length);
    return this.inner.get(k);
  }

  getStr(s: string): Uint8Array | undefined {
    return getByString(this.inner, this.ps + s);
  }
}
