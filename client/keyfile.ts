/**
 * Key files: one ed25519 key per actor, stored as JSON `{type, publicKey, seed}` with mode 0600.
 * The seed is the private key: it is never logged, never sent, and should be backed up offline.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type KeyPair, publicKeyFromSeed } from '../protocol/chain/keys.js';

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

/** A fresh key pair from the OS's CSPRNG. */
export function generateKeyPair(): KeyPair {
  const seed = new Uint8Array(randomBytes(32));
  return { seed, publicKey: publicKeyFromSeed(seed) };
}

/** Writes a key file readable by its owner only; refuses to overwrite an existing one. */
export async function writeKeyFile(path: string, key: KeyPair): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body = {
    type: 'ed25519',
    publicKey: Buffer.from(key.publicKey).toString('hex'),
    seed: Buffer.from(key.seed).toString('hex'),
  };
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}

/** Reads and checks a key file: the public key must match the seed. */
export async function readKeyFile(path: string): Promise<KeyPair> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new KeyFileError('key_file_missing', `cannot read key file ${path}`);
  }
  const obj = raw as { type?: unknown; seed?: unknown; publicKey?: unknown };
  if (obj.type !== 'ed25519' || typeof obj.seed !== 'string' || !/^[0-9a-f]{64}$/.test(obj.seed)) {
    throw new KeyFileError('key_file_invalid', `${path}: not an ed25519 key file`);
  }
  const seed = new Uint8Array(Buffer.from(obj.seed, 'hex'));
  const publicKey = publicKeyFromSeed(seed);
  if (obj.publicKey !== Buffer.from(publicKey).toString('hex')) {
    throw new KeyFileError('key_file_invalid', `${path}: publicKey does not match the seed`);
  }
  return { seed, publicKey };
}
