/**
 * Loads `sodium-native` (libsodium, prebuilt binaries inside the npm package) once per process, for
 * every part of the node that uses it (ed25519 verify: node/blocks/ed25519.ts; the state root's
 * expansion: node/state/lthash.ts). Each falls back to node:crypto when it does not load here.
 */
import { createRequire } from 'node:module';

/** The functions of sodium-native the node calls. */
export interface SodiumNative {
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_hash_sha256(out: Uint8Array, input: Uint8Array): void;
  crypto_stream_chacha20_ietf(out: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
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
