/** Bounds-checked big-endian reads over a byte array, shared by chain, store and records. */
import type { FaultFactory, ReadFault } from './fault.js';

/** The largest first word of a u64 below 2^53 is 0x1f_ffff. */
const U64_HI_LIMIT = 0x20_0000;

/** Reads u8/u16/u32/u64 (< 2^53) and byte runs; every failure is thrown as `fault(...)`. */
export class BinaryReader {
  readonly #view: DataView;
  readonly #fault: FaultFactory<ReadFault>;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    fault: FaultFactory<ReadFault>,
    start = 0,
  ) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#fault = fault;
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Throws a `truncated` fault unless `n` more bytes remain. */
  protected need(n: number, field: string): void {
    if (this.remaining < n) throw this.#fault({ kind: 'truncated', field, at: this.pos });
  }

  u8(field = ''): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = ''): number {
    this.need(2, field);
    const v = this.#view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field = ''): number {
    this.need(4, field);
    const v = this.#view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64; values >= 2^53 are a `u64_range` fault (never rounded), thrown before advancing. */
  u64(field = ''): number {
    this.need(8, field);
    const hi = this.#view.getUint32(this.pos);
    const lo = this.#view.getUint32(this.pos + 4);
    if (hi >= U64_HI_LIMIT) throw this.#fault({ kind: 'u64_range', field, at: this.pos });
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** A view (no copy) of the next `n` bytes. */
  view(n: number, field = ''): Uint8Array {
    this.need(n, field);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** The next `n` bytes via `buf.slice` (a copy for a plain Uint8Array). */
  copy(n: number, field = ''): Uint8Array {
    this.need(n, field);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** Returns `length`, or throws a `too_large` fault if it is above `limit`. */
  limit(length: number, limit: number, field = ''): number {
    if (length > limit) throw this.#fault({ kind: 'too_large', field, length, limit });
    return length;
  }

  /** Throws a `trailing` fault unless the whole input was consumed. */
  end(what = ''): void {
    if (this.pos !== this.buf.length) {
      throw this.#fault({ kind: 'trailing', what, at: this.pos, count: this.buf.length - this.pos });
    }
  }
}
