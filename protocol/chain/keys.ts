/**
 * ed25519 keys and signatures with node:crypto. A private key is a raw 32-byte seed (RFC 8032);
 * a public key is the raw 32-byte encoding. KeyObjects are built from raw bytes through their
 * DER forms (PKCS#8 for the seed, SPKI for the public key). @noble/curves verifies the same
 * signatures (ed25519 is deterministic), which the test vectors check.
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { isWeakPoint } from '../crypto/points.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './encoding.js';
import { ChainError } from './errors.js';

/** Size of an ed25519 private seed. */
/** An ed25519 key pair: what a key file holds (client/keyfile.ts) and what a validator signs with. */
export interface KeyPair {
  /** 32-byte ed25519 seed (the private key). */
  readonly seed: Uint8Array;
  /** 32-byte raw ed25519 public key. */
  readonly publicKey: Uint8Array;
}

export const SEED_BYTES = 32;

// DER prefixes: PKCS#8 PrivateKeyInfo and SPKI for id-Ed25519 (OID 1.3.101.112), RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A private KeyObject from a 32-byte seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
    throw new ChainError('bad_key', `seed must be ${SEED_BYTES} bytes`);
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/**
 * True for a point encoding the nodes refuse as a public key or as a signature's R (the rules of
 * docs/transactions.md#signature-verification, libsodium's): a non-canonical y (>= p = 2^255 - 19)
 * or a point of small order. OpenSSL, which verifies for node:crypto, checks neither. The one
 * implementation is protocol/crypto/points.ts, shared with the browser build.
 */
export const isWeakPointEncoding = isWeakPoint;

/** A public KeyObject from a raw 32-byte public key (uncached; see KeyCache). */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) {
    throw new ChainError('bad_key', `public key must be ${PUBLIC_KEY_BYTES} bytes`);
  }
  if (isWeakPointEncoding(publicKey)) {
    throw new ChainError('bad_key', 'public key of small order or not canonically encoded');
  }
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** The raw 32-byte public key of a KeyObject (private or public). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return new Uint8Array(spki.subarray(SPKI_PREFIX.length));
}

/** The raw 32-byte public key of a seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return rawPublicKey(privateKeyFromSeed(seed));
}

/** A signing key with its public key, built once from a seed (signing with it is ~3x cheaper). */
export interface Signer {
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

/** Builds a Signer from a 32-byte seed. */
export function createSigner(seed: Uint8Array): Signer {
  const privateKey = privateKeyFromSeed(seed);
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

/** Accepts a seed or a Signer; returns the Signer. */
export function toSigner(key: Uint8Array | Signer): Signer {
  return key instanceof Uint8Array ? createSigner(key) : key;
}

/** ed25519 signature (64 bytes) of `message`. */
export function signBytes(message: Uint8Array, key: Uint8Array | Signer): Uint8Array {
  return new Uint8Array(nodeSign(null, message, toSigner(key).privateKey));
}

/** Bounded LRU of public KeyObjects by raw key: building one costs about as much as a verify. */
export class KeyCache {
  private readonly map = new Map<string, KeyObject>();

  constructor(readonly capacity = 10_000) {}

  /** The KeyObject for `publicKey`, built and cached on a miss. Throws `bad_key` on a wrong size. */
  get(publicKey: Uint8Array): KeyObject {
    const k = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
    const hit = this.map.get(k);
    if (hit !== undefined) {
      this.map.delete(k);
      this.map.set(k, hit);
      return hit;
    }
    const key = publicKeyObject(publicKey);
    this.map.set(k, key);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return key;
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Synchronous ed25519 verification; false (never throws) on a bad signature or malformed key.
 * OpenSSL checks S < L and the cofactorless equation on R's encoding; a weak key or R is refused here.
 */
export function verifySignature(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  cache?: KeyCache,
): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (isWeakPointEncoding(signature.subarray(0, 32))) return false;
  try {
    const key = cache ? cache.get(publicKey) : publicKeyObject(publicKey);
    return nodeVerify(null, message, key, signature);
  } catch {
    // Not a point on the curve, etc.
    return false;
  }
}
