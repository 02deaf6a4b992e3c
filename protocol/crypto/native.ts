/**
 * The crypto provider over node:crypto (OpenSSL): the fast path a server, the CLI and the bench
 * sign and hash with. It is the code of protocol/chain/keys.ts behind the provider interface.
 */
import { hash, randomBytes } from 'node:crypto';
import { publicKeyFromSeed, signBytes, verifySignature } from '../chain/keys.js';
import type { CryptoProvider } from './provider.js';

/** ed25519, sha256 and random bytes with node:crypto. */
export const nativeCrypto: CryptoProvider = {
  name: 'native',
  sha256(data) {
    const h = hash('sha256', data, 'buffer');
    return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
  },
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  publicKeyFromSeed,
  sign: (message, seed) => signBytes(message, seed),
  verify: (message, signature, publicKey) => verifySignature(message, signature, publicKey),
};
