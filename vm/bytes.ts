/** Small byte-string helpers shared by the VM, the runtime and the compiler. Pure and allocation-aware. */

/** The empty byte string (shared; never written to). */
export const EMPTY: Uint8Array = new Uint8Array(0);

const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabOff = 0;

/**
 * A zero-filled byte array of length `n`. Arrays of 65..4096 bytes are views into a shared slab:
 * V8 creates those far faster than arrays with their own buffer. Safe because no VM value is ever
 * mutated after it is built; anything that outlives a call (stored keys and values, events,
 * return data) goes through `own` so that it does not pin a slab.
 */
export function alloc(n: number): Uint8Array {
  if (n <= 64 || n > 4096) return new Uint8Array(n);
  if (slabOff + n > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabOff = 0;
  }
  const v = new Uint8Array(slab, slabOff, n);
  slabOff += n;
  return v;
}

/** `b` itself when it has its buffer to itself, else a copy that does. */
export function own(b: Uint8Array): Uint8Array {
  // Up to 64 bytes V8 keeps a typed array's bytes in the object itself, and merely reading
  // `.buffer` would move them out to a new ArrayBuffer: a copy is cheaper than the check.
  if (b.length <= 64) return b.slice();
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenation of two byte strings into a new one. */
export function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = alloc(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const HEX = '0123456789abcdef';

/** Lower-case hex of `b`. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    s += HEX[v >> 4]! + HEX[v & 15]!;
  }
  return s;
}

/** Bytes of a hex string (even length, [0-9a-fA-F]); `undefined` if it is not one. */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// Node's Buffer#latin1Slice builds the same one-char-per-byte string from any Uint8Array in place,
// about twice as fast as `String.fromCharCode.apply` for a storage key (~40 bytes: ~170 against
// ~340 ns with the Map insert). A browser has no Buffer and takes the pure path.
type SliceAs = (this: Uint8Array, start: number, end: number) => string;
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: SliceAs } } }).Buffer?.prototype
  .latin1Slice;

/**
 * A string with one char per byte (ISO-8859-1: char code = byte value, the same string as Node's
 * `latin1` Buffer encoding): a cheap, collision-free Map key for byte strings, whose inverse is
 * `charCodeAt` per char and whose order is byte order. Not an encoding to store or send (use hex):
 * it exists for in-memory lookups only.
 */
export function bytesKey(b: Uint8Array): string {
  const n = b.length;
  if (latin1Slice !== undefined) return latin1Slice.call(b, 0, n);
  if (n <= 8192) return String.fromCharCode.apply(null, b as unknown as number[]);
  let s = '';
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  }
  return s;
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** The string of ASCII bytes (callers check the bytes are ASCII). */
export function ascii(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** 8-byte big-endian two's complement of a safe integer. */
export function intToBytes(n: number): Uint8Array {
  const out = new Uint8Array(8);
  writeInt64(out, 0, n);
  return out;
}

/** Writes the 8-byte big-endian two's complement of safe integer `n` at `off`. */
export function writeInt64(out: Uint8Array, off: number, n: number): void {
  const hi = Math.floor(n / 4294967296);
  const lo = n - hi * 4294967296;
  out[off] = (hi >>> 24) & 0xff;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = (lo >>> 24) & 0xff;
  out[off + 5] = (lo >>> 16) & 0xff;
  out[off + 6] = (lo >>> 8) & 0xff;
  out[off + 7] = lo & 0xff;
}

/**
 * The safe integer in 8 big-endian two's-complement bytes at `off`, or NaN when the value is
 * outside -(2^53-1) .. 2^53-1.
 */
export function readInt64(b: Uint8Array, off: number): number {
  const hi = (b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]! | 0;
  const lo = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
  if (hi < -2097152 || hi > 2097151) return Number.NaN;
  const v = hi * 4294967296 + lo;
  return v < -Number.MAX_SAFE_INTEGER ? Number.NaN : v;
}
