/**
 * LtHash16: a homomorphic multiset hash over the world state (Bellare-Micciancio; Facebook's
 * "Securing Update Propagation with Homomorphic Hashing", 2019). Each (key, value) entry expands to
 * 1024 little-endian u16 lanes: SHA-256 of the entry seeds a ChaCha20 keystream of 2048 bytes (v2;
 * v1 used SHAKE256, twice the CPU). The state vector is the lane-wise sum mod 2^16 of all entries'
 * vectors, so one write costs "subtract old entry, add new entry" whatever the state size, and the
 * result does not depend on the order of insertion. The exact construction and test vectors are in
 * docs/state.md.
 *
 * The expansion runs through libsodium (sodium-native, already loaded for ed25519) when it loads,
 * else through node:crypto: byte-identical output, ~3x less CPU per entry (docs/state.md §2).
 */
import { createCipheriv, createHash, hash } from 'node:crypto';
import { endianness } from 'node:os';
import { loadSodiumNative, type SodiumNative } from '../sodium.js';

/** Lanes in the state vector. */
export const LTHASH_LANES = 1024;
/** Bytes of one expanded entry and of the state vector (1024 u16 lanes). */
export const LTHASH_BYTES = LTHASH_LANES * 2;
/** Domain tag prefixed to every entry before expansion. */
const LTHASH_ENTRY_DOMAIN = 'ehrchain/lthash16/entry/v2';
/** Domain tag prefixed to the state vector before the final sha256. */
const LTHASH_ROOT_DOMAIN = 'ehrchain/lthash16/root/v2';

const LITTLE_ENDIAN = endianness() === 'LE';
const ENTRY_DOMAIN = new TextEncoder().encode(LTHASH_ENTRY_DOMAIN);
const ROOT_DOMAIN = new TextEncoder().encode(LTHASH_ROOT_DOMAIN);
// OpenSSL's chacha20 IV: u32le block counter 0 ‖ 96-bit nonce 0 (RFC 8439). The key is fresh per
// entry, so a fixed nonce is never reused under one key.
const CHACHA_IV = new Uint8Array(16);
// libsodium's IETF variant takes the 96-bit nonce alone and starts the block counter at 0: the
// same keystream as the IV above.
const IETF_NONCE = new Uint8Array(12);
const ZEROS = new Uint8Array(LTHASH_BYTES);

/** Which library expands entries: libsodium, or node:crypto (OpenSSL) when it does not load. */
export type LtHashBackend = 'sodium' | 'node';

/** Fills `out` (2048 bytes) with the ChaCha20 keystream keyed by SHA-256(`input`). */
type Expand = (input: Uint8Array, out: Uint8Array) => void;

type SodiumStream = Pick<SodiumNative, 'crypto_hash_sha256' | 'crypto_stream_chacha20_ietf'>;

function loadSodiumStream(): SodiumStream | null {
  const mod = loadSodiumNative()?.mod;
  const hash256 = mod?.crypto_hash_sha256;
  const stream = mod?.crypto_stream_chacha20_ietf;
  if (typeof hash256 !== 'function' || typeof stream !== 'function') return null;
  return { crypto_hash_sha256: hash256, crypto_stream_chacha20_ietf: stream };
}

function nodeExpand(input: Uint8Array, out: Uint8Array): void {
  const seed = hash('sha256', input, 'buffer');
  out.set(createCipheriv('chacha20', seed, CHACHA_IV).update(ZEROS));
}

function sodiumExpand(s: SodiumStream): Expand {
  const seed = new Uint8Array(32);
  return (input, out) => {
    s.crypto_hash_sha256(seed, input);
    s.crypto_stream_chacha20_ietf(out, IETF_NONCE, seed);
  };
}

/**
 * The expansion of a backend; 'sodium' gives null when sodium-native does not load here. Exported
 * so tests and benchmarks can hold both paths to the same vectors.
 */
export function entryExpander(backend: LtHashBackend): Expand | null {
  if (backend === 'node') return nodeExpand;
  const s = loadSodiumStream();
  return s === null ? null : sodiumExpand(s);
}

// EHRCHAIN_LTHASH=node forces the node:crypto path (as EHRCHAIN_ED25519 does for signatures).
const sodium = process.env.EHRCHAIN_LTHASH === 'node' ? null : entryExpander('sodium');
/** The backend this process expands entries with. */
export const lthashBackend: LtHashBackend = sodium === null ? 'node' : 'sodium';
const expand: Expand = sodium ?? nodeExpand;

// Scratch for the entry input (grown to the largest entry seen) and for one expanded vector, so an
// expansion allocates nothing. Single-threaded and never re-entered: each use completes first.
let inputScratch = inputBuffer(256);
const vectorScratch = new Uint8Array(LTHASH_BYTES);
const vectorScratchLanes = new Uint16Array(vectorScratch.buffer);

/** An input buffer of `n` bytes that starts with the entry domain. */
function inputBuffer(n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(ENTRY_DOMAIN, 0);
  return b;
}

/** Expands (key, value) into `out` (2048 bytes): the entry's vector as little-endian bytes. */
function expandEntry(key: Uint8Array, value: Uint8Array, out: Uint8Array): void {
  const d = ENTRY_DOMAIN.length;
  const n = d + 4 + key.length + value.length;
  if (inputScratch.length < n) inputScratch = inputBuffer(Math.max(n, inputScratch.length * 2));
  const input = inputScratch;
  const kl = key.length;
  input[d] = kl >>> 24;
  input[d + 1] = (kl >>> 16) & 0xff;
  input[d + 2] = (kl >>> 8) & 0xff;
  input[d + 3] = kl & 0xff;
  input.set(key, d + 4);
  input.set(value, d + 4 + kl);
  expand(input.subarray(0, n), out);
}

/** Reads bytes as little-endian u16 lanes (a view when the platform allows, else a copy). */
function lanesOf(bytes: Uint8Array): Uint16Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 1);
  }
  const out = new Uint16Array(bytes.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** The lanes' little-endian bytes: a view on little-endian platforms, else a copy. */
function bytesView(lanes: Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(lanes.buffer, lanes.byteOffset, lanes.byteLength);
  const out = new Uint8Array(lanes.length * 2);
  for (let i = 0; i < lanes.length; i++) {
    out[2 * i] = lanes[i]! & 0xff;
    out[2 * i + 1] = lanes[i]! >>> 8;
  }
  return out;
}

/**
 * The expanded vector of one entry: the first 2048 bytes of the ChaCha20 keystream (RFC 8439,
 * counter 0, nonce 0) under the key SHA-256(domain || u32be(len(key)) || key || value), read as
 * 1024 little-endian u16 lanes. A fresh array the caller may keep.
 */
export function entryVector(key: Uint8Array, value: Uint8Array): Uint16Array {
  const out = new Uint8Array(LTHASH_BYTES);
  expandEntry(key, value, out);
  return lanesOf(out);
}

/** `entryVector`'s 2048 little-endian bytes written into `out` (a lane arena's slot, node/state/lanes.ts). */
export function entryBytesInto(key: Uint8Array, value: Uint8Array, out: Uint8Array): void {
  if (out.length !== LTHASH_BYTES) throw new RangeError('LtHash: wrong byte length');
  expandEntry(key, value, out);
}

/**
 * `entryVector` written into `lanes` (1024 lanes, 4-byte aligned for the fast add), so a caller
 * that keeps vectors (the state's memo) can reuse one it no longer needs instead of allocating.
 */
export function entryVectorInto(key: Uint8Array, value: Uint8Array, lanes: Uint16Array): void {
  if (lanes.length !== LTHASH_LANES) throw new RangeError('LtHash: wrong lane count');
  if (LITTLE_ENDIAN) {
    expandEntry(key, value, new Uint8Array(lanes.buffer, lanes.byteOffset, LTHASH_BYTES));
    return;
  }
  expandEntry(key, value, vectorScratch);
  lanes.set(lanesOf(vectorScratch));
}

/** `a += b` lane-wise mod 2^16, one lane at a time (the reference the fast path is tested against). */
export function addLanesNaive(a: Uint16Array, b: Uint16Array): void {
  for (let i = 0; i < LTHASH_LANES; i++) a[i] = a[i]! + b[i]!;
}

/** `a -= b` lane-wise mod 2^16, one lane at a time. */
export function subLanesNaive(a: Uint16Array, b: Uint16Array): void {
  for (let i = 0; i < LTHASH_LANES; i++) a[i] = a[i]! - b[i]!;
}

// SWAR: two u16 lanes per u32 word. The low 15 bits of each lane are added (or subtracted) with
// the lane's top bit masked off, so no carry (or borrow) crosses into the next lane; the top bit is
// then fixed by xor. The same in either byte order: only whole lanes share a word. Measured 1.6-2.3
// vs 0.9-1.6 µs per 1024-lane add in alternating rounds (test/perf/lthash.bench.ts).
// Staging (world.ts) adds in WebAssembly SIMD instead (node/state/lanes.ts, ~0.1 µs), and these
// serve LtHash's own accumulators (open, snapshots, recompute) and that arena's fallback.
const LOW15 = 0x7fff7fff;
const HIGH = 0x80008000;
const WORDS = LTHASH_LANES / 2;

function wordsOf(lanes: Uint16Array): Uint32Array | null {
  return lanes.byteOffset % 4 === 0 ? new Uint32Array(lanes.buffer, lanes.byteOffset, WORDS) : null;
}

/** `x += y` over 512 u32 words (two lanes each). */
export function addWords(x: Uint32Array, y: Uint32Array): void {
  for (let i = 0; i < WORDS; i++) {
    const p = x[i]!;
    const q = y[i]!;
    x[i] = ((p & LOW15) + (q & LOW15)) ^ ((p ^ q) & HIGH);
  }
}

/** `x -= y` over 512 u32 words (two lanes each). */
export function subWords(x: Uint32Array, y: Uint32Array): void {
  for (let i = 0; i < WORDS; i++) {
    const p = x[i]!;
    const q = y[i]!;
    // Each lane's top bit set in p and cleared in q: the 15-bit difference never borrows across.
    x[i] = ((p | HIGH) - (q & LOW15)) ^ ((p ^ ~q) & HIGH);
  }
}

/** `a += b` lane-wise mod 2^16, two lanes per u32 word (naive when `b` is not 4-byte aligned). */
export function addLanes(a: Uint16Array, b: Uint16Array): void {
  const x = wordsOf(a);
  const y = wordsOf(b);
  if (x === null || y === null) addLanesNaive(a, b);
  else addWords(x, y);
}

/** `a -= b` lane-wise mod 2^16, two lanes per u32 word (naive when `b` is not 4-byte aligned). */
export function subLanes(a: Uint16Array, b: Uint16Array): void {
  const x = wordsOf(a);
  const y = wordsOf(b);
  if (x === null || y === null) subLanesNaive(a, b);
  else subWords(x, y);
}

/**
 * `a += c - b` lane-wise mod 2^16 over u32 words (two lanes each): a subtract and an add in one
 * pass over `a`, as `subLanes` then `addLanes` would give (a property test compares them). Each
 * intermediate is reduced mod 2^32 by the bitwise operators exactly as storing it would.
 */
export function replaceWords(a: Uint32Array, b: Uint32Array, c: Uint32Array): void {
  for (let i = 0; i < WORDS; i++) {
    const p = a[i]!;
    const q = b[i]!;
    const r = c[i]!;
    const t = ((p | HIGH) - (q & LOW15)) ^ ((p ^ ~q) & HIGH);
    a[i] = ((t & LOW15) + (r & LOW15)) ^ ((t ^ r) & HIGH);
  }
}

/** The u32 words of 1024 lanes (which must be 4-byte aligned): a view, for `replaceWords`. */
export function laneWords(lanes: Uint16Array): Uint32Array {
  const w = wordsOf(lanes);
  if (w === null || lanes.length !== LTHASH_LANES) throw new RangeError('LtHash: lanes not aligned');
  return w;
}

const vectorScratchWords = laneWords(vectorScratchLanes);

/** A mutable LtHash16 accumulator. */
export class LtHash {
  private readonly lanes: Uint16Array;
  /** The lanes as u32 words, made once (a fresh array: always aligned). */
  private readonly words: Uint32Array;

  /** An empty multiset, or a copy of the given lanes. */
  constructor(lanes?: Uint16Array) {
    if (lanes !== undefined && lanes.length !== LTHASH_LANES)
      throw new RangeError('LtHash: wrong lane count');
    this.lanes = lanes === undefined ? new Uint16Array(LTHASH_LANES) : new Uint16Array(lanes);
    this.words = laneWords(this.lanes);
  }

  /** Rebuilds an accumulator from its 2048-byte little-endian encoding. */
  static fromBytes(bytes: Uint8Array): LtHash {
    if (bytes.length !== LTHASH_BYTES) throw new RangeError('LtHash: wrong byte length');
    return new LtHash(lanesOf(bytes));
  }

  /** Adds one entry to the multiset (expanded into scratch: no allocation). */
  add(key: Uint8Array, value: Uint8Array): void {
    expandEntry(key, value, vectorScratch);
    if (LITTLE_ENDIAN) addWords(this.words, vectorScratchWords);
    else this.addVector(lanesOf(vectorScratch));
  }

  /** Removes one entry (that was added before) from the multiset. */
  remove(key: Uint8Array, value: Uint8Array): void {
    expandEntry(key, value, vectorScratch);
    if (LITTLE_ENDIAN) subWords(this.words, vectorScratchWords);
    else this.subVector(lanesOf(vectorScratch));
  }

  /** Lane-wise addition mod 2^16. */
  addVector(v: Uint16Array): void {
    const y = wordsOf(v);
    if (y === null) addLanesNaive(this.lanes, v);
    else addWords(this.words, y);
  }

  /** Lane-wise subtraction mod 2^16. */
  subVector(v: Uint16Array): void {
    const y = wordsOf(v);
    if (y === null) subLanesNaive(this.lanes, v);
    else subWords(this.words, y);
  }

  /** An independent copy. */
  clone(): LtHash {
    return new LtHash(this.lanes);
  }

  /** Writes the 2048-byte little-endian encoding of the state vector into `out`. */
  bytesInto(out: Uint8Array): void {
    if (out.length !== LTHASH_BYTES) throw new RangeError('LtHash: wrong byte length');
    out.set(bytesView(this.lanes));
  }

  /** The 2048-byte little-endian encoding of the state vector (a copy). */
  bytes(): Uint8Array {
    return bytesView(this.lanes).slice();
  }

  /** The 32-byte state root: sha256(root domain || vector bytes). */
  root(): Uint8Array {
    const digest = createHash('sha256').update(ROOT_DOMAIN).update(bytesView(this.lanes)).digest();
    return new Uint8Array(digest);
  }

  /** True when both accumulators hold the same vector. */
  equals(other: LtHash): boolean {
    for (let i = 0; i < LTHASH_LANES; i++) if (this.lanes[i] !== other.lanes[i]) return false;
    return true;
  }
}

/** The root of a whole state computed from scratch (used to verify snapshots and on open). */
export function stateRootOf(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const h = new LtHash();
  for (const [k, v] of entries) h.add(k, v);
  return h.root();
}
