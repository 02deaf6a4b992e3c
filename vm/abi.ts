/**
 * Client-side encodings of call arguments, return data and packed (struct) values, as described
 * in docs/language.md. Pure helpers; these do throw `RangeError` on bad input since they run in
 * clients, not in the VM.
 */
import { intToBytes, readInt64 } from './bytes.js';
import { LIMITS } from './isa.js';
import { packFields as packRaw, unpackFields as unpackRaw } from './pack.js';

/** An int argument: 8 bytes big-endian two's complement. */
export function encodeInt(n: number): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  return intToBytes(n);
}

/** The int in an 8-byte argument or return value. */
export function decodeInt(b: Uint8Array): number {
  const v = b.length === 8 ? readInt64(b, 0) : Number.NaN;
  if (Number.isNaN(v)) throw new RangeError('not an 8-byte safe integer');
  return v;
}

/** Packs fields (ints as 8 bytes) the way the VM's PACK does. */
export function packFields(fields: readonly (Uint8Array | number)[]): Uint8Array {
  const bs = fields.map((f) => (typeof f === 'number' ? encodeInt(f) : f));
  const out = packRaw(bs);
  if (out.length > LIMITS.maxBytes) throw new RangeError('packed value too long');
  return out;
}

/** The fields of a packed value. */
export function unpackFields(v: Uint8Array): Uint8Array[] {
  const r = unpackRaw(v);
  if (typeof r === 'number') throw new RangeError('malformed packed value');
  return r;
}
