/**
 * The crypto noise runs on a validator's connections: ChaCha20-Poly1305 and SHA-256 from libsodium
 * (sodium-native, node/sodium.ts) when it loads, the rest (X25519, HKDF) from the noise package's
 * default. @chainsafe/libp2p-noise's default seals frames under 1,200 bytes with an AssemblyScript
 * ChaCha20-Poly1305 and larger ones with a new node:crypto cipher object per frame; every gossip
 * message, Raft message and yamux window update is at least one such frame, so their cost is per
 * message (docs/bench.md, session 8). The wire format is the same AEAD (RFC 8439): a node with this
 * crypto talks to one with the default (test/unit/p2p/noise-crypto.test.ts).
 */
import type { ICryptoInterface } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import { loadSodiumNative, type SodiumNative } from '../sodium.js';

/** The libsodium functions this file needs. */
type SodiumAead = Pick<
  SodiumNative,
  | 'crypto_hash_sha256'
  | 'crypto_aead_chacha20poly1305_ietf_encrypt_detached'
  | 'crypto_aead_chacha20poly1305_ietf_decrypt_detached'
>;

const TAG = 16;

/** Noise crypto over the given libsodium binding (see the module comment). */
export function sodiumNoiseCrypto(s: SodiumAead): ICryptoInterface {
  return {
    ...defaultCrypto,
    hashSHA256(data): Uint8Array {
      const out = Buffer.allocUnsafe(32);
      s.crypto_hash_sha256(out, data.subarray());
      return out;
    },
    chaCha20Poly1305Encrypt(plaintext, nonce, ad, k): Uint8Array {
      const m = plaintext.subarray();
      // allocUnsafe: every byte is written below (ciphertext, then the tag); small ones share a pool
      const out = Buffer.allocUnsafe(m.byteLength + TAG);
      s.crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        out.subarray(0, m.byteLength),
        out.subarray(m.byteLength),
        m,
        ad,
        null,
        nonce,
        k,
      );
      return out;
    },
    chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst): Uint8Array {
      const c = ciphertext.subarray();
      if (c.byteLength < TAG) throw new Error('Invalid chacha20poly1305 decryption');
      const len = c.byteLength - TAG;
      // noise passes `dst` as the ciphertext's own bytes (decrypt in place): libsodium checks the tag
      // first, then XORs the keystream in place, which is safe when the two start at the same byte
      const m = dst !== undefined && dst.byteLength >= len ? dst.subarray(0, len) : Buffer.allocUnsafe(len);
      try {
        s.crypto_aead_chacha20poly1305_ietf_decrypt_detached(
          m,
          null,
          c.subarray(0, len),
          c.subarray(len),
          ad,
          nonce,
          k,
        );
      } catch {
        // the same message as the default crypto's, for whoever matches on it
        throw new Error('Invalid chacha20poly1305 decryption');
      }
      return m;
    },
  };
}

/** Which implementation a host's noise runs: libsodium, or the noise package's default. */
export type NoiseCryptoBackend = 'sodium' | 'default';

/**
 * The noise crypto for this process: libsodium when sodium-native loads and has the AEAD, else the
 * noise package's default (`EHRCHAIN_NOISE=default` in the environment forces the default).
 */
export function noiseCrypto(): { readonly backend: NoiseCryptoBackend; readonly crypto: ICryptoInterface } {
  const mod = process.env.EHRCHAIN_NOISE === 'default' ? undefined : loadSodiumNative()?.mod;
  if (
    mod?.crypto_hash_sha256 !== undefined &&
    mod.crypto_aead_chacha20poly1305_ietf_encrypt_detached !== undefined &&
    mod.crypto_aead_chacha20poly1305_ietf_decrypt_detached !== undefined
  ) {
    return { backend: 'sodium', crypto: sodiumNoiseCrypto(mod as SodiumAead) };
  }
  return { backend: 'default', crypto: defaultCrypto };
}
