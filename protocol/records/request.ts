/**
 * Signed requests to the blob API (docs/records.md): a read request (who reads which version of
 * which record, for what purpose) and an upload request (who stores which bytes). Canonical binary,
 * fixed field order; the ed25519 signature covers every byte before it, the magic and kind first,
 * so a request can never be mistaken for a transaction or for the other kind. Clients send them
 * base64url-encoded in the `x-ehr-request` header; validators forward read requests verbatim so
 * that the holder of a blob checks consent itself.
 *
 *   read   = "EHRQ" | 0x01 | chain id (u16 len) | reader public key (32) | patient id (32) |
 *            record id (32) | version u32 | purpose u8 (bit) | cid (u16 len, <= 128) |
 *            time u64 ms | nonce (16) | signature (64)
 *   upload = "EHRQ" | 0x02 | chain id (u16 len) | uploader public key (32) | sha256 of blob (32) |
 *            size u64 | time u64 ms | nonce (16) | signature (64)
 */
import { type KeyCache, type Signer, signBytes, verifySignature } from '../chain/keys.js';
import { platformCrypto } from '../crypto/platform.js';
import {
  ByteReader,
  base64urlToBytes,
  bytesToBase64url,
  concatBytes,
  u32,
  u64,
  utf8,
  varBytes,
} from './bytes.js';
import { RecordError } from './errors.js';

const MAGIC = utf8('EHRQ');
const KIND_READ = 1;
const KIND_UPLOAD = 2;
const NONCE = 16;
const SIG = 64;
/** Largest encoded request accepted. */
export const MAX_REQUEST_BYTES = 512;

/** Purpose-of-use codes and their bits (as in the consent contract). */
export const PURPOSES = { TREAT: 1, HPAYMT: 2, HRESCH: 4, ETREAT: 8 } as const;
export type PurposeName = keyof typeof PURPOSES;

/** A signed read request, decoded. */
export interface ReadRequest {
  readonly kind: 'read';
  readonly chainId: string;
  readonly reader: Uint8Array;
  readonly patient: Uint8Array;
  readonly recordId: Uint8Array;
  readonly version: number;
  readonly purpose: PurposeName;
  readonly cid: Uint8Array;
  readonly time: number;
  readonly nonce: Uint8Array;
  readonly signature: Uint8Array;
  /** The signed bytes (everything before the signature). */
  readonly signed: Uint8Array;
}

/** A signed upload request, decoded. */
export interface UploadRequest {
  readonly kind: 'upload';
  readonly chainId: string;
  readonly uploader: Uint8Array;
  readonly blobHash: Uint8Array;
  readonly size: number;
  readonly time: number;
  readonly nonce: Uint8Array;
  readonly signature: Uint8Array;
  readonly signed: Uint8Array;
}

export type SignedRequest = ReadRequest | UploadRequest;

/** Fields of a read request the client chooses. */
export interface ReadRequestFields {
  readonly chainId: string;
  readonly patient: Uint8Array;
  readonly recordId: Uint8Array;
  readonly version: number;
  readonly purpose: PurposeName;
  readonly cid: Uint8Array;
  readonly time?: number;
  readonly nonce?: Uint8Array;
}

function fixed(b: Uint8Array, n: number, what: string): Uint8Array {
  if (b.length !== n) throw new RecordError('bad_encoding', `${what} must be ${n} bytes`);
  return b;
}

/** Encodes and signs a read request. */
export function signReadRequest(f: ReadRequestFields, signer: Signer): Uint8Array {
  if (f.cid.length < 1 || f.cid.length > 128)
    throw new RecordError('bad_encoding', 'cid must be 1..128 bytes');
  const body = concatBytes(
    MAGIC,
    Uint8Array.of(KIND_READ),
    varBytes(utf8(f.chainId)),
    fixed(signer.publicKey, 32, 'reader key'),
    fixed(f.patient, 32, 'patient id'),
    fixed(f.recordId, 32, 'record id'),
    u32(f.version),
    Uint8Array.of(PURPOSES[f.purpose]),
    varBytes(f.cid),
    u64(f.time ?? Date.now()),
    fixed(f.nonce ?? platformCrypto.randomBytes(NONCE), NONCE, 'nonce'),
  );
  return concatBytes(body, signBytes(body, signer));
}

/** Encodes and signs an upload request for `blobHash` (sha256 of the blob) of `size` bytes. */
export function signUploadRequest(
  f: { chainId: string; blobHash: Uint8Array; size: number; time?: number; nonce?: Uint8Array },
  signer: Signer,
): Uint8Array {
  const body = concatBytes(
    MAGIC,
    Uint8Array.of(KIND_UPLOAD),
    varBytes(utf8(f.chainId)),
    fixed(signer.publicKey, 32, 'uploader key'),
    fixed(f.blobHash, 32, 'blob hash'),
    u64(f.size),
    u64(f.time ?? Date.now()),
    fixed(f.nonce ?? platformCrypto.randomBytes(NONCE), NONCE, 'nonce'),
  );
  return concatBytes(body, signBytes(body, signer));
}

const purposeOf = (bit: number): PurposeName => {
  for (const [k, v] of Object.entries(PURPOSES)) if (v === bit) return k as PurposeName;
  throw new RecordError('bad_encoding', `request: unknown purpose ${bit}`);
};

/** Decodes a request (either kind). Throws RecordError bad_encoding / too_large only; no checks. */
export function decodeRequest(bytes: Uint8Array): SignedRequest {
  if (bytes.length > MAX_REQUEST_BYTES) throw new RecordError('too_large', 'request too large');
  const r = new ByteReader(bytes, 'request');
  const magic = r.fixed(4, 'magic');
  if (!magic.every((b, i) => b === MAGIC[i])) throw new RecordError('bad_encoding', 'request: bad magic');
  const kind = r.u8('kind');
  let chainId: string;
  try {
    chainId = new TextDecoder('utf-8', { fatal: true }).decode(r.var(64, 'chain id'));
  } catch (err) {
    if (err instanceof RecordError) throw err;
    throw new RecordError('bad_encoding', 'request: chain id is not UTF-8');
  }
  if (kind === KIND_READ) {
    const reader = r.fixed(32, 'reader');
    const patient = r.fixed(32, 'patient');
    const recordId = r.fixed(32, 'record id');
    const version = r.u32('version');
    if (version < 1) throw new RecordError('bad_encoding', 'request: version 0');
    const purpose = purposeOf(r.u8('purpose'));
    const cid = r.var(128, 'cid');
    if (cid.length === 0) throw new RecordError('bad_encoding', 'request: empty cid');
    const time = r.u64('time');
    const nonce = r.fixed(NONCE, 'nonce');
    const signed = bytes.slice(0, r.pos);
    const signature = r.fixed(SIG, 'signature');
    r.end();
    return {
      kind: 'read',
      chainId,
      reader,
      patient,
      recordId,
      version,
      purpose,
      cid,
      time,
      nonce,
      signature,
      signed,
    };
  }
  if (kind === KIND_UPLOAD) {
    const uploader = r.fixed(32, 'uploader');
    const blobHash = r.fixed(32, 'blob hash');
    const size = r.u64('size');
    const time = r.u64('time');
    const nonce = r.fixed(NONCE, 'nonce');
    const signed = bytes.slice(0, r.pos);
    const signature = r.fixed(SIG, 'signature');
    r.end();
    return { kind: 'upload', chainId, uploader, blobHash, size, time, nonce, signature, signed };
  }
  throw new RecordError('bad_encoding', `request: unknown kind ${kind}`);
}

/** The signer's public key of a request. */
export const requesterOf = (q: SignedRequest): Uint8Array => (q.kind === 'read' ? q.reader : q.uploader);

/**
 * Checks chain id, signature and time window (|now - time| <= windowMs). Throws RecordError
 * bad_signature (wrong chain too) or stale_request. Replay is the caller's (a nonce cache).
 */
export function verifyRequest(
  q: SignedRequest,
  chainId: string,
  now: number,
  windowMs: number,
  cache?: KeyCache,
): void {
  if (q.chainId !== chainId) throw new RecordError('bad_signature', 'request for another chain');
  if (!verifySignature(q.signed, q.signature, requesterOf(q), cache))
    throw new RecordError('bad_signature', 'request signature does not verify');
  if (Math.abs(now - q.time) > windowMs)
    throw new RecordError('stale_request', 'request time outside the window');
}

/** base64url without padding, as sent in the `x-ehr-request` header. */
export const requestToHeader = (b: Uint8Array): string => bytesToBase64url(b);
/** Decodes the `x-ehr-request` header. */
export function requestFromHeader(s: string): SignedRequest {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(s))
    throw new RecordError('bad_encoding', 'x-ehr-request is not base64url');
  return decodeRequest(base64urlToBytes(s));
}
