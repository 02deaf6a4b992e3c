/**
 * The crypto provider seam: the few primitives the client library needs (ed25519, sha256, random
 * bytes), so the same client code runs in Node (node:crypto, `native.ts`) and in a browser
 * (@noble, `noble.ts`). `platform.ts` is the one a module gets by default; a browser bundle
 * swaps it for `platform.browser.ts` (portal/build.ts). Both answer every published test vector
 * (docs/vectors) identically, including which signatures a node refuses.
 */

/** ed25519 signing and verification, sha256 and a CSPRNG. Every method is synchronous. */
export interface CryptoProvider {
  /** `native` (node:crypto) or `noble` (pure JavaScript, any runtime). */
  readonly name: string;
  /** sha256 of `data`. */
  sha256(data: Uint8Array): Uint8Array;
  /** sha256 of `data` written into `out` (32 bytes), where the platform can skip the allocation. */
  sha256Into?(out: Uint8Array, data: Uint8Array): void;
  /** `n` bytes from the platform's CSPRNG. */
  randomBytes(n: number): Uint8Array;
  /** The raw 32-byte ed25519 public key of a 32-byte seed. Throws ChainError `bad_key` on a bad seed. */
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
  /** The 64-byte ed25519 signature of `message` by `seed`. */
  sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /**
   * True only for a signature a node accepts (docs/transactions.md#signature-verification): S < L,
   * canonical A and R not of small order, the cofactorless equation. Never throws.
   */
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
}
