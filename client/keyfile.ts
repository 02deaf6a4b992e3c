/**
 * Key files: one ed25519 key per actor, stored as JSON `{type, publicKey, seed}` with mode 0600.
 * The seed is the private key: it is never logged, never sent, and should be backed up offline.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../node/config/config.js';
import { publicKeyFromSeed } from '../protocol/chain/keys.js';

export interface KeyPair {
  /** 32-byte ed25519 seed (the private key). */
  readonly seed: Uint8Array;
  /** 32-byte raw ed25519 public key. */
  readonly publicKey: Uint8Array;
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
    throw new ConfigError('config_missing', `cannot read key file ${path}`);
  }
  const obj = raw as { type?: unknown; seed?: unknown; publicKey?: unknown };
  if (obj.type !== 'ed25519' || typeof obj.seed !== 'string' || !/^[0-9a-f]{64}$/.test(obj.seed)) {
    throw new ConfigError('config_invalid', `${path}: not an ed25519 key file`);
  }
  const seed = new Uint8Array(Buffer.from(obj.seed, 'hex'));
  const publicKey = publicKeyFromSeed(seed);
  if (obj.publicKey !== Buffer.from(publicKey).toString('hex')) {
    throw new ConfigError('config_invalid', `${path}: publicKey does not match the seed`);
  }
  return { seed, publicKey };
}
