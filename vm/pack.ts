import { alloc, writeInt64 } from './bytes.js';

/**
 * The pack encoding of multi-field values (structs): each field is its length as 2 bytes
 * big-endian followed by its bytes; no count prefix. Used by PACK / FIELD / NFIELDS / SETFIELD and
 * by clients through vm/abi.ts. Failures are returned as negative numbers, never thrown.
 */

/** `fieldOffset`/`setField` result: field index beyond the last field. */
export const PACK_OUT_OF_RANGE = -1;
/** Result: the value is not a well-formed pack (a length runs past the end). */
const PACK_BAD_ENCODING = -2;

/** Packs byte fields. The caller checks that each field is at most 65,535 bytes. */
export function packFields(fields: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const f of fields) total += 2 + f.length;
  const out = alloc(total);
  let p = 0;
  for (const f of fields) {
    out[p] = f.length >>> 8;
    out[p + 1] = f.length & 0xff;
    out.set(f, p + 2);
    p += 2 + f.length;
  }
  return out;
}

/**
 * Packs `vs[from, to)` as PACK does: an int as its 8-byte encoding, bytes as they are. `total` is
 * the packed length (2 + length per field), which the caller has computed and checked. Writes each
 * int in place and copies short fields byte by byte: no intermediate arrays.
 */
export function packValues(
  vs: readonly (number | Uint8Array)[],
  from: number,
  to: number,
  total: number,
): Uint8Array {
  const out = alloc(total);
  let p = 0;
  for (let i = from; i < to; i++) {
    const v = vs[i]!;
    if (typeof v === 'number') {
      out[p] = 0;
      out[p + 1] = 8;
      writeInt64(out, p + 2, v);
      p += 10;
      continue;
    }
    const n = v.length;
    out[p] = n >>> 8;
    out[p + 1] = n & 0xff;
    p += 2;
    if (n <= 32) for (let k = 0; k < n; k++) out[p + k] = v[k]!;
    else out.set(v, p);
    p += n;
  }
  return out;
}

/**
 * Offset of the 2-byte length prefix of field `i` (the field's bytes follow it, in bounds), or a
 * negative failure code.
 */
export function fieldOffset(v: Uint8Array, i: number): number {
  let p = 0;
  const n = v.length;
  for (let k = 0; k < i; k++) {
    if (p + 2 > n) return p === n ? PACK_OUT_OF_RANGE : PACK_BAD_ENCODING;
    p += 2 + ((v[p]! << 8) | v[p + 1]!);
    if (p > n) return PACK_BAD_ENCODING;
  }
  if (p === n) return PACK_OUT_OF_RANGE;
  if (p + 2 > n) return PACK_BAD_ENCODING;
  if (p + 2 + ((v[p]! << 8) | v[p + 1]!) > n) return PACK_BAD_ENCODING;
  return p;
}

/** Number of fields, or PACK_BAD_ENCODING. */
export function countFields(v: Uint8Array): number {
  let p = 0;
  let k = 0;
  const n = v.length;
  while (p < n) {
    if (p + 2 > n) return PACK_BAD_ENCODING;
    p += 2 + ((v[p]! << 8) | v[p + 1]!);
    if (p > n) return PACK_BAD_ENCODING;
    k++;
  }
  return k;
}

/** `v` with field `i` replaced by `x` (a new array), or a negative failure code. */
export function setField(v: Uint8Array, i: number, x: Uint8Array): Uint8Array | number {
  const p = fieldOffset(v, i);
  if (p < 0) return p;
  const oldLen = (v[p]! << 8) | v[p + 1]!;
  const tail = p + 2 + oldLen;
  const out = alloc(v.length - oldLen + x.length);
  out.set(v.subarray(0, p), 0);
  out[p] = x.length >>> 8;
  out[p + 1] = x.length & 0xff;
  out.set(x, p + 2);
  out.set(v.subarray(tail), p + 2 + x.length);
  return out;
}

/** All fields, or PACK_BAD_ENCODING. */
export function unpackFields(v: Uint8Array): Uint8Array[] | number {
  const out: Uint8Array[] = [];
  let p = 0;
  const n = v.length;
  while (p < n) {
    if (p + 2 > n) return PACK_BAD_ENCODING;
    const len = (v[p]! << 8) | v[p + 1]!;
    if (p + 2 + len > n) return PACK_BAD_ENCODING;
    out.push(v.slice(p + 2, p + 2 + len));
    p += 2 + len;
  }
  return out;
}
