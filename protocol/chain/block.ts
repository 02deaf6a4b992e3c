/**
 * Blocks: canonical header encoding, header hash and proposer signature, block wire form.
 *
 * Header (big-endian; see docs/transactions.md):
 *   u8  tag = 0x02, id chainId, u64 height, 32 parentHash, 32 txRoot, u64 stateHeight,
 *   32 stateRoot, 32 proposer, u64 term, u64 time, u32 txCount
 * Header hash = sha256("ehrchain/header/v1" || 0x00 || header); the block hash is the header hash.
 * Signature   = ed25519(proposer key, header hash).
 * Block       = u8 tag = 0x03, header, 64-byte signature, then txCount x (u32 len + signed tx).
 */

import {
  bytesEqual,
  HASH_BYTES,
  PUBLIC_KEY_BYTES,
  Reader,
  SIGNATURE_BYTES,
  toHex,
  Writer,
} from './encoding.js';
import { ChainError } from './errors.js';
import { domainHash, HEADER_HASH_DOMAIN } from './hash.js';
import { type KeyCache, type Signer, signBytes, toSigner, verifySignature } from './keys.js';
import { merkleRoot } from './merkle.js';
import { decodeSignedTx, defaultTxLimits, type TxLimits, txKey } from './tx.js';
import type { Block, BlockHeader, SignedTx } from './types.js';

/** First byte of an encoded header. */
export const HEADER_TAG = 0x02;
/** First byte of an encoded block. */
export const BLOCK_TAG = 0x03;

/** Acceptance limits for a block, including those of each of its txs. */
export interface BlockLimits extends TxLimits {
  /** Max bytes of an encoded block. */
  readonly maxBlockBytes: number;
  /** Max txs in a block. */
  readonly maxBlockTxs: number;
}

/** Default block limits: 8 MiB and 10,000 txs. */
export const defaultBlockLimits: BlockLimits = {
  ...defaultTxLimits,
  maxBlockBytes: 8 * 1024 * 1024,
  maxBlockTxs: 10_000,
};

/** Canonical header encoding. Throws `bad_encoding` on a value that has no encoding. */
export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  const w = new Writer(256);
  writeHeader(w, h);
  return w.finish();
}

function writeHeader(w: Writer, h: BlockHeader): void {
  w.u8(HEADER_TAG);
  w.id(h.chainId, 255, 'chainId');
  w.u64(h.height, 'height');
  w.fixed(h.parentHash, HASH_BYTES, 'parentHash');
  w.fixed(h.txRoot, HASH_BYTES, 'txRoot');
  w.u64(h.stateHeight, 'stateHeight');
  w.fixed(h.stateRoot, HASH_BYTES, 'stateRoot');
  w.fixed(h.proposer, PUBLIC_KEY_BYTES, 'proposer');
  w.u64(h.term, 'term');
  w.u64(h.time, 'time');
  if (!Number.isInteger(h.txCount) || h.txCount < 0 || h.txCount > 0xffff_ffff) {
    throw new ChainError('bad_encoding', 'txCount must be a u32', { field: 'txCount' });
  }
  w.u32(h.txCount);
}

function readHeader(r: Reader, limits: BlockLimits): BlockHeader {
  const tag = r.u8('tag');
  if (tag !== HEADER_TAG) throw new ChainError('bad_encoding', `not a header (tag ${tag})`);
  return {
    chainId: r.id(limits.maxIdLength, 'chainId'),
    height: r.u64('height'),
    parentHash: r.fixed(HASH_BYTES, 'parentHash'),
    txRoot: r.fixed(HASH_BYTES, 'txRoot'),
    stateHeight: r.u64('stateHeight'),
    stateRoot: r.fixed(HASH_BYTES, 'stateRoot'),
    proposer: r.fixed(PUBLIC_KEY_BYTES, 'proposer'),
    term: r.u64('term'),
    time: r.u64('time'),
    txCount: r.u32('txCount'),
  };
}

/** Decodes a canonical header, rejecting trailing bytes. */
export function decodeBlockHeader(bytes: Uint8Array, limits: BlockLimits = defaultBlockLimits): BlockHeader {
  const r = new Reader(bytes);
  const h = readHeader(r, limits);
  r.end('header');
  return h;
}

/**
 * The header of an encoded block, without decoding its txs: what a follower checks before it takes
 * a block into its log (its time against the local clock). Checks the tag and the header only.
 */
export function peekBlockHeader(bytes: Uint8Array, limits: BlockLimits = defaultBlockLimits): BlockHeader {
  const r = new Reader(bytes);
  const tag = r.u8('tag');
  if (tag !== BLOCK_TAG) throw new ChainError('bad_encoding', `not a block (tag ${tag})`);
  return readHeader(r, limits);
}

/** The header hash (also the block hash). */
export function hashBlockHeader(h: BlockHeader): Uint8Array {
  return domainHash(HEADER_HASH_DOMAIN, encodeBlockHeader(h));
}

/** Signs a complete header; throws `bad_key` unless the key is the header's proposer. */
export function signBlock(header: BlockHeader, txs: readonly SignedTx[], key: Uint8Array | Signer): Block {
  const signer = toSigner(key);
  if (!bytesEqual(signer.publicKey, header.proposer))
    throw new ChainError('bad_key', 'key is not the proposer');
  const hash = hashBlockHeader(header);
  return { header, signature: signBytes(hash, signer), txs, hash };
}

/** Header fields a block builder chooses; txRoot, txCount and proposer are derived. */
export type BlockFields = Omit<BlockHeader, 'txRoot' | 'txCount' | 'proposer'>;

/** Builds and signs a block over `txs`: computes the tx root and count, sets the proposer. */
export function buildBlock(fields: BlockFields, txs: readonly SignedTx[], key: Uint8Array | Signer): Block {
  const signer = toSigner(key);
  const header: BlockHeader = {
    ...fields,
    txRoot: merkleRoot(txs.map((t) => t.hash)),
    txCount: txs.length,
    proposer: signer.publicKey,
  };
  return signBlock(header, txs, signer);
}

/** Canonical block bytes: tag, header, signature, length-prefixed signed txs. */
export function encodeBlock(block: Block): Uint8Array {
  if (block.signature.length !== SIGNATURE_BYTES)
    throw new ChainError('bad_encoding', 'signature must be 64 bytes');
  if (block.txs.length !== block.header.txCount) {
    throw new ChainError(
      'bad_block',
      `header says ${block.header.txCount} txs, block has ${block.txs.length}`,
    );
  }
  const w = new Writer(512 + block.txs.reduce((n, t) => n + 4 + t.bytes.length, 0));
  w.u8(BLOCK_TAG);
  writeHeader(w, block.header);
  w.raw(block.signature);
  for (const tx of block.txs) w.bytes(tx.bytes, 'tx');
  return w.finish();
}

/**
 * Decodes a canonical block (each tx decoded and hashed with the tx limits). Checks encoding and
 * limits only: call verifyBlockShape and the signature checks before trusting it. Byte fields are
 * views into `bytes`.
 */
export function decodeBlock(bytes: Uint8Array, limits: BlockLimits = defaultBlockLimits): Block {
  if (!(bytes instanceof Uint8Array)) throw new ChainError('bad_encoding', 'block must be bytes');
  if (bytes.length > limits.maxBlockBytes) {
    throw new ChainError('too_large', `block is ${bytes.length} bytes, limit ${limits.maxBlockBytes}`, {
      limit: limits.maxBlockBytes,
    });
  }
  const r = new Reader(bytes);
  const tag = r.u8('tag');
  if (tag !== BLOCK_TAG) throw new ChainError('bad_encoding', `not a block (tag ${tag})`);
  const headerStart = r.pos;
  const header = readHeader(r, limits);
  const hash = domainHash(HEADER_HASH_DOMAIN, bytes.subarray(headerStart, r.pos));
  const signature = r.fixed(SIGNATURE_BYTES, 'signature');
  if (header.txCount > limits.maxBlockTxs) {
    throw new ChainError('too_large', `${header.txCount} txs, limit ${limits.maxBlockTxs}`, {
      limit: limits.maxBlockTxs,
    });
  }
  const txs: SignedTx[] = [];
  for (let i = 0; i < header.txCount; i++) {
    const len = r.u32('tx length');
    if (len > limits.maxTxBytes) {
      throw new ChainError('too_large', `tx ${i} is ${len} bytes, limit ${limits.maxTxBytes}`, { index: i });
    }
    txs.push(decodeSignedTx(r.fixed(len, 'tx'), limits));
  }
  r.end('block');
  return { header, signature, txs, hash };
}

/** Where a canonical block's parts lie (see `blockLayout`). */
export interface BlockLayout {
  readonly header: BlockHeader;
  /** End of the prefix: tag, header and signature. */
  readonly prefixEnd: number;
  /** Each signed tx's bytes as `[start, end)`, in block order (its u32 length sits just before). */
  readonly txs: readonly (readonly [number, number])[];
}

/**
 * The layout of a canonical block, reading lengths only: no tx is decoded, hashed or checked
 * beyond the block and tx size limits. For relaying blocks (node/p2p/block-relay.ts), not for
 * trusting them: decodeBlock and the checks still run when a block is applied.
 */
export function blockLayout(bytes: Uint8Array, limits: BlockLimits = defaultBlockLimits): BlockLayout {
  if (bytes.length > limits.maxBlockBytes) {
    throw new ChainError('too_large', `block is ${bytes.length} bytes, limit ${limits.maxBlockBytes}`, {
      limit: limits.maxBlockBytes,
    });
  }
  const r = new Reader(bytes);
  const tag = r.u8('tag');
  if (tag !== BLOCK_TAG) throw new ChainError('bad_encoding', `not a block (tag ${tag})`);
  const header = readHeader(r, limits);
  r.fixed(SIGNATURE_BYTES, 'signature');
  if (header.txCount > limits.maxBlockTxs) {
    throw new ChainError('too_large', `${header.txCount} txs, limit ${limits.maxBlockTxs}`, {
      limit: limits.maxBlockTxs,
    });
  }
  const prefixEnd = r.pos;
  const txs: (readonly [number, number])[] = [];
  for (let i = 0; i < header.txCount; i++) {
    const len = r.u32('tx length');
    if (len > limits.maxTxBytes) {
      throw new ChainError('too_large', `tx ${i} is ${len} bytes, limit ${limits.maxTxBytes}`, { index: i });
    }
    r.fixed(len, 'tx');
    txs.push([r.pos - len, r.pos]);
  }
  r.end('block');
  return { header, prefixEnd, txs };
}

/** Encoded size of a block without encoding it. */
export function blockSize(block: Block): number {
  let n = 1 + 1 + 1 + block.header.chainId.length + 8 * 4 + 32 * 4 + 4 + SIGNATURE_BYTES;
  for (const tx of block.txs) n += 4 + tx.bytes.length;
  return n;
}

/**
 * Checks what a block must satisfy apart from signatures and consensus rules: its hash is its
 * header's, the tx count and tx root match the txs, every tx is for the header's chain, no tx
 * appears twice, and the block and its txs are within limits. Throws a ChainError
 * (`bad_block`, `wrong_chain`, `too_large`). `root` computes the tx root from the txs' hashes: the
 * node passes one that hashes in place, with the same result (node/blocks/tx-root.ts).
 */
export function verifyBlockShape(
  block: Block,
  limits: BlockLimits = defaultBlockLimits,
  root: (txHashes: readonly Uint8Array[]) => Uint8Array = merkleRoot,
): void {
  const { header, txs } = block;
  if (txs.length !== header.txCount) {
    throw new ChainError('bad_block', `header says ${header.txCount} txs, block has ${txs.length}`);
  }
  if (txs.length > limits.maxBlockTxs) throw new ChainError('too_large', `${txs.length} txs in block`);
  const size = blockSize(block);
  if (size > limits.maxBlockBytes) throw new ChainError('too_large', `block is ${size} bytes`);
  if (!bytesEqual(hashBlockHeader(header), block.hash))
    throw new ChainError('bad_block', 'hash is not the header hash');
  // Duplicates by the one-byte-per-byte key a decoded tx already carries (no hex string per tx).
  const seen = new Set<string>();
  const hashes = new Array<Uint8Array>(txs.length);
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    if (tx.bytes.length > limits.maxTxBytes)
      throw new ChainError('too_large', `tx is ${tx.bytes.length} bytes`);
    if (tx.body.chainId !== header.chainId) {
      throw new ChainError('wrong_chain', `tx for chain ${tx.body.chainId} in a block of ${header.chainId}`);
    }
    const k = txKey(tx);
    if (seen.has(k)) throw new ChainError('bad_block', `tx ${toHex(tx.hash)} appears twice`);
    seen.add(k);
    hashes[i] = tx.hash;
  }
  if (!bytesEqual(root(hashes), header.txRoot)) {
    throw new ChainError('bad_block', 'tx root does not match the txs');
  }
}

/** Synchronous check of the proposer's signature over the block hash. */
export function verifyBlockSignature(block: Block, cache?: KeyCache): boolean {
  return verifySignature(block.hash, block.signature, block.header.proposer, cache);
}
