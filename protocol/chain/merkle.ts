/**
 * The tx Merkle root, as in RFC 6962 (Certificate Transparency) section 2.1:
 *
 *   root([])        = sha256()                       (the hash of the empty string)
 *   leaf(h)         = sha256(0x00 || h)               (h = the 32-byte tx hash)
 *   node(l, r)      = sha256(0x01 || l || r)
 *   root([d0..dn))  = leaf(d0) for n = 1; otherwise node(root(d[0..k)), root(d[k..n))) with k the
 *                     largest power of two < n.
 *
 * Odd levels: a lone last node is promoted to the next level unchanged (never duplicated), which
 * computes the same tree as the power-of-two split above. Not duplicating the last node avoids
 * the Bitcoin ambiguity (CVE-2012-2459) where [a, b, c] and [a, b, c, c] have the same root.
 */
import { sha256 } from './hash.js';

// One-shot hashing of a small concatenated buffer is ~2x faster than createHash().update()...
// and the scratch buffers can be shared: sha256 copies nothing out of them.
const leafBuf = new Uint8Array(33);
const nodeBuf = new Uint8Array(65);
nodeBuf[0] = 0x01;

/** RFC 6962 leaf hash of a 32-byte tx hash: sha256(0x00 || h). */
export function merkleLeaf(txHash: Uint8Array): Uint8Array {
  if (txHash.length !== 32) return sha256(Uint8Array.of(0x00, ...txHash));
  leafBuf.set(txHash, 1);
  return sha256(leafBuf);
}

/** RFC 6962 interior node hash: sha256(0x01 || left || right), both 32 bytes. */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeBuf.set(left, 1);
  nodeBuf.set(right, 33);
  return sha256(nodeBuf);
}

/** The Merkle root over tx hashes in block order. O(n) hashes, O(n) memory. */
export function merkleRoot(txHashes: readonly Uint8Array[]): Uint8Array {
  if (txHashes.length === 0) return sha256(new Uint8Array(0));
  let level = txHashes.map(merkleLeaf);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNode(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
