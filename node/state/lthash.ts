/**
 * LtHash16: a homomorphic multiset hash over the world state (Bellare-Micciancio; Facebook's
 * "Securing Update Propagation with Homomorphic Hashing", 2019). Each (key, value) entry expands to
 * 1024 little-endian u16 lanes: SHA-256 of the entry seeds a ChaCha20 keystream of 2048 bytes (v2;
 * v1 used SHAKE256, twice the CPU). The state vector is the lane-wise sum mod 2^16 of all entries'
 * vectors, so one write costs "subtract old entry, add new entry" whatever the state size, and the
 * result does not depend on the order of insertion. The exact construction and test vectors are in
 * docs/state.md.
 */
import { createCipheriv, createHash, hash } from 'node:crypto';
import { endianness } from 'node:os';

/** Lanes in the state vector. */
const LTHASH_LANES = 1024;
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
const ZEROS = new Uint8Array(LTHASH_BYTES);

/** Reads bytes as little-endian u16 lanes (a view when the platform allows, else a copy). */
function lanesOf(bytes: Uint8Array): Uint16Array {
  if (LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 1);
  }
  const out = new Uint16Array(bytes.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** Writes lanes as little-endian bytes. */
function bytesOf(lanes: Uint16Array): Uint8Array {
  if (LITTLE_ENDIAN)
    return new Uint8Array(lanes.buffer.slice(lanes.byteOffset, lanes.byteOffset + lanes.byteLength));
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
 * 1024 little-endian u16 lanes.
 */
export function entryVector(key: Uint8Array, value: Uint8Array): Uint16Array {
  const d = ENTRY_DOMAIN.length;
  const input = Buffer.allocUnsafe(d + 4 + key.length + value.length);
  input.set(ENTRY_DOMAIN, 0);
  input.writeUInt32BE(key.length, d);
  input.set(key, d + 4);
  input.set(value, d + 4 + key.length);
  const seed = hash('sha256', input, 'buffer');
  return lanesOf(createCipheriv('chacha20', seed, CHACHA_IV).update(ZEROS));
}

/** A mutable LtHash16 accumulator. */
export class LtHash {
  private readonly lanes: Uint16Array;

  /** An empty multiset, or a copy of the given lanes. */
  constructor(lanes?: Uint16Array) {
    if (lanes !== undefined && lanes.length !== LTHASH_LANES)
      throw new RangeError('LtHash: wrong lane count');
    this.lanes = lanes === undefined ? new Uint16Array(LTHASH_LANES) : new Uint16Array(lanes);
  }

  /** Rebuilds an accumulator from its 2048-byte little-endian encoding. */
  static fromBytes(bytes: Uint8Array): LtHash {
    if (bytes.length !== LTHASH_BYTES) throw new RangeError('LtHash: wrong byte length');
    return new LtHash(lanesOf(bytes));
  }

  /** Adds one entry to the multiset. */
  add(key: Uint8Array, value: Uint8Array): void {
    this.addVector(entryVector(key, value));
  }

  /** Removes one entry (that was added before) from the multiset. */
  remove(key: Uint8Array, value: Uint8Array): void {
    this.subVector(entryVector(key, value));
  }

  /** Lane-wise addition mod 2^16. */
  addVector(v: Uint16Array): void {
    const a = this.lanes;
    for (let i = 0; i < LTHASH_LANES; i++) a[i] = a[i]! + v[i]!;
  }

  /** Lane-wise subtraction mod 2^16. */
  subVector(v: Uint16Array): void {
    const a = this.lanes;
    for (let i = 0; i < LTHASH_LANES; i++) a[i] = a[i]! - v[i]!;
  }

  /** An independent copy. */
  clone(): LtHash {
    return new LtHash(this.lanes);
  }

  /** The 2048-byte little-endian encoding of the state vector. */
  bytes(): Uint8Array {
    return bytesOf(this.lanes);
  }

  /** The 32-byte state root: sha256(root domain || vector bytes). */
  root(): Uint8Array {
    const digest = createHash('sha256').update(ROOT_DOMAIN).update(this.bytes()).digest();
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
