/** latin1Key and toHex through Buffer's in-place slices: Buffer's strings, at any offset (property). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLatin1KeyOf, latin1Key, toHex } from '../../../protocol/chain/encoding.js';

describe('latin1Key and toHex', () => {
  it("equal Buffer's latin1 and hex strings, for fresh arrays and views at any offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat({ max: 9 }), (bytes, at) => {
        const host = new Uint8Array(at + bytes.length + 2);
        host.set(bytes, at);
        const view = host.subarray(at, at + bytes.length);
        for (const b of [bytes, view]) {
          expect(latin1Key(b)).toBe(Buffer.from(bytes).toString('latin1'));
          expect(toHex(b)).toBe(Buffer.from(bytes).toString('hex'));
          expect(isLatin1KeyOf(latin1Key(b), bytes)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
