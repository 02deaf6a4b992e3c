/**
 * Which ed25519 point encodings a node refuses as a public key or as a signature's R, without
 * Buffer or node:crypto (the rules of docs/transactions.md#signature-verification, libsodium's).
 */

// The y coordinates (little-endian, sign bit clear) of the points of small order: 1 (identity),
// p-1 (order 2), 0 (order 4), and the two of order 8.
const SMALL_ORDER_Y: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
].map((h) => Uint8Array.from({ length: 32 }, (_, i) => Number.parseInt(h.slice(2 * i, 2 * i + 2), 16)));

/**
 * True for a non-canonical y (>= 2^255 - 19), a point of small order, or not 32 bytes. Byte by
 * byte with the sign bit (bit 255) masked, no copy: the node runs this twice per tx on its main
 * thread (a signature's R and the sender's key).
 */
export function isWeakPoint(p: Uint8Array): boolean {
  if (p.length !== 32) return true;
  const top = (p[31] ?? 0) & 0x7f;
  for (const s of SMALL_ORDER_Y) {
    if (s[31] !== top) continue;
    let i = 0;
    while (i < 31 && s[i] === p[i]) i++;
    if (i === 31) return true;
  }
  // y >= p: the top byte 0x7f, bytes 30..1 all 0xff, byte 0 >= 0xed.
  if (top !== 0x7f || (p[0] ?? 0) < 0xed) return false;
  for (let i = 1; i < 31; i++) if (p[i] !== 0xff) return false;
  return true;
}
