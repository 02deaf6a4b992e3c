/**
 * Transactions: canonical body encoding, hash, signature, signed wire form, decoding with limits.
 *
 * Tx body (all integers big-endian; see docs/transactions.md):
 *   u8  version = 0x01
 *   id  chainId            (u8 len + ASCII id chars)
 *   32  sender             (raw ed25519 public key)
 *   u64 nonce              (< 2^53)
 *   u64 gasLimit           (< 2^53)
 *   id  contract
 *   id  method
 *   u16 argc, then argc x (u32 len + bytes)
 * Tx hash   = sha256("ehrchain/tx/v1" || 0x00 || body)
 * Signature = ed25519(sender key, tx hash)   (the 32-byte hash is the signed message)
 * Signed tx = body || signature (64 bytes); nothing after.
 */

import {
  bytesEqual,
  HASH_BYTES,
  latin1Key,
  PUBLIC_KEY_BYTES,
  Reader,
  SIGNATURE_BYTES,
  Writer,
} from './encoding.js';
import { ChainError } from './errors.js';
import { sha256Into, TX_HASH_DOMAIN } from './hash.js';
import { type KeyCache, type Signer, signBytes, toSigner, verifySignature } from './keys.js';
import type { SignedTx, TxBody } from './types.js';

/** First byte of an encoded tx body. */
export const TX_BODY_VERSION = 0x01;

/** Acceptance limits for a decoded tx. Not part of the encoding: any value encodes the same way. */
export interface TxLimits {
  /** Max bytes of a signed tx (body + signature). */
  readonly maxTxBytes: number;
  /** Max number of args. */
  readonly maxArgs: number;
  /** Max bytes of one arg. */
  readonly maxArgBytes: number;
  /** Max length of chainId, contract and method (at most 255). */
  readonly maxIdLength: number;
}

/** Default tx limits: 128 KiB per tx (room for contract bytecode), 32 args, 64-char ids. */
export const defaultTxLimits: TxLimits = {
  maxTxBytes: 128 * 1024,
  maxArgs: 32,
  maxArgBytes: 128 * 1024,
  maxIdLength: 64,
};

/** Static acceptance rules for a tx at a node: its chain and gas bounds. */
export interface TxRules {
  readonly chainId: string;
  /** Max gas a single tx may ask for (1..maxGasLimit accepted). */
  readonly maxGasLimit: number;
}

/** Canonical encoding of a tx body. Throws `bad_encoding` on a value that has no encoding. */
export function encodeTxBody(body: TxBody): Uint8Array {
  const w = new Writer(128 + body.args.reduce((n, a) => n + 4 + a.length, 0));
  writeTxBody(w, body);
  return w.finish();
}

function writeTxBody(w: Writer, body: TxBody): void {
  w.u8(TX_BODY_VERSION);
  w.id(body.chainId, 255, 'chainId');
  w.fixed(body.sender, PUBLIC_KEY_BYTES, 'sender');
  w.u64(body.nonce, 'nonce');
  w.u64(body.gasLimit, 'gasLimit');
  w.id(body.contract, 255, 'contract');
  w.id(body.method, 255, 'method');
  if (!Array.isArray(body.args) || body.args.length > 0xffff) {
    throw new ChainError('bad_encoding', 'args must be an array of at most 65535 byte strings');
  }
  w.u16(body.args.length);
  for (const a of body.args) w.bytes(a, 'arg');
}

/** The tx hash: sha256 over the domain prefix and the canonical body encoding. */
export function hashTxBody(body: TxBody): Uint8Array {
  return hashEncodedTxBody(encodeTxBody(body));
}

// The domain prefix and a body are hashed from one scratch buffer rather than a new one per tx
// (hashing is synchronous, so one buffer serves every call).
let scratch = new Uint8Array(1024);
scratch.set(TX_HASH_DOMAIN, 0);

// Tx hashes are kept in shared 8 KiB slabs (256 hashes each) rather than in a buffer of their own:
// one ArrayBuffer per 256 txs instead of per tx, for the mempool's lifetime of each.
const SLAB_BYTES = 8192;
let slab = new Uint8Array(SLAB_BYTES);
let slabAt = 0;

/** Hash of an already encoded body. */
export function hashEncodedTxBody(encodedBody: Uint8Array): Uint8Array {
  const n = TX_HASH_DOMAIN.length + encodedBody.length;
  if (n > scratch.length) {
    scratch = new Uint8Array(Math.max(n, scratch.length * 2));
    scratch.set(TX_HASH_DOMAIN, 0);
  }
  scratch.set(encodedBody, TX_HASH_DOMAIN.length);
  if (slabAt + HASH_BYTES > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabAt = 0;
  }
  const hash = slab.subarray(slabAt, slabAt + HASH_BYTES);
  // Straight into the slab: no digest buffer per tx.
  sha256Into(hash, scratch.subarray(0, n));
  slabAt += HASH_BYTES;
  return hash;
}

/**
 * A SignedTx as this module builds it: with its hash as a one-byte string too (`latin1Key`), the
 * key the verified set and the mempool index it by, made once per tx rather than at each lookup.
 */
export interface KeyedTx extends SignedTx {
  readonly key: string;
}

/** The tx's hash as a one-byte string: the one made when it was built here, else made now. */
export function txKey(tx: SignedTx): string {
  return (tx as Partial<KeyedTx>).key ?? latin1Key(tx.hash);
}

/**
 * Signs a tx body with the sender's seed (or a Signer built from it). Throws `bad_key` if the key
 * is not the body's sender: a tx is always signed by its sender.
 */
export function signTx(body: TxBody, key: Uint8Array | Signer): KeyedTx {
  const signer = toSigner(key);
  if (!bytesEqual(signer.publicKey, body.sender)) {
    throw new ChainError('bad_key', 'signing key is not the tx sender');
  }
  const encoded = encodeTxBody(body);
  const hash = hashEncodedTxBody(encoded);
  const signature = signBytes(hash, signer);
  return { body, signature, hash, bytes: concat(encoded, signature), key: latin1Key(hash) };
}

/** Assembles a SignedTx from a body and a signature made elsewhere (a client); does not verify. */
export function createSignedTx(body: TxBody, signature: Uint8Array): KeyedTx {
  if (signature.length !== SIGNATURE_BYTES)
    throw new ChainError('bad_encoding', 'signature must be 64 bytes');
  const encoded = encodeTxBody(body);
  const hash = hashEncodedTxBody(encoded);
  return { body, signature, hash, bytes: concat(encoded, signature), key: latin1Key(hash) };
}

/** The canonical wire bytes of a signed tx (body || signature). */
export function encodeSignedTx(tx: SignedTx): Uint8Array {
  return tx.bytes;
}

function readTxBody(r: Reader, limits: TxLimits): TxBody {
  const version = r.u8('version');
  if (version !== TX_BODY_VERSION) throw new ChainError('bad_encoding', `unknown tx version ${version}`);
  const chainId = r.id(limits.maxIdLength, 'chainId');
  const sender = r.fixed(PUBLIC_KEY_BYTES, 'sender');
  const nonce = r.u64('nonce');
  const gasLimit = r.u64('gasLimit');
  const contract = r.id(limits.maxIdLength, 'contract');
  const method = r.id(limits.maxIdLength, 'method');
  const argc = r.u16('argc');
  if (argc > limits.maxArgs) {
    throw new ChainError('too_large', `${argc} args, limit ${limits.maxArgs}`, { limit: limits.maxArgs });
  }
  const args: Uint8Array[] = [];
  for (let i = 0; i < argc; i++) args.push(r.bytes(limits.maxArgBytes, 'arg'));
  return { chainId, sender, nonce, gasLimit, contract, method, args };
}

/** Decodes a canonical tx body (no signature), rejecting trailing bytes. */
export function decodeTxBody(bytes: Uint8Array, limits: TxLimits = defaultTxLimits): TxBody {
  const r = new Reader(bytes);
  const body = readTxBody(r, limits);
  r.end('tx body');
  return body;
}

/**
 * Decodes a signed tx and computes its hash. Throws a ChainError: `too_large` over a limit,
 * `bad_encoding` for anything that is not the canonical encoding. Does NOT verify the signature.
 * The result's byte fields are views into `bytes`: do not mutate `bytes` afterwards.
 */
export function decodeSignedTx(bytes: Uint8Array, limits: TxLimits = defaultTxLimits): KeyedTx {
  if (!(bytes instanceof Uint8Array)) throw new ChainError('bad_encoding', 'tx must be bytes');
  if (bytes.length > limits.maxTxBytes) {
    throw new ChainError('too_large', `tx is ${bytes.length} bytes, limit ${limits.maxTxBytes}`, {
      limit: limits.maxTxBytes,
    });
  }
  const r = new Reader(bytes);
  const body = readTxBody(r, limits);
  const bodyEnd = r.pos;
  const signature = r.fixed(SIGNATURE_BYTES, 'signature');
  r.end('signed tx');
  const hash = hashEncodedTxBody(bytes.subarray(0, bodyEnd));
  return { body, signature, hash, bytes, key: latin1Key(hash) };
}

/** Synchronous signature check of a decoded tx (its hash is trusted to match its body). */
export function verifyTx(tx: SignedTx, cache?: KeyCache): boolean {
  return verifySignature(tx.hash, tx.signature, tx.body.sender, cache);
}

/** Throws `wrong_chain` or `gas_limit` if the tx breaks the node's static rules. */
export function checkTxRules(tx: SignedTx, rules: TxRules): void {
  if (tx.body.chainId !== rules.chainId) {
    throw new ChainError('wrong_chain', `tx is for chain ${tx.body.chainId}`, { chainId: tx.body.chainId });
  }
  if (tx.body.gasLimit === 0 || tx.body.gasLimit > rules.maxGasLimit) {
    throw new ChainError('gas_limit', `gas limit must be in 1..${rules.maxGasLimit}`, {
      limit: rules.maxGasLimit,
    });
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
