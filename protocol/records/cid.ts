/** Content ids of blobs: CIDv1, codec raw (0x55), multihash sha2-256 of the exact bytes stored. */
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { platformCrypto } from '../crypto/platform.js';
import { RecordError } from './errors.js';

const RAW = 0x55;
const SHA2_256 = 0x12;

/** sha256 of `bytes` (node:crypto on a server: several times faster than a JS hash on large blobs). */
export function sha256Of(bytes: Uint8Array): Uint8Array {
  return platformCrypto.sha256(bytes);
}

/** The CID of `bytes`. */
export function cidOf(bytes: Uint8Array): CID {
  return CID.createV1(RAW, createDigest(SHA2_256, sha256Of(bytes)));
}

/** Parses a CID string; only CIDv1 raw sha2-256 is accepted. Throws RecordError bad_encoding. */
export function parseBlobCid(s: string): CID {
  let c: CID;
  try {
    c = CID.parse(s);
  } catch (err) {
    throw new RecordError('bad_encoding', 'not a CID', undefined, { cause: err });
  }
  if (c.version !== 1 || c.code !== RAW || c.multihash.code !== SHA2_256 || c.multihash.size !== 32)
    throw new RecordError('bad_encoding', 'only CIDv1 raw sha2-256 blobs are stored');
  return c;
}

/** Throws `hash_mismatch` unless `bytes` hash to `cid`. */
export function checkCid(cid: CID, bytes: Uint8Array): void {
  if (!cid.equals(cidOf(bytes))) throw new RecordError('hash_mismatch', 'bytes do not hash to the CID');
}
