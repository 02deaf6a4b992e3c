import { describe, expect, it } from 'vitest';
import { bytesKey } from '../../../vm/bytes.js';

const charPerByte = (b: Uint8Array): string => Array.from(b, (x) => String.fromCharCode(x)).join('');

describe('bytesKey', () => {
  it('is one char per byte whose code is the byte, for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesKey(all)).toBe(charPerByte(all));
    expect(bytesKey(new Uint8Array(0))).toBe('');
  });

  it('reads only the bytes of a view, short or long', () => {
    const big = Uint8Array.from({ length: 30_000 }, (_, i) => (i * 37) & 0xff);
    for (const [from, to] of [
      [5, 45],
      [100, 20_100],
    ] as const) {
      expect(bytesKey(big.subarray(from, to))).toBe(charPerByte(big.slice(from, to)));
    }
  });
});
