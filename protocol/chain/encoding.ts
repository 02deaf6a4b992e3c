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

import { bytesKey } from '../../vm/bytes.js';
import type { ByteFault } from '../bytes/fault.js';
import { BinaryReader } from '../bytes/reader.js';
import { BinaryWriter } from '../bytes/writer.js';
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

/** Turns a shared-core fault into the `ChainError` (code, message, details) the chain formats use. */
function chainFault(f: ByteFault): ChainError {
  switch (f.kind) {
    case 'truncated':
      return new ChainError('bad_encoding', `truncated at ${f.field}`, { field: f.field, at: f.at });
    case 'u64_range':
      return new ChainError('bad_encoding', `${f.field} is >= 2^53`, { field: f.field, at: f.at });
    case 'too_large':
      return new ChainError('too_large', `${f.field} is ${f.length} bytes, limit ${f.limit}`, {
        field: f.field,
        limit: f.limit,
      });
    case 'trailing':
      return new ChainError('bad_encoding', `${f.count} trailing bytes after ${f.what}`, { at: f.at });
    case 'bad_u64':
      return new ChainError('bad_encoding', `${f.field} must be an integer in [0, 2^53)`, { field: f.field });
    case 'bad_size':
      return new ChainError('bad_encoding', `${f.field} must be ${f.size} bytes`, { field: f.field });
  }
}

/** Growable big-endian writer; encoders validate values before writing them. */
export class Writer extends BinaryWriter {
  constructor(initial = 256) {
    super(chainFault, initial);
  }

  /** Writes an identifier: u8 length + ASCII bytes. */
  id(s: string, maxLength: number, field: string): this {
    if (typeof s !== 'string' || !isIdentifier(s, maxLength)) {
      throw new ChainError('bad_encoding', `${field} must be 1..${maxLength} chars of [A-Za-z0-9_.:-]`, {
        field,
      });
    }
    this.u8(s.length);
    for (let i = 0; i < s.length; i++) this.u8(s.charCodeAt(i));
    return this;
  }

  /** Writes a byte string: u32 length + bytes. */
  override bytes(b: Uint8Array, field: string): this {
    if (!(b instanceof Uint8Array)) throw new ChainError('bad_encoding', `${field} must be bytes`, { field });
    return super.bytes(b, field);
  }
}

// Identifiers repeat (chain id, contract, method): a decoded tx hands out the string decoded last
// time for the same bytes instead of a new one, so a pending tx holds three shared strings, not
// three of its own. A small direct-mapped table; a slot's string is checked char by char.
const RECENT_IDS = 256;
const recentIds: (string | undefined)[] = new Array(RECENT_IDS);

function sameChars(s: string, buf: Uint8Array, at: number, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== buf[at + i]) return false;
  return true;
}

/** Bounds-checked big-endian reader over a byte array; every failure is a `bad_encoding` ChainError. */
export class Reader extends BinaryReader {
  constructor(buf: Uint8Array, start = 0) {
    super(buf, chainFault, start);
  }

  /** A view (no copy) of the next `size` bytes. */
  fixed(size: number, field: string): Uint8Array {
    return this.view(size, field);
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
    const at = this.pos;
    const known = recentIds[(len * 31 + this.buf[at]! + this.buf[at + len - 1]!) & (RECENT_IDS - 1)];
    if (known !== undefined && sameChars(known, this.buf, at, len)) {
      this.pos += len;
      return known;
    }
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = this.buf[at + i]!;
      if (ID_CHARS[c] !== 1)
        throw new ChainError('bad_encoding', `${field} has a byte outside [A-Za-z0-9_.:-]`, { field });
      s += String.fromCharCode(c);
    }
    this.pos += len;
    recentIds[(len * 31 + this.buf[at]! + this.buf[at + len - 1]!) & (RECENT_IDS - 1)] = s;
    return s;
  }

  /** Reads a u32 length (checked against `max` and the input) then a view of that many bytes. */
  bytes(max: number, field: string): Uint8Array {
    return this.view(this.limit(this.u32(field), max, field), field);
  }
}

/** Byte-wise equality of two arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Node's Buffer when the platform has one (several times faster on large inputs); a browser,
// which has none, takes the pure path, so the client bundles for it unchanged.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
type SliceAs = (this: Uint8Array, start: number, end: number) => string;
// Buffer#hexSlice (and #latin1Slice, in vm/bytes.ts) reads any Uint8Array in place: no Buffer
// object per call, and no `.buffer` read, which moves a typed array of at most 64 bytes out of V8's heap (an ArrayBuffer and
// backing store of its own, ~2 µs for a fresh 34-byte array against ~0.1 µs).
const hexSlice = (NodeBuffer?.prototype as { hexSlice?: SliceAs } | undefined)?.hexSlice;
const HEX_DIGITS = new TextEncoder().encode('0123456789abcdef');
const ascii = new TextDecoder();

/**
 * `b` as a one-byte string, a char per byte: the compact key maps index bytes by (tx hashes,
 * senders, signatures). The VM's `bytesKey` (vm/bytes.ts), the one implementation of it.
 */
export function latin1Key(b: Uint8Array): string {
  return bytesKey(b);
}

/** True if `s` is `latin1Key(b)`, without building that string. */
export function isLatin1KeyOf(s: string, b: Uint8Array): boolean {
  if (s.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (s.charCodeAt(i) !== b[i]) return false;
  return true;
}

/** Lower-case hex of `b`. */
export function toHex(b: Uint8Array): string {
  if (hexSlice !== undefined) return hexSlice.call(b, 0, b.length);
  if (NodeBuffer !== undefined) return NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  const out = new Uint8Array(b.length * 2);
  for (let i = 0; i < b.length; i++) {
    const v = b[i] ?? 0;
    out[2 * i] = HEX_DIGITS[v >> 4] ?? 0;
    out[2 * i + 1] = HEX_DIGITS[v & 15] ?? 0;
  }
  return ascii.decode(out);
}

/** Bytes from lower- or upper-case hex; throws `bad_encoding` on odd length or non-hex characters. */
export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new ChainError('bad_encoding', 'not hex');
  if (NodeBuffer !== undefined) return new Uint8Array(NodeBuffer.from(s, 'hex'));
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++)
    out[i] = (nibble(s.charCodeAt(2 * i)) << 4) | nibble(s.charCodeAt(2 * i + 1));
  return out;
}

// '0'-'9', 'a'-'f', 'A'-'F' (checked by fromHex's pattern) to 0..15.
const nibble = (c: number): number => (c <= 57 ? c - 48 : (c | 32) - 87);
