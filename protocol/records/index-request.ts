/**
 * Signed requests of the searchable index (docs/records.md). Same frame as the blob requests
 * (protocol/records/request.ts): "EHRQ" | kind | chain id (u16 len) | signer ed25519 key (32) |
 * body | time u64 ms | nonce (16) | ed25519 signature (64) over every byte before it. Kinds 0x10..
 * 0x12 are never a read or upload request (kinds 1, 2). Sent base64url as `{ "request": ... }`.
 *
 *   index-keys   0x10 body = count u8 (1..64) | count x (reader id (32) | wrapped key (105))
 *   index-tokens 0x11 body = record id (32) | version u32 | count u16 (0..256) | count x token (16)
 *   search       0x12 body = patient id (32) | purpose u8 | count u8 (1..16) | count x token (16)
 */

import { type KeyCache, type Signer, signBytes, verifySignature } from '../chain/keys.js';
import { platformCrypto } from '../crypto/platform.js';
import { TOKEN_BYTES } from './blind-index.js';
import { ByteReader, concatBytes, u16, u32, u64, utf8, varBytes } from './bytes.js';
import { WRAPPED_KEY_BYTES } from './envelope.js';
import { RecordError } from './errors.js';
import { PURPOSES, type PurposeName } from './request.js';

const MAGIC = utf8('EHRQ');
/** Request kinds of the index. */
export const INDEX_KINDS = { keys: 0x10, tokens: 0x11, search: 0x12 } as const;
type Kind = keyof typeof INDEX_KINDS;
/** Limits of the index requests. */
export const INDEX_LIMITS = { keysPerRequest: 64, tokensPerVersion: 256, tokensPerSearch: 16 } as const;
/** Largest encoded index request. */
export const MAX_INDEX_REQUEST_BYTES = 16 * 1024;

interface Common {
  readonly chainId: string;
  readonly signer: Uint8Array;
  readonly time: number;
  readonly nonce: Uint8Array;
  readonly signature: Uint8Array;
  readonly signed: Uint8Array;
}
/** The patient's index key wrapped for readers. */
export interface IndexKeysRequest extends Common {
  readonly kind: 'keys';
  readonly keys: readonly { readonly reader: Uint8Array; readonly wrapped: Uint8Array }[];
}
/** The tokens of one record version (replacing any earlier ones). */
export interface IndexTokensRequest extends Common {
  readonly kind: 'tokens';
  readonly recordId: Uint8Array;
  readonly version: number;
  readonly tokens: readonly Uint8Array[];
}
/** Which of a patient's record versions hold every one of these tokens. */
export interface SearchRequest extends Common {
  readonly kind: 'search';
  readonly patient: Uint8Array;
  readonly purpose: PurposeName;
  readonly tokens: readonly Uint8Array[];
}
export type IndexRequest = IndexKeysRequest | IndexTokensRequest | SearchRequest;

/** Fields every request may fix (tests and vectors); otherwise now and a random nonce. */
export interface Freshness {
  readonly time?: number;
  readonly nonce?: Uint8Array;
}

function sign(kind: Kind, chainId: string, body: Uint8Array, f: Freshness, signer: Signer): Uint8Array {
  const nonce = f.nonce ?? platformCrypto.randomBytes(16);
  if (nonce.length !== 16) throw new RecordError('bad_encoding', 'nonce must be 16 bytes');
  const signed = concatBytes(
    MAGIC,
    Uint8Array.of(INDEX_KINDS[kind]),
    varBytes(utf8(chainId)),
    signer.publicKey,
    body,
    u64(f.time ?? Date.now()),
    nonce,
  );
  return concatBytes(signed, signBytes(signed, signer));
}

function checkLen(b: Uint8Array, n: number, what: string): Uint8Array {
  if (b.length !== n) throw new RecordError('bad_encoding', `${what} must be ${n} bytes`);
  return b;
}

function checkTokens(tokens: readonly Uint8Array[], min: number, max: number): void {
  if (tokens.length < min || tokens.length > max)
    throw new RecordError('bad_encoding', `${min}..${max} tokens`);
  for (const t of tokens) checkLen(t, TOKEN_BYTES, 'a token');
}

/** Patient: signs its index key wrapped for each reader (reader = actor id). */
export function signIndexKeysRequest(
  f: Freshness & { chainId: string; keys: IndexKeysRequest['keys'] },
  signer: Signer,
): Uint8Array {
  if (f.keys.length < 1 || f.keys.length > INDEX_LIMITS.keysPerRequest)
    throw new RecordError('bad_encoding', `1..${INDEX_LIMITS.keysPerRequest} keys`);
  const parts = f.keys.flatMap((k) => [
    checkLen(k.reader, 32, 'reader id'),
    checkLen(k.wrapped, WRAPPED_KEY_BYTES, 'wrapped key'),
  ]);
  return sign('keys', f.chainId, concatBytes(Uint8Array.of(f.keys.length), ...parts), f, signer);
}

/** Author (or patient): signs the tokens of a record version. */
export function signIndexTokensRequest(
  f: Freshness & { chainId: string; recordId: Uint8Array; version: number; tokens: readonly Uint8Array[] },
  signer: Signer,
): Uint8Array {
  checkTokens(f.tokens, 0, INDEX_LIMITS.tokensPerVersion);
  const body = concatBytes(
    checkLen(f.recordId, 32, 'record id'),
    u32(f.version),
    u16(f.tokens.length),
    ...f.tokens,
  );
  return sign('tokens', f.chainId, body, f, signer);
}

/** Reader: signs a search of one patient's records. */
export function signSearchRequest(
  f: Freshness & {
    chainId: string;
    patient: Uint8Array;
    purpose: PurposeName;
    tokens: readonly Uint8Array[];
  },
  signer: Signer,
): Uint8Array {
  checkTokens(f.tokens, 1, INDEX_LIMITS.tokensPerSearch);
  const body = concatBytes(
    checkLen(f.patient, 32, 'patient id'),
    Uint8Array.of(PURPOSES[f.purpose]),
    Uint8Array.of(f.tokens.length),
    ...f.tokens,
  );
  return sign('search', f.chainId, body, f, signer);
}

const purposeOf = (bit: number): PurposeName => {
  for (const [k, v] of Object.entries(PURPOSES)) if (v === bit) return k as PurposeName;
  throw new RecordError('bad_encoding', `request: unknown purpose ${bit}`);
};

/** Decodes an index request of kind `want`. Throws RecordError bad_encoding / too_large; no checks. */
export function decodeIndexRequest<K extends Kind>(
  bytes: Uint8Array,
  want: K,
): Extract<IndexRequest, { kind: K }> {
  if (bytes.length > MAX_INDEX_REQUEST_BYTES) throw new RecordError('too_large', 'request too large');
  const r = new ByteReader(bytes, 'index request');
  const magic = r.fixed(4, 'magic');
  if (!magic.every((b, i) => b === MAGIC[i])) throw new RecordError('bad_encoding', 'request: bad magic');
  if (r.u8('kind') !== INDEX_KINDS[want]) throw new RecordError('bad_encoding', `expected a ${want} request`);
  let chainId: string;
  try {
    chainId = new TextDecoder('utf-8', { fatal: true }).decode(r.var(64, 'chain id'));
  } catch (err) {
    if (err instanceof RecordError) throw err;
    throw new RecordError('bad_encoding', 'request: chain id is not UTF-8');
  }
  const signer = r.fixed(32, 'signer');
  const tokens = (n: number) => Array.from({ length: n }, () => r.fixed(TOKEN_BYTES, 'token'));
  let body: Record<string, unknown>;
  if (want === 'keys') {
    const n = r.u8('count');
    if (n < 1 || n > INDEX_LIMITS.keysPerRequest) throw new RecordError('bad_encoding', 'key count');
    const keys = Array.from({ length: n }, () => ({
      reader: r.fixed(32, 'reader'),
      wrapped: r.fixed(WRAPPED_KEY_BYTES, 'wrapped key'),
    }));
    body = { keys };
  } else if (want === 'tokens') {
    const recordId = r.fixed(32, 'record id');
    const version = r.u32('version');
    if (version < 1) throw new RecordError('bad_encoding', 'request: version 0');
    const n = r.u16('count');
    if (n > INDEX_LIMITS.tokensPerVersion) throw new RecordError('too_large', 'too many tokens');
    body = { recordId, version, tokens: tokens(n) };
  } else {
    const patient = r.fixed(32, 'patient');
    const purpose = purposeOf(r.u8('purpose'));
    const n = r.u8('count');
    if (n < 1 || n > INDEX_LIMITS.tokensPerSearch)
      throw new RecordError('bad_encoding', `1..${INDEX_LIMITS.tokensPerSearch} tokens`);
    body = { patient, purpose, tokens: tokens(n) };
  }
  const time = r.u64('time');
  const nonce = r.fixed(16, 'nonce');
  const signed = bytes.slice(0, r.pos);
  const signature = r.fixed(64, 'signature');
  r.end();
  return { kind: want, chainId, signer, ...body, time, nonce, signature, signed } as unknown as Extract<
    IndexRequest,
    { kind: K }
  >;
}

/** Checks chain id, signature and time window. Throws bad_signature or stale_request. */
export function verifyIndexRequest(
  q: IndexRequest,
  chainId: string,
  now: number,
  windowMs: number,
  cache?: KeyCache,
): void {
  if (q.chainId !== chainId) throw new RecordError('bad_signature', 'request for another chain');
  if (!verifySignature(q.signed, q.signature, q.signer, cache))
    throw new RecordError('bad_signature', 'request signature does not verify');
  if (Math.abs(now - q.time) > windowMs)
    throw new RecordError('stale_request', 'request time outside the window');
}
