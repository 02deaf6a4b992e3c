/**
 * keys.ts for a browser bundle (portal/build.ts swaps it in): the same exports the client and
 * the protocol's tx, block and request code use, over the @noble crypto provider instead of
 * node:crypto KeyObjects. A Signer here holds the seed itself.
 */

import { nobleCrypto } from '../crypto/noble.js';
import { isWeakPoint } from '../crypto/points.js';
import { ChainError } from './errors.js';

/** An ed25519 key pair: what a key file holds (client/keyfile.ts). */
export interface KeyPair {
  /** 32-byte ed25519 seed (the private key). */
  readonly seed: Uint8Array;
  /** 32-byte raw ed25519 public key. */
  readonly publicKey: Uint8Array;
}

/** Size of an ed25519 private seed. */
export const SEED_BYTES = 32;

/** True for a point encoding the nodes refuse as a public key or as a signature's R. */
export const isWeakPointEncoding = isWeakPoint;

/** The raw 32-byte public key of a seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return nobleCrypto.publicKeyFromSeed(seed);
}

/** A signing key with its public key; in the browser the private key is the seed. */
export interface Signer {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

/** Builds a Signer from a 32-byte seed. */
export function createSigner(seed: Uint8Array): Signer {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES)
    throw new ChainError('bad_key', `seed must be ${SEED_BYTES} bytes`);
  return { privateKey: seed, publicKey: nobleCrypto.publicKeyFromSeed(seed) };
}

/** Accepts a seed or a Signer; returns the Signer. */
export function toSigner(key: Uint8Array | Signer): Signer {
  return key instanceof Uint8Array ? createSigner(key) : key;
}

/** ed25519 signature (64 bytes) of `message`. */
export function signBytes(message: Uint8Array, key: Uint8Array | Signer): Uint8Array {
  return nobleCrypto.sign(message, toSigner(key).privateKey);
}

/** Kept for the same API as keys.ts: noble has no per-key object worth caching. */
export class KeyCache {
  constructor(readonly capacity = 0) {}
  get size(): number {
    return 0;
  }
}

/** ed25519 verification by the node's rules; false (never throws) on a bad signature or key. */
export function verifySignature(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  _cache?: KeyCache,
): boolean {
  return nobleCrypto.verify(message, signature, publicKey);
}
