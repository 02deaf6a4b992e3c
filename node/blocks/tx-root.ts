/**
 * The tx Merkle root of protocol/chain/merkle.ts computed for the node's hot path: each node's
 * sha256 written into one scratch buffer through the platform's `sha256Into` (libsodium for these
 * 33- and 65-byte inputs where it loads: node:crypto's one-shot hash costs about twice as much and
 * allocates a result per node), and protocol/chain/block.ts's `verifyBlockShape` with that root.
 * Same roots, verdicts, codes and messages as the protocol's functions (a property test compares
 * them); merkleRoot stays the reference.
 */
import { type BlockLimits, defaultBlockLimits, verifyBlockShape } from '../../protocol/chain/block.js';
import { HASH_BYTES } from '../../protocol/chain/encoding.js';
import { sha256Into } from '../../protocol/chain/hash.js';
import { merkleRoot } from '../../protocol/chain/merkle.js';
import type { Block } from '../../protocol/chain/types.js';

const leafIn = new Uint8Array(1 + HASH_BYTES);
const nodeIn = new Uint8Array(1 + 2 * HASH_BYTES);
nodeIn[0] = 0x01;
const out = new Uint8Array(HASH_BYTES);

/** `merkleRoot(txHashes)` (RFC 6962, the lone last node promoted), hashed in place. */
export function txRoot(txHashes: readonly Uint8Array[]): Uint8Array {
  const n = txHashes.length;
  if (n === 0 || txHashes.some((h) => h.length !== HASH_BYTES)) return merkleRoot(txHashes);
  // Level by level in one buffer: node i of a level overwrites slot i, after slots 2i and 2i+1
  // (never before i) were read.
  const level = new Uint8Array(n * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    leafIn.set(txHashes[i]!, 1);
    sha256Into(out, leafIn);
    level.set(out, i * HASH_BYTES);
  }
  for (let m = n; m > 1; m = (m + 1) >> 1) {
    const pairs = m >> 1;
    for (let i = 0; i < pairs; i++) {
      const at = 2 * i * HASH_BYTES;
      nodeIn.set(level.subarray(at, at + 2 * HASH_BYTES), 1);
      sha256Into(out, nodeIn);
      level.set(out, i * HASH_BYTES);
    }
    if (m % 2 === 1) level.copyWithin(pairs * HASH_BYTES, (m - 1) * HASH_BYTES, m * HASH_BYTES);
  }
  return level.slice(0, HASH_BYTES);
}

/** `verifyBlockShape(block, limits)` with the tx root hashed in place (`txRoot` above). */
export function checkBlockShape(block: Block, limits: BlockLimits = defaultBlockLimits): void {
  verifyBlockShape(block, limits, txRoot);
}
