/**
 * The key file format, without file I/O, so the CLI and the browser portal read and write the same
 * files: JSON `{type: "ed25519", publicKey, seed}`, both lower-case hex, pretty-printed with a
 * trailing newline. The seed is the private key: it is never logged and never sent anywhere.
 * client/keyfile.ts reads and writes these files on disk (mode 0600).
 */
import { fromHex, toHex } from '../protocol/chain/encoding.js';
import type { KeyPair } from '../protocol/chain/keys.js';
import { platformCrypto } from '../protocol/crypto/platform.js';
import type { CryptoProvider } from '../protocol/crypto/provider.js';

export type { KeyPair };

/** A key file that cannot be read or is not a valid ed25519 key file. */
export class KeyFileError extends Error {
  constructor(
    readonly code: 'key_file_missing' | 'key_file_invalid',
    message: string,
  ) {
    super(message);
    this.name = 'KeyFileError';
  }
}

/** A fresh key pair from the platform's CSPRNG. */
export function generateKeyPair(crypto: CryptoProvider = platformCrypto): KeyPair {
  const seed = crypto.randomBytes(32);
  return { seed, publicKey: crypto.publicKeyFromSeed(seed) };
}

/** The text of a key file for `key`. */
export function encodeKeyFile(key: KeyPair): string {
  const body = { type: 'ed25519', publicKey: toHex(key.publicKey), seed: toHex(key.seed) };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * Parses and checks a key file's text: the public key must match the seed. `where` names the file
 * in errors. Throws KeyFileError `key_file_invalid`.
 */
export function decodeKeyFile(
  text: string,
  where = 'key file',
  crypto: CryptoProvider = platformCrypto,
): KeyPair {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new KeyFileError('key_file_invalid', `${where}: not JSON`);
  }
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as {
    type?: unknown;
    seed?: unknown;
    publicKey?: unknown;
  };
  if (obj.type !== 'ed25519' || typeof obj.seed !== 'string' || !/^[0-9a-f]{64}$/.test(obj.seed)) {
    throw new KeyFileError('key_file_invalid', `${where}: not an ed25519 key file`);
  }
  const seed = fromHex(obj.seed);
  const publicKey = crypto.publicKeyFromSeed(seed);
  if (obj.publicKey !== toHex(publicKey)) {
    throw new KeyFileError('key_file_invalid', `${where}: publicKey does not match the seed`);
  }
  return { seed, publicKey };
}
