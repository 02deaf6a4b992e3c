/**
 * isWeakPointEncoding against a naive model: y (bit 255 cleared) as a bigint, refused when it is
 * >= p or the y of one of the small-order points (docs/transactions.md#signature-verification).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWeakPointEncoding } from '../../../protocol/chain/keys.js';

const P = 2n ** 255n - 19n;
const SMALL_ORDER_Y = [
  1n,
  P - 1n,
  0n,
  0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n,
  0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n,
];

function yOf(p: Uint8Array): bigint {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? (p[i] ?? 0) & 0x7f : (p[i] ?? 0));
  return y;
}

const model = (p: Uint8Array): boolean => p.length !== 32 || yOf(p) >= P || SMALL_ORDER_Y.includes(yOf(p));

function encode(y: bigint, sign: boolean): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((y >> BigInt(8 * i)) & 0xffn);
  if (sign) out[31] = (out[31] ?? 0) | 0x80;
  return out;
}

describe('isWeakPointEncoding', () => {
  it('refuses every small-order y with either sign bit, and y = p - 1 + k for k >= 1', () => {
    for (const y of SMALL_ORDER_Y)
      for (const sign of [false, true]) expect(isWeakPointEncoding(encode(y, sign))).toBe(true);
    for (const y of [P, P + 1n, P + 18n]) expect(isWeakPointEncoding(encode(y, false))).toBe(true);
    expect(isWeakPointEncoding(encode(P - 2n, false))).toBe(false);
  });

  it('agrees with the model on one-bit changes of every small-order y and of p', () => {
    for (const y of [...SMALL_ORDER_Y, P]) {
      for (let bit = 0; bit < 256; bit++) {
        const b = encode(y, false);
        b[bit >> 3] = (b[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(isWeakPointEncoding(b)).toBe(model(b));
      }
    }
  });

  it('agrees with the model on random bytes of any length', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 40 })),
        (b) => {
          expect(isWeakPointEncoding(b)).toBe(model(b));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
