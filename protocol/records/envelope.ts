/**
 * The record envelope and wrapped data keys (docs/records.md, vectors in docs/vectors/records.json).
 *
 * Envelope v1 (the blob stored off chain and named by its CID):
 *   "EHRE" | 0x01 format | 0x01 alg (XChaCha20-Poly1305) | record id (32) | version u32 BE |
 *   nonce (24) | ciphertext || tag (16)
 *   AAD = the first 42 bytes (magic .. version): a blob cannot be passed off as another record or
 *   version, and the AAD does not depend on the CID (which is computed over the envelope).
 *
 * Wrapped key v1 (on chain, one per reader; 105 bytes):
 *   0x01 format | ephemeral X25519 public key (32) | nonce (24) | AEAD(KEK, data key) (48)
 *   shared = X25519(ephemeral secret, reader X25519 public)  (reader's key: ed25519 -> Montgomery)
 *   KEK    = HKDF-SHA256(ikm = shared, salt = ephemeral public || reader X25519 public,
 *                        info = "ehrchain/record-key/v1" || record id || version u32 BE, 32 bytes)
 *   AAD    = the first 33 bytes (format and ephemeral public key).
 * All randomness can be passed in, for the test vectors; otherwise it comes from the CSPRNG.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from '@noble/ciphers/utils.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteReader, concatBytes, u32, utf8 } from './bytes.js';
import { RecordError } from './errors.js';

const MAGIC = utf8('EHRE');
const FORMAT = 1;
const ALG_XCHACHA = 1;
const HEADER = 42;
const NONCE = 24;
const TAG = 16;
/** Size of a data key. */
export const DATA_KEY_BYTES = 32;
/** Size of a v1 wrapped key. */
export const WRAPPED_KEY_BYTES = 1 + 32 + NONCE + DATA_KEY_BYTES + TAG;
const WRAP_INFO = utf8('ehrchain/record-key/v1');

/** A decoded envelope (the ciphertext still sealed). */
export interface Envelope {
  readonly recordId: Uint8Array;
  readonly version: number;
  readonly nonce: Uint8Array;
  /** Ciphertext with its 16-byte tag. */
  readonly sealed: Uint8Array;
  /** The authenticated header bytes (AAD). */
  readonly aad: Uint8Array;
}

function checkIdVersion(recordId: Uint8Array, version: number): void {
  if (recordId.length !== 32) throw new RecordError('bad_encoding', 'record id must be 32 bytes');
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff)
    throw new RecordError('bad_encoding', 'version must be a u32 >= 1');
}

function header(recordId: Uint8Array, version: number): Uint8Array {
  checkIdVersion(recordId, version);
  return concatBytes(MAGIC, Uint8Array.of(FORMAT, ALG_XCHACHA), recordId, u32(version));
}

/** Seals `plaintext` as version `version` of record `recordId` under `dataKey`. */
export function sealEnvelope(
  plaintext: Uint8Array,
  dataKey: Uint8Array,
  recordId: Uint8Array,
  version: number,
  nonce: Uint8Array = randomBytes(NONCE),
): Uint8Array {
  if (dataKey.length !== DATA_KEY_BYTES) throw new RecordError('bad_encoding', 'data key must be 32 bytes');
  if (nonce.length !== NONCE) throw new RecordError('bad_encoding', 'nonce must be 24 bytes');
  const aad = header(recordId, version);
  const sealed = xchacha20poly1305(dataKey, nonce, aad).encrypt(plaintext);
  return concatBytes(aad, nonce, sealed);
}

/** Decodes an envelope's framing. Throws RecordError bad_encoding / unsupported_version only. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const r = new ByteReader(bytes, 'envelope');
  const magic = r.fixed(4, 'magic');
  if (!magic.every((b, i) => b === MAGIC[i])) throw new RecordError('bad_encoding', 'envelope: bad magic');
  const format = r.u8('format');
  if (format !== FORMAT) throw new RecordError('unsupported_version', `envelope format ${format}`);
  const alg = r.u8('alg');
  if (alg !== ALG_XCHACHA) throw new RecordError('unsupported_version', `envelope algorithm ${alg}`);
  const recordId = r.fixed(32, 'record id');
  const version = r.u32('version');
  if (version < 1) throw new RecordError('bad_encoding', 'envelope: version 0');
  const nonce = r.fixed(NONCE, 'nonce');
  const sealed = r.rest();
  if (sealed.length < TAG) throw new RecordError('bad_encoding', 'envelope: truncated at ciphertext');
  return { recordId, version, nonce, sealed, aad: bytes.slice(0, HEADER) };
}

/** Opens an envelope with `dataKey`; `decrypt_failed` on any authentication failure. */
export function openEnvelope(env: Envelope, dataKey: Uint8Array): Uint8Array {
  if (dataKey.length !== DATA_KEY_BYTES) throw new RecordError('decrypt_failed', 'data key must be 32 bytes');
  try {
    return xchacha20poly1305(dataKey, env.nonce, env.aad).decrypt(env.sealed);
  } catch (err) {
    throw new RecordError('decrypt_failed', 'envelope does not authenticate', undefined, { cause: err });
  }
}

/** The X25519 public key of an ed25519 public key (Edwards to Montgomery). */
export function x25519PublicOf(edPublicKey: Uint8Array): Uint8Array {
  try {
    return ed25519.utils.toMontgomery(edPublicKey);
  } catch (err) {
    throw new RecordError('bad_encoding', 'not an ed25519 public key', undefined, { cause: err });
  }
}

/** The X25519 secret key of an ed25519 seed. */
export function x25519SecretOf(edSeed: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(edSeed);
}

function kek(
  shared: Uint8Array,
  ephPub: Uint8Array,
  readerX: Uint8Array,
  recordId: Uint8Array,
  version: number,
) {
  if (shared.every((b) => b === 0)) throw new RecordError('decrypt_failed', 'low-order X25519 key');
  const info = concatBytes(WRAP_INFO, recordId, u32(version));
  return hkdf(sha256, shared, concatBytes(ephPub, readerX), info, 32);
}

/** Wraps `dataKey` to a reader's ed25519 public key, bound to (record id, version). */
export function wrapKey(
  dataKey: Uint8Array,
  readerEdPublicKey: Uint8Array,
  recordId: Uint8Array,
  version: number,
  rand: { ephemeralSecret?: Uint8Array; nonce?: Uint8Array } = {},
): Uint8Array {
  checkIdVersion(recordId, version);
  if (dataKey.length !== DATA_KEY_BYTES) throw new RecordError('bad_encoding', 'data key must be 32 bytes');
  const readerX = x25519PublicOf(readerEdPublicKey);
  const eph = rand.ephemeralSecret ?? x25519.utils.randomSecretKey();
  const ephPub = x25519.getPublicKey(eph);
  const nonce = rand.nonce ?? randomBytes(NONCE);
  const shared = x25519.getSharedSecret(eph, readerX);
  const head = concatBytes(Uint8Array.of(FORMAT), ephPub);
  const sealed = xchacha20poly1305(kek(shared, ephPub, readerX, recordId, version), nonce, head).encrypt(
    dataKey,
  );
  return concatBytes(head, nonce, sealed);
}

/** Unwraps a data key with the reader's ed25519 seed. Throws RecordError only. */
export function unwrapKey(
  wrapped: Uint8Array,
  readerEdSeed: Uint8Array,
  recordId: Uint8Array,
  version: number,
): Uint8Array {
  const r = new ByteReader(wrapped, 'wrapped key');
  const format = r.u8('format');
  if (format !== FORMAT) throw new RecordError('unsupported_version', `wrapped key format ${format}`);
  const ephPub = r.fixed(32, 'ephemeral key');
  const nonce = r.fixed(NONCE, 'nonce');
  const sealed = r.fixed(DATA_KEY_BYTES + TAG, 'sealed key');
  r.end();
  checkIdVersion(recordId, version);
  const secret = x25519SecretOf(readerEdSeed);
  const readerX = x25519.getPublicKey(secret);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secret, ephPub);
  } catch (err) {
    throw new RecordError('decrypt_failed', 'bad ephemeral key', undefined, { cause: err });
  }
  const key = kek(shared, ephPub, readerX, recordId, version);
  try {
    return xchacha20poly1305(key, nonce, wrapped.slice(0, 33)).decrypt(sealed);
  } catch (err) {
    throw new RecordError('decrypt_failed', 'wrapped key does not open with this key', undefined, {
      cause: err,
    });
  }
}

/** A fresh random data key. */
export function newDataKey(): Uint8Array {
  return randomBytes(DATA_KEY_BYTES);
}
