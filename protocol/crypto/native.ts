/**
 * The crypto provider over node:crypto (OpenSSL): the fast path a server, the CLI and the bench
 * sign and hash with. It is the code of protocol/chain/keys.ts behind the provider interface, with
 * sha256 through libsodium (sodium-native, a dependency of the package) when it loads here.
 */
import { hash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { publicKeyFromSeed, signBytes, verifySignature } from '../chain/keys.js';
import type { CryptoProvider } from './provider.js';

type Sha256Into = (out: Uint8Array, data: Uint8Array) => void;

/**
 * libsodium's `crypto_hash_sha256`, or null where sodium-native does not load (or
 * `EHRCHAIN_SHA256=node` asks for node:crypto). Why: every tx a node takes in is hashed once on its
 * main thread, and for a tx-sized input node:crypto's one-shot `hash` costs more than libsodium's
 * (its call and the Buffer it returns, not the hashing). Only for short inputs: OpenSSL's sha256
 * runs the CPU's SHA instructions where libsodium's is portable C, so past ~200 bytes node:crypto
 * is the faster (1,000 B: 1.4-1.9 vs 3.0 µs; 12 KB: 8.8 vs 32 µs).
 */
function loadSodiumSha256(): Sha256Into | null {
  if (process.env.EHRCHAIN_SHA256 === 'node') return null;
  try {
    const mod = createRequire(import.meta.url)('sodium-native') as { crypto_hash_sha256?: unknown };
    return typeof mod.crypto_hash_sha256 === 'function' ? (mod.crypto_hash_sha256 as Sha256Into) : null;
  } catch {
    return null;
  }
}

const sodiumSha256 = loadSodiumSha256();

/** Inputs up to this many bytes go to libsodium (tx bodies: ~130-250 bytes), longer ones to OpenSSL. */
export const SODIUM_SHA256_MAX_BYTES = 256;

function sha256Into(out: Uint8Array, data: Uint8Array): void {
  if (sodiumSha256 !== null && data.length <= SODIUM_SHA256_MAX_BYTES) sodiumSha256(out, data);
  else out.set(hash('sha256', data, 'buffer'));
}

/** ed25519, sha256 and random bytes with node:crypto (short inputs' sha256 with libsodium where it loads). */
export const nativeCrypto: CryptoProvider = {
  name: 'native',
  sha256(data) {
    if (sodiumSha256 !== null && data.length <= SODIUM_SHA256_MAX_BYTES) {
      const out = new Uint8Array(32);
      sodiumSha256(out, data);
      return out;
    }
    const h = hash('sha256', data, 'buffer');
    return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
  },
  sha256Into,
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  publicKeyFromSeed,
  sign: (message, seed) => signBytes(message, seed),
  verify: (message, signature, publicKey) => verifySignature(message, signature, publicKey),
};
