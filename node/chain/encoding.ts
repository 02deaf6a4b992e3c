/**
 * Canonical binary encoding primitives shared by txs and blocks (layouts in docs/transactions.md).
 *
 * - integers: `u8`, `u16`, `u32` big-endian; `u64` big-endian restricted to values < 2^53 so they
 *   are exact JS numbers (a u64 with any of its top 11 bits set is rejected, never rounded);
 * - identifiers (chain id, contract, method): `u8` length 1..255, then that many bytes from the
 *   ASCII set `A-Z a-z 0-9 _ . - :`. ASCII only, so there is no Unicode normalisation question
 *   (NFC/NFD) and no confusable look-alikes: exactly one encoding per identifier;
 * - byte strings: `u32` length, then the bytes;
 * - keys, hashes, signatures: fixed 32/32/64 bytes, no length prefix.
 *
 * A decoder reads every field with its limits and rejects truncated input, trailing bytes,
 * lengths beyond the input or a limit, and out-of-range values, with a `ChainError`.
 */
import { ChainError } from './errors.js';

/** The largest integer a u64 field may hold: 2^53 - 1. */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;
/** Size of a hash (sha256) in bytes. */
export const HASH_BYTES = 32;
/** Size of a raw ed25519 public key. */
export const PUBLIC_KEY_BYTES = 32;
/** Size of an ed25519 signature. */
export const SIGNATURE_BYTES = 64;

// 1 for each allowed identifier byte.
const ID_CHARS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:')
  ID_CHARS[c.charCodeAt(0)] = 1;

/** True if `s` is a valid identifier of at most `maxLength` bytes (ASCII `A-Za-z0-9_.-:`, non-empty). */
export function isIdentifier(s: string, maxLength = 255): boolean {
  if (s.length === 0 || s.length > maxLength || s.length > 255) return false;
  for (let i = 0; i < s.length; i++) if (ID_CHARS[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/** Growable big-endian writer; encoders validate values before writing them. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** Writes `v` (an integer 0 <= v < 2^53, checked) as 8 bytes big-endian. */
  u64(v: number, field: string): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new ChainError('bad_encoding', `${field} must be an integer in [0, 2^53)`, { field });
    }
    this.ensure(8);
    this.view.setUint32(this.pos, Math.floor(v / 0x1_0000_0000));
    this.view.setUint32(this.pos + 4, v >>> 0);
    this.pos += 8;
  }

  /** Writes exactly `size` bytes (a key, hash or signature), checking the size. */
  fixed(b: Uint8Array, size: number, field: string): void {
    if (!(b instanceof Uint8Array) || b.length !== size) {
      throw new ChainError('bad_encoding', `${field} must be ${size} bytes`, { field });
    }
    this.ensure(size);
    this.buf.set(b, this.pos);
    this.pos += size;
  }

  /** Writes an identifier: u8 length + ASCII bytes. */
  id(s: string, maxLength: number, field: string): void {
    if (typeof s !== 'string' || !isIdentifier(s, maxLength)) {
      throw new ChainError('bad_encoding', `${field} must be 1..${maxLength} chars of [A-Za-z0-9_.:-]`, {
        field,
      });
    }
    this.ensure(1 + s.length);
    this.buf[this.pos++] = s.length;
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Writes a byte string: u32 length + bytes. */
  bytes(b: Uint8Array, field: string): void {
    if (!(b instanceof Uint8Array)) throw new ChainError('bad_encoding', `${field} must be bytes`, { field });
    this.u32(b.length);
    this.raw(b);
  }

  /** Writes bytes with no prefix. */
  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  get length(): number {
    return this.pos;
  }

  /** The written bytes (a copy trimmed to length, so it owns its buffer). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Bounds-checked big-endian reader over a byte array; every failure is a `bad_encoding` ChainError. */
export class Reader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, field: string): void {
    if (this.remaining < n)
      throw new ChainError('bad_encoding', `truncated at ${field}`, { field, at: this.pos });
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Reads a u64 and rejects values >= 2^53 (never rounds). */
  u64(field: string): number {
    this.need(8, field);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi >= 0x20_0000) throw new ChainError('bad_encoding', `${field} is >= 2^53`, { field, at: this.pos });
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** A view (no copy) of the next `size` bytes. */
  fixed(size: number, field: string): Uint8Array {
    this.need(size, field);
    const b = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return b;
  }

  /** Reads an identifier (u8 length 1..maxLength, ASCII id chars). */
  id(maxLength: number, field: string): string {
    const len = this.u8(field);
    if (len === 0 || len > maxLength) {
      throw new ChainError(
        len === 0 ? 'bad_encoding' : 'too_large',
        `${field} length ${len} not in 1..${maxLength}`,
        {
          field,
        },
      );
    }
    this.need(len, field);
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = this.buf[this.pos + i]!;
      if (ID_CHARS[c] !== 1)
        throw new ChainError('bad_encoding', `${field} has a byte outside [A-Za-z0-9_.:-]`, { field });
      s += String.fromCharCode(c);
    }
    this.pos += len;
    return s;
  }

  /** Reads a u32 length (checked against `max` and the input) then a view of that many bytes. */
  bytes(max: number, field: string): Uint8Array {
    const len = this.u32(field);
    if (len > max)
      throw new ChainError('too_large', `${field} is ${len} bytes, limit ${max}`, { field, limit: max });
    return this.fixed(len, field);
  }

  /** Throws unless the whole input was consumed. */
  end(what: string): void {
    if (this.pos !== this.buf.length) {
      throw new ChainError('bad_encoding', `${this.buf.length - this.pos} trailing bytes after ${what}`, {
        at: this.pos,
      });
    }
  }
}

/** Byte-wise equality of two arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex of `b`. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Bytes from lower- or upper-case hex; throws `bad_encoding` on odd length or non-hex characters. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new ChainError('bad_encoding', 'not hex');
  return new Uint8Array(Buffer.from(s, 'hex'));
}
