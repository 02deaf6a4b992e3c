/**
 * The decoded txs of a block's bytes, handed from whoever built those bytes to the applier, so a
 * block is not decoded and hashed twice on one node.
 *
 * The leader's producer builds each block from decoded mempool txs; a follower's block relay
 * expands each hash-only block from decoded mempool txs (node/p2p/block-relay.ts). Both know, for
 * the entry's data array, txs whose hashes were computed at intake from the very bytes the block
 * now holds. `decodeBlockWith` then reads the block's layout (lengths only), takes a handed-over tx
 * for each slot whose bytes are equal, byte for byte, to the block's, and decodes the rest as
 * `decodeBlock` would. So a wrong or stale hand-over costs a comparison, never a wrong tx: the
 * block the applier checks (proposer signature, tx signatures, shape, tx root, state root) is the
 * one `decodeBlock` gives for the same bytes.
 *
 * Keyed by the data array itself (a WeakMap): the Raft log hands the applier the entry object it
 * persisted, so the same array arrives; an entry re-read from disk (after a restart) or fetched
 * whole finds nothing here and is decoded as before.
 */
import {
  type BlockLimits,
  blockLayout,
  decodeBlock,
  defaultBlockLimits,
} from '../../protocol/chain/block.js';
import { SIGNATURE_BYTES } from '../../protocol/chain/encoding.js';
import { domainHash, HEADER_HASH_DOMAIN } from '../../protocol/chain/hash.js';
import { decodeSignedTx } from '../../protocol/chain/tx.js';
import type { Block, SignedTx } from '../../protocol/chain/types.js';

/** Counters of what hand-overs did (`ehrchain_block_handover_*` in node/metrics.ts). */
export interface TxHandOverCounts {
  /** Blocks applied with a hand-over. */
  blocks: number;
  /** Txs taken from a hand-over (not decoded nor hashed again). */
  reused: number;
  /** Txs of those blocks decoded after all (no candidate, or one whose bytes differed). */
  decoded: number;
}

/** Decoded txs by the block bytes they went into; see the module comment. */
export class TxHandOver {
  readonly counts: TxHandOverCounts = { blocks: 0, reused: 0, decoded: 0 };
  readonly #known = new WeakMap<Uint8Array, readonly SignedTx[]>();

  /**
   * `txs`: candidates for the block `data`, in block order; a slot may have none (a tx sent inline
   * or fetched), then the next candidate is tried on the next slot. Only arrays are kept, no copy.
   */
  know(data: Uint8Array, txs: readonly SignedTx[]): void {
    if (txs.length > 0) this.#known.set(data, txs);
  }

  /** The candidates for `data`, forgotten once taken (a block is applied once). */
  take(data: Uint8Array): readonly SignedTx[] | undefined {
    const txs = this.#known.get(data);
    if (txs !== undefined) this.#known.delete(data);
    return txs;
  }

  /** `decodeBlockWith` with this node's candidates for `data` (if any), counted. */
  decode(data: Uint8Array, limits: BlockLimits = defaultBlockLimits): Block {
    const known = this.take(data);
    if (known === undefined) return decodeBlock(data, limits);
    const r = decodeBlockWith(data, known, limits);
    this.counts.blocks++;
    this.counts.reused += r.reused;
    this.counts.decoded += r.block.txs.length - r.reused;
    return r.block;
  }
}

/** Bytes equal, by Node's memcmp when there is a Buffer (this runs only in the node). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * The block `decodeBlock(data, limits)` gives, taking each tx from `known` where its bytes are the
 * block's (candidates in block order, consumed front to back), and how many were taken. Throws what
 * `decodeBlock` throws on the same bytes (it runs on any malformed input, for its error).
 */
export function decodeBlockWith(
  data: Uint8Array,
  known: readonly SignedTx[],
  limits: BlockLimits = defaultBlockLimits,
): { readonly block: Block; readonly reused: number } {
  let layout: ReturnType<typeof blockLayout>;
  try {
    layout = blockLayout(data, limits);
  } catch {
    return { block: decodeBlock(data, limits), reused: 0 };
  }
  const sigStart = layout.prefixEnd - SIGNATURE_BYTES;
  const txs: SignedTx[] = new Array<SignedTx>(layout.txs.length);
  let next = 0;
  let reused = 0;
  for (let i = 0; i < layout.txs.length; i++) {
    const [start, end] = layout.txs[i]!;
    const bytes = data.subarray(start, end);
    const cand = known[next];
    if (cand !== undefined && sameBytes(cand.bytes, bytes)) {
      txs[i] = cand;
      next++;
      reused++;
      continue;
    }
    try {
      txs[i] = decodeSignedTx(bytes, limits);
    } catch {
      return { block: decodeBlock(data, limits), reused: 0 };
    }
  }
  // As decodeBlock: the hash over the header's own bytes (tag excluded), the signature after it.
  const hash = domainHash(HEADER_HASH_DOMAIN, data.subarray(1, sigStart));
  const signature = data.subarray(sigStart, layout.prefixEnd);
  return { block: { header: layout.header, signature, txs, hash }, reused };
}
