/**
 * The tx Merkle root of protocol/chain/merkle.ts computed for the node's hot path: through
 * libsodium's sha256 into one scratch buffer (node:crypto's one-shot hash costs about twice as much
 * per 33- or 65-byte input, and allocates a result per node), and protocol/chain/block.ts's
 * `verifyBlockShape` with that root. Same roots, verdicts, codes and messages as the protocol's
 * functions (a property test compares them); merkleRoot stays the reference, and runs wherever
 * libsodium does not load.
 */
import { type BlockLimits, defaultBlockLimits, verifyBlockShape } from '../../protocol/chain/block.js';
import { HASH_BYTES } from '../../protocol/chain/encoding.js';
import { merkleRoot } from '../../protocol/chain/merkle.js';
import type { Block } from '../../protocol/chain/types.js';
import { loadSodiumNative } from '../sodium.js';

type Sha256Into = (out: Uint8Array, input: Uint8Array) => void;

const sodiumSha256: Sha256Into | null = (() => {
  const f = loadSodiumNative()?.mod.crypto_hash_sha256;
  return typeof f === 'function' ? f : null;
})();

const leafIn = new Uint8Array(1 + HASH_BYTES);
const nodeIn = new Uint8Array(1 + 2 * HASH_BYTES);
nodeIn[0] = 0x01;
const out = new Uint8Array(HASH_BYTES);

/** `merkleRoot(txHashes)` (RFC 6962, the lone last node promoted), through libsodium when it loads. */
export function txRoot(txHashes: readonly Uint8Array[]): Uint8Array {
  const n = txHashes.length;
  const sha = sodiumSha256;
  if (sha === null || n === 0 || txHashes.some((h) => h.length !== HASH_BYTES)) return merkleRoot(txHashes);
  // Level by level in one buffer: node i of a level overwrites slot i, after slots 2i and 2i+1
  // (never before i) were read.
  const level = new Uint8Array(n * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    leafIn.set(txHashes[i]!, 1);
    sha(out, leafIn);
    level.set(out, i * HASH_BYTES);
  }
  for (let m = n; m > 1; m = (m + 1) >> 1) {
    const pairs = m >> 1;
    for (let i = 0; i < pairs; i++) {
      const at = 2 * i * HASH_BYTES;
      nodeIn.set(level.subarray(at, at + 2 * HASH_BYTES), 1);
      sha(out, nodeIn);
      level.set(out, i * HASH_BYTES);
    }
    if (m % 2 === 1) level.copyWithin(pairs * HASH_BYTES, (m - 1) * HASH_BYTES, m * HASH_BYTES);
  }
  return level.slice(0, HASH_BYTES);
}

/** `verifyBlockShape(block, limits)` with the tx root through libsodium (`txRoot` above). */
export function checkBlockShape(block: Block, limits: BlockLimits = defaultBlockLimits): void {
  verifyBlockShape(block, limits, txRoot);
}
