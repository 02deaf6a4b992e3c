/**
 * The byte helpers on the apply path against the DataView / Buffer code they replace: nonces as
 * u64 big-endian, keys as latin1 strings, for any input (property tests).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNonce, encodeNonce } from '../../../node/state/keys.js';
import { keyBytes, keyString } from '../../../node/state/view.js';

const refEncode = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false);
  return b;
};
const refDecode = (b: Uint8Array) => Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, false));

describe('nonces', () => {
  it('encode as the DataView u64 big-endian, for any safe integer and edge values (property)', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(encodeNonce(n)).toEqual(refEncode(n));
      }),
      { numRuns: 2000 },
    );
    for (const n of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 63])
      expect(encodeNonce(n)).toEqual(refEncode(n));
  });

  it('decode as Number of the DataView u64, any 8 bytes, at any offset (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.nat({ max: 5 }), (bytes, at) => {
        const host = new Uint8Array(at + 8);
        host.set(bytes, at);
        const view = host.subarray(at, at + 8);
        expect(decodeNonce(view)).toBe(refDecode(view));
      }),
      { numRuns: 2000 },
    );
    expect(decodeNonce(undefined)).toBe(0);
  });

  it('refuses a value that is not 8 bytes, and a nonce that is not a u64', () => {
    expect(() => decodeNonce(new Uint8Array(7))).toThrow(RangeError);
    expect(() => encodeNonce(-1)).toThrow(RangeError);
    expect(() => encodeNonce(1.5)).toThrow(RangeError);
  });
});

describe('keyString', () => {
  it("is Buffer's latin1 string of the bytes, for fresh arrays and views at any offset (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 9 }), (bytes, at) => {
        const host = new Uint8Array(at + bytes.length + 3);
        host.set(bytes, at);
        const view = host.subarray(at, at + bytes.length);
        const want = Buffer.from(bytes).toString('latin1');
        expect(keyString(bytes)).toBe(want);
        expect(keyString(view)).toBe(want);
        expect(keyBytes(keyString(view))).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
