/**
 * Compact blocks: a block relayed with references to the txs its receiver already holds (from
 * gossip) instead of the txs themselves. Expanding one gives back the block's canonical bytes,
 * byte for byte, so what a node stores, hashes and verifies is unchanged
 * (docs/transactions.md#hash-only-blocks).
 *
 *   u8  COMPACT_BLOCK_TAG (0x13)
 *   u32 prefix length, then the block's prefix verbatim (tag, header, signature)
 *   u32 tx count (the header's)
 *   per tx, in block order, one of:
 *     u8 0, u32 length, the signed tx bytes                      (inline)
 *     u8 1, the 32-byte tx hash, the first 16 bytes of its signature  (reference)
 *
 * Why the signature's first bytes: the tx hash covers the body, not the signature, so a sender
 * could sign one body twice. Under strict ed25519 verification (every backend here refuses a
 * non-canonical S) R, the signature's first 32 bytes, fixes S for a given key and message; matching
 * 16 bytes of R makes the receiver's copy the leader's unless someone finds a 128-bit collision.
 * Pure: no I/O.
 */
import { type BlockLimits, blockLayout, defaultBlockLimits } from './block.js';
import { bytesEqual, HASH_BYTES, Reader, SIGNATURE_BYTES, Writer } from './encoding.js';
import { ChainError } from './errors.js';
import { hashEncodedTxBody } from './tx.js';

/** First byte of a compact block (a full block starts with BLOCK_TAG, 0x03). */
export const COMPACT_BLOCK_TAG = 0x13;
/** Bytes of the signature a reference carries. */
export const REF_SIGNATURE_BYTES = 16;

const INLINE = 0;
const REF = 1;

/** True when `data` is (or claims to be) a compact block. */
export function isCompactBlock(data: Uint8Array): boolean {
  return data[0] === COMPACT_BLOCK_TAG;
}

/** A compact block and how many of its txs are references. */
export interface CompactBlock {
  readonly bytes: Uint8Array;
  readonly refs: number;
}

/**
 * The compact form of canonical block bytes: every tx for which `refer(hash)` is true (default:
 * all) becomes a reference. `txHashes`, when the caller knows them (the producer that built the
 * block), are the block's tx hashes in block order and spare hashing every tx body; a list of the
 * wrong length is ignored. A wrong hash costs no safety: the receiver finds no tx, or one whose
 * signature does not match the reference, under it, and fetches the block whole. Throws a ChainError on bytes that are not a block within `limits`.
 */
export function compactBlock(
  block: Uint8Array,
  refer: (txHash: Uint8Array) => boolean = () => true,
  limits: BlockLimits = defaultBlockLimits,
  txHashes?: readonly Uint8Array[],
): CompactBlock {
  const layout = blockLayout(block, limits);
  const known = txHashes?.length === layout.txs.length ? txHashes : undefined;
  const w = new Writer(64 + layout.prefixEnd + layout.txs.length * (1 + HASH_BYTES + REF_SIGNATURE_BYTES));
  w.u8(COMPACT_BLOCK_TAG);
  w.bytes(block.subarray(0, layout.prefixEnd), 'prefix');
  w.u32(layout.txs.length);
  let refs = 0;
  for (let i = 0; i < layout.txs.length; i++) {
    const [start, end] = layout.txs[i]!;
    const bodyEnd = end - SIGNATURE_BYTES;
    const hash =
      bodyEnd <= start ? undefined : (known?.[i] ?? hashEncodedTxBody(block.subarray(start, bodyEnd)));
    if (hash !== undefined && refer(hash)) {
      w.u8(REF)
        .raw(hash)
        .raw(block.subarray(bodyEnd, bodyEnd + REF_SIGNATURE_BYTES));
      refs++;
    } else {
      w.u8(INLINE).bytes(block.subarray(start, end), 'tx');
    }
  }
  return { bytes: w.finish(), refs };
}

/** What expanding a compact block gave: the block, or the references the receiver lacks. */
export type Expanded =
  | { readonly ok: true; readonly block: Uint8Array; readonly filled: number }
  | { readonly ok: false; readonly missing: number; readonly filled: number };

/**
 * Expands a compact block with `lookup`, which returns the signed tx bytes held under a tx hash
 * (or undefined). A held tx whose signature does not start with the reference's bytes counts as
 * missing. Throws a ChainError `bad_encoding` / `too_large` on malformed input.
 */
export function expandCompactBlock(
  compact: Uint8Array,
  lookup: (txHash: Uint8Array) => Uint8Array | undefined,
  limits: BlockLimits = defaultBlockLimits,
): Expanded {
  const r = new Reader(compact);
  if (r.u8('tag') !== COMPACT_BLOCK_TAG) throw new ChainError('bad_encoding', 'not a compact block');
  const prefixLen = r.u32('prefix length');
  if (prefixLen > limits.maxBlockBytes) throw new ChainError('too_large', 'compact block prefix too large');
  const prefix = r.fixed(prefixLen, 'prefix');
  const count = r.u32('tx count');
  if (count > limits.maxBlockTxs) {
    throw new ChainError('too_large', `${count} txs, limit ${limits.maxBlockTxs}`, {
      limit: limits.maxBlockTxs,
    });
  }
  const parts: Uint8Array[] = [];
  let size = prefix.length;
  let filled = 0;
  let missing = 0;
  for (let i = 0; i < count; i++) {
    const kind = r.u8('kind');
    let tx: Uint8Array | undefined;
    if (kind === INLINE) {
      const len = r.u32('tx length');
      if (len > limits.maxTxBytes) throw new ChainError('too_large', `tx ${i} is ${len} bytes`, { index: i });
      tx = r.fixed(len, 'tx');
    } else if (kind === REF) {
      const hash = r.fixed(HASH_BYTES, 'tx hash');
      const sig = r.fixed(REF_SIGNATURE_BYTES, 'signature prefix');
      const held = lookup(hash);
      const sigStart = held === undefined ? 0 : held.length - SIGNATURE_BYTES;
      if (
        held !== undefined &&
        sigStart > 0 &&
        bytesEqual(held.subarray(sigStart, sigStart + REF_SIGNATURE_BYTES), sig)
      ) {
        tx = held;
        filled++;
      } else {
        missing++;
        continue;
      }
    } else {
      throw new ChainError('bad_encoding', `tx ${i}: unknown kind ${kind}`);
    }
    parts.push(tx);
    size += 4 + tx.length;
    if (size > limits.maxBlockBytes) throw new ChainError('too_large', 'expanded block too large');
  }
  r.end('compact block');
  if (missing > 0) return { ok: false, missing, filled };
  const w = new Writer(size);
  w.raw(prefix);
  for (const tx of parts) w.bytes(tx, 'tx');
  return { ok: true, block: w.finish(), filled };
}
