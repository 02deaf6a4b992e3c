/** Small byte helpers for the records encodings: a bounds-checked reader that throws RecordError. */
import { RecordError } from './errors.js';

/** Reads fixed-layout binary; every overrun is a typed `bad_encoding` error. */
export class ByteReader {
  pos = 0;
  readonly #view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
  ) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number, field: string): void {
    if (this.buf.length - this.pos < n)
      throw new RecordError('bad_encoding', `${this.what}: truncated at ${field}`);
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.#need(2, field);
    const v = this.#view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.#need(4, field);
    const v = this.#view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A u64 that must be a safe integer. */
  u64(field: string): number {
    this.#need(8, field);
    const v = this.#view.getBigUint64(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RecordError('bad_encoding', `${this.what}: ${field} out of range`);
    return Number(v);
  }

  fixed(n: number, field: string): Uint8Array {
    this.#need(n, field);
    const v = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A u16-length-prefixed byte string of at most `max` bytes. */
  var(max: number, field: string): Uint8Array {
    const n = this.u16(field);
    if (n > max) throw new RecordError('bad_encoding', `${this.what}: ${field} over ${max} bytes`);
    return this.fixed(n, field);
  }

  rest(): Uint8Array {
    const v = this.buf.slice(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new RecordError('bad_encoding', `${this.what}: trailing bytes`);
  }
}

/** Concatenates byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Big-endian u16 / u32 / u64 bytes. */
export function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v);
  return b;
}
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
}
export function u64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v));
  return b;
}

/** u16 length prefix + bytes. */
export function varBytes(b: Uint8Array): Uint8Array {
  return concatBytes(u16(b.length), b);
}

const enc = new TextEncoder();
/** UTF-8 bytes. */
export const utf8 = (s: string): Uint8Array => enc.encode(s);
