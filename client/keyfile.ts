/**
 * Key files on disk: one ed25519 key per actor in the format of keyfile-format.ts, mode 0600.
 * The seed is the private key: it is never logged, never sent, and should be backed up offline.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { decodeKeyFile, encodeKeyFile, KeyFileError, type KeyPair } from './keyfile-format.js';

export { generateKeyPair, KeyFileError, type KeyPair } from './keyfile-format.js';

/** Writes a key file readable by its owner only; refuses to overwrite an existing one. */
export async function writeKeyFile(path: string, key: KeyPair): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, encodeKeyFile(key), { mode: 0o600, flag: 'wx' });
}

/** Reads and checks a key file: the public key must match the seed. */
export async function readKeyFile(path: string): Promise<KeyPair> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new KeyFileError('key_file_missing', `cannot read key file ${path}`);
  }
  try {
    return decodeKeyFile(text, path);
  } catch (err) {
    // A file that is there but is not JSON was reported as missing before; keep that code.
    if (err instanceof KeyFileError && err.message.endsWith('not JSON'))
      throw new KeyFileError('key_file_missing', `cannot read key file ${path}`);
    throw err;
  }
}
