/** Small byte helpers for the records encodings: a bounds-checked reader that throws RecordError. */
import type { ReadFault } from '../bytes/fault.js';
import { BinaryReader } from '../bytes/reader.js';
import { RecordError } from './errors.js';

/** Turns a shared-core fault into the `bad_encoding` RecordError of the reader of `what`. */
function recordFault(what: string, f: ReadFault): RecordError {
  switch (f.kind) {
    case 'truncated':
      return new RecordError('bad_encoding', `${what}: truncated at ${f.field}`);
    case 'u64_range':
      return new RecordError('bad_encoding', `${what}: ${f.field} out of range`);
    case 'too_large':
      return new RecordError('bad_encoding', `${what}: ${f.field} over ${f.limit} bytes`);
    case 'trailing':
      return new RecordError('bad_encoding', `${what}: trailing bytes`);
  }
}

/** Reads fixed-layout binary; every overrun is a typed `bad_encoding` error. */
export class ByteReader extends BinaryReader {
  constructor(
    buf: Uint8Array,
    readonly what: string,
  ) {
    super(buf, (f) => recordFault(what, f));
  }

  /** The next `n` bytes, copied (`buf.slice`). */
  fixed(n: number, field: string): Uint8Array {
    return this.copy(n, field);
  }

  /** A u16-length-prefixed byte string of at most `max` bytes. */
  var(max: number, field: string): Uint8Array {
    return this.copy(this.limit(this.u16(field), max, field), field);
  }

  rest(): Uint8Array {
    const v = this.buf.slice(this.pos);
    this.pos = this.buf.length;
    return v;
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

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5), without Buffer so it runs in a browser too. */
export function bytesToBase64url(b: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of b) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += B64URL[(acc >> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B64URL[(acc << (6 - bits)) & 63];
  return out;
}

/** Bytes of base64url text (padding and unknown characters skipped; leftover bits dropped, as Buffer does). */
export function base64urlToBytes(s: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    const v = B64URL.indexOf(ch === '+' ? '-' : ch === '/' ? '_' : ch);
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
