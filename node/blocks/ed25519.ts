/**
 * Which ed25519 verify the node's verifier runs: libsodium's `crypto_sign_verify_detached`
 * through `sodium-native` (prebuilt binaries inside the npm package), or node:crypto (OpenSSL)
 * when the native module does not load or is switched off (`verifier.library: "node"` in
 * config.json, or `EHRCHAIN_ED25519=node` in the environment, which wins).
 *
 * Why libsodium: a verify is the floor of a tx's cost on every node, and libsodium measured
 * 1.8-1.9x faster than node:crypto with a cached KeyObject, and needs no KeyObject at all (building
 * one per sender costs about as much as a verify). Both answer the same on every vector of
 * docs/vectors/signatures.json: libsodium applies exactly the node's rules, and for OpenSSL the
 * caller refuses weak keys and R first (docs/transactions.md#signature-verification).
 */
import { loadSodiumNative } from '../sodium.js';

/** The implementations; 'sodium' falls back to 'node' when the native module fails to load. */
export type Ed25519Backend = 'sodium' | 'node';

/** libsodium's detached verify: (signature, message, publicKey) → valid. */
export type SodiumVerify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

interface Loaded {
  readonly path: string;
  readonly verify: SodiumVerify;
}

/** sodium-native's resolved path and verify function, or null when it does not load here. */
export function loadSodium(): Loaded | null {
  const s = loadSodiumNative();
  const verify = s?.mod.crypto_sign_verify_detached;
  return s === null || typeof verify !== 'function' ? null : { path: s.path, verify };
}

/** The backend that will run given the configured one and the environment. */
export function effectiveBackend(
  configured: Ed25519Backend,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Ed25519Backend {
  if (env.EHRCHAIN_ED25519 === 'node' || configured === 'node') return 'node';
  return loadSodium() === null ? 'node' : 'sodium';
}
