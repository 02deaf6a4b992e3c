/**
 * The key at rest: a person's 32-byte ed25519 seed sealed with a passphrase, pure functions only
 * (keystore.ts puts the sealed record in IndexedDB). KDF: scrypt N = 2^17, r = 8, p = 1 (128 MiB,
 * OWASP's minimum for scrypt; about a second with @noble in a browser), a fresh 16-byte salt; AEAD:
 * XChaCha20-Poly1305 with a fresh 24-byte nonce, the public key and the parameters bound as
 * associated data so a record cannot be spliced onto another key. The parameters are stored with
 * the record, so they can be raised later without breaking existing vaults.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';
import type { KeyPair } from '../../client/keyfile-format.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { platformCrypto } from '../../protocol/crypto/platform.js';

/** scrypt cost parameters of a sealed key. */
export interface KdfParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The parameters new vaults are sealed with (see the file comment for why). */
export const KDF_PARAMS: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

/** A sealed key as stored: every byte field lower-case hex. Holds nothing secret in the clear. */
export interface SealedKey {
  readonly v: 1;
  readonly publicKey: string;
  readonly kdf: 'scrypt';
  readonly params: KdfParams;
  readonly salt: string;
  readonly nonce: string;
  readonly ciphertext: string;
}

/** A refusal to unlock: the passphrase is wrong (or the record was altered). */
export class VaultError extends Error {
  constructor(
    readonly code: 'wrong_passphrase' | 'bad_vault' | 'weak_passphrase',
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

/** Shortest passphrase accepted when sealing. */
export const MIN_PASSPHRASE = 8;

const aad = (publicKey: string, p: KdfParams): Uint8Array =>
  new TextEncoder().encode(`ehrchain/portal-key/v1\0${publicKey}\0scrypt\0${p.N}\0${p.r}\0${p.p}`);

async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  p: KdfParams,
  onProgress?: (f: number) => void,
): Promise<Uint8Array> {
  return scryptAsync(passphrase.normalize('NFKC'), salt, {
    N: p.N,
    r: p.r,
    p: p.p,
    dkLen: 32,
    maxmem: 2 * 128 * p.N * p.r + 1024,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** Seals `key` under `passphrase`. */
export async function sealKey(
  key: KeyPair,
  passphrase: string,
  params: KdfParams = KDF_PARAMS,
  onProgress?: (f: number) => void,
): Promise<SealedKey> {
  if (passphrase.length < MIN_PASSPHRASE)
    throw new VaultError('weak_passphrase', `Use a passphrase of at least ${MIN_PASSPHRASE} characters.`);
  const salt = randomBytes(16);
  const nonce = randomBytes(24);
  const publicKey = toHex(key.publicKey);
  const k = await deriveKey(passphrase, salt, params, onProgress);
  const ciphertext = xchacha20poly1305(k, nonce, aad(publicKey, params)).encrypt(key.seed);
  k.fill(0);
  return {
    v: 1,
    publicKey,
    kdf: 'scrypt',
    params,
    salt: toHex(salt),
    nonce: toHex(nonce),
    ciphertext: toHex(ciphertext),
  };
}

/** Opens a sealed key; VaultError `wrong_passphrase` if the passphrase does not open it. */
export async function openKey(
  sealed: SealedKey,
  passphrase: string,
  onProgress?: (f: number) => void,
): Promise<KeyPair> {
  if (sealed.v !== 1 || sealed.kdf !== 'scrypt')
    throw new VaultError('bad_vault', 'Unknown key store format.');
  const k = await deriveKey(passphrase, fromHex(sealed.salt), sealed.params, onProgress);
  let seed: Uint8Array;
  try {
    seed = xchacha20poly1305(k, fromHex(sealed.nonce), aad(sealed.publicKey, sealed.params)).decrypt(
      fromHex(sealed.ciphertext),
    );
  } catch {
    throw new VaultError('wrong_passphrase', 'That passphrase does not unlock this key.');
  } finally {
    k.fill(0);
  }
  const publicKey = platformCrypto.publicKeyFromSeed(seed);
  if (toHex(publicKey) !== sealed.publicKey) throw new VaultError('bad_vault', 'The stored key is damaged.');
  return { seed, publicKey };
}
