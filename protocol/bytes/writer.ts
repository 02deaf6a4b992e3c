/** Growable big-endian writer, shared by chain and store. */
import type { FaultFactory, WriteFault } from './fault.js';

/** Appends u8/u16/u32/u64 (< 2^53), fixed-size and u32-length-prefixed bytes. */
export class BinaryWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;
  readonly #fault: FaultFactory<WriteFault>;

  constructor(fault: FaultFactory<WriteFault>, initial = 256) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
    this.#fault = fault;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#buf[this.#pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#pos, v);
    this.#pos += 2;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v);
    this.#pos += 4;
    return this;
  }

  /** Writes `v` as 8 bytes; anything but an integer in [0, 2^53) is a `bad_u64` fault. */
  u64(v: number, field = ''): this {
    if (!Number.isSafeInteger(v) || v < 0) throw this.#fault({ kind: 'bad_u64', field, value: v });
    this.#ensure(8);
    this.#view.setUint32(this.#pos, Math.floor(v / 0x1_0000_0000));
    this.#view.setUint32(this.#pos + 4, v >>> 0);
    this.#pos += 8;
    return this;
  }

  /** Writes exactly `size` bytes; anything else is a `bad_size` fault. */
  fixed(b: Uint8Array, size: number, field = ''): this {
    if (!(b instanceof Uint8Array) || b.length !== size) throw this.#fault({ kind: 'bad_size', field, size });
    return this.raw(b);
  }

  /** Writes a u32 length, then the bytes. */
  bytes(b: Uint8Array, _field = ''): this {
    return this.u32(b.length).raw(b);
  }

  /** Writes bytes with no prefix. */
  raw(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  get length(): number {
    return this.#pos;
  }

  /** The written bytes (a copy trimmed to length, so it owns its buffer). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}
