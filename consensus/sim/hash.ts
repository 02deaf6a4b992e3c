/**
 * Small non-cryptographic hashes for the simulator's trace and log fingerprints. 32-bit FNV-1a
 * style mixing: collisions can only hide a violation, never invent one, since every check compares
 * fingerprints of things that must be equal.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Starting value for `mixInt` / `mixBytes` chains. */
export const HASH_INIT = FNV_OFFSET;

/** Folds a 32-bit integer (or any safe integer, low and high words) into h. */
export function mixInt(h: number, n: number): number {
  let x = h;
  const lo = n >>> 0;
  const hi = Math.floor(n / 4294967296) >>> 0;
  x = Math.imul(x ^ (lo & 0xff), FNV_PRIME);
  x = Math.imul(x ^ ((lo >>> 8) & 0xff), FNV_PRIME);
  x = Math.imul(x ^ ((lo >>> 16) & 0xff), FNV_PRIME);
  x = Math.imul(x ^ (lo >>> 24), FNV_PRIME);
  if (hi !== 0) x = Math.imul(x ^ hi, FNV_PRIME);
  return x >>> 0;
}

/** Folds bytes into h. */
export function mixBytes(h: number, bytes: Uint8Array): number {
  let x = mixInt(h, bytes.length);
  for (let i = 0; i < bytes.length; i++) x = Math.imul(x ^ (bytes[i] as number), FNV_PRIME);
  return x >>> 0;
}

/** Folds a string (UTF-16 code units) into h. */
export function mixString(h: number, s: string): number {
  let x = mixInt(h, s.length);
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), FNV_PRIME);
  return x >>> 0;
}
