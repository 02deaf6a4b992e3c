/**
 * Which ed25519 point encodings a node refuses as a public key or as a signature's R, without
 * Buffer or node:crypto (the rules of docs/transactions.md#signature-verification, libsodium's).
 */

// The y coordinates (little-endian, sign bit clear) of the points of small order: 1 (identity),
// p-1 (order 2), 0 (order 4), and the two of order 8.
const SMALL_ORDER_Y: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
];

/** True for a non-canonical y (>= 2^255 - 19), a point of small order, or not 32 bytes. */
export function isWeakPoint(p: Uint8Array): boolean {
  if (p.length !== 32) return true;
  const y = Uint8Array.from(p);
  y[31] = (y[31] ?? 0) & 0x7f;
  let hex = '';
  for (const b of y) hex += b.toString(16).padStart(2, '0');
  if (SMALL_ORDER_Y.includes(hex)) return true;
  if (y[31] !== 0x7f || (y[0] ?? 0) < 0xed) return false;
  for (let i = 1; i < 31; i++) if (y[i] !== 0xff) return false;
  return true;
}
