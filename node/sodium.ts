/**
 * Loads `sodium-native` (libsodium, prebuilt binaries inside the npm package) once per process, for
 * every part of the node that uses it (ed25519 verify: node/blocks/ed25519.ts; the state root's
 * expansion: node/state/lthash.ts; noise's AEAD: node/p2p/noise-crypto.ts). Each falls back to node:crypto when it does not load here.
 */
import { createRequire } from 'node:module';

/** The functions of sodium-native the node calls. */
export interface SodiumNative {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
  crypto_stream_chacha20_ietf(out: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  /** Seals `m` into `c` (same length) and `mac` (16 bytes); `nsec` is always null. */
  crypto_aead_chacha20poly1305_ietf_encrypt_detached(
    c: Uint8Array,
    mac: Uint8Array,
    m: Uint8Array,
    ad: Uint8Array | null,
    nsec: null,
    npub: Uint8Array,
    k: Uint8Array,
  ): number;
  /** Opens `c` + `mac` into `m` (same length, may be `c` itself); throws when the tag does not match. */
  crypto_aead_chacha20poly1305_ietf_decrypt_detached(
    m: Uint8Array,
    nsec: null,
    c: Uint8Array,
    mac: Uint8Array,
    ad: Uint8Array | null,
    npub: Uint8Array,
    k: Uint8Array,
  ): void;
}

/** The module and its resolved path (worker threads load it again from the path). */
export interface LoadedSodium {
  readonly path: string;
  readonly mod: Partial<SodiumNative>;
}

let loaded: LoadedSodium | null | undefined;

/** sodium-native, or null when it does not load here. */
export function loadSodiumNative(): LoadedSodium | null {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve('sodium-native');
    loaded = { path, mod: require(path) as Partial<SodiumNative> };
  } catch {
    loaded = null;
  }
  return loaded;
}
