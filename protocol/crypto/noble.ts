/**
 * The crypto provider in pure JavaScript (@noble/curves, @noble/hashes): what a browser signs and
 * hashes with. Verification follows the node's rules exactly (libsodium's, not noble's default
 * ZIP-215): S < L, A and R canonical and not of small order, and the cofactorless equation
 * [S]B = R + [k]A compared on the encoding of R.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { ChainError } from '../chain/errors.js';
import { isWeakPoint } from './points.js';
import type { CryptoProvider } from './provider.js';

const L = ed25519.Point.Fn.ORDER;

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32)
    throw new ChainError('bad_key', 'seed must be 32 bytes');
}

function leToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] ?? 0);
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const r = signature.subarray(0, 32);
  if (isWeakPoint(publicKey) || isWeakPoint(r)) return false;
  const s = leToBigint(signature.subarray(32));
  if (s >= L) return false;
  try {
    const a = ed25519.Point.fromBytes(publicKey);
    const k = leToBigint(sha512(Uint8Array.from([...r, ...publicKey, ...message]))) % L;
    const rCheck = ed25519.Point.BASE.multiplyUnsafe(s).subtract(a.multiplyUnsafe(k));
    return sameBytes(rCheck.toBytes(), r);
  } catch {
    // Not a point on the curve.
    return false;
  }
}

/** ed25519, sha256 and random bytes with @noble: runs anywhere (globalThis.crypto for randomness). */
export const nobleCrypto: CryptoProvider = {
  name: 'noble',
  sha256: (data) => sha256(data),
  randomBytes: (n) => randomBytes(n),
  publicKeyFromSeed(seed) {
    checkSeed(seed);
    return ed25519.getPublicKey(seed);
  },
  sign(message, seed) {
    checkSeed(seed);
    return ed25519.sign(message, seed);
  },
  verify,
};
