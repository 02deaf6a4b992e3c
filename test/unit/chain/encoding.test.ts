import { describe, expect, it } from 'vitest';
import { fromHex, isIdentifier, Reader, toHex, Writer } from '../../../protocol/chain/encoding.js';
import {
  ChainError,
  ChainErrorCode,
  chainErrorHttpStatus,
  isChainError,
} from '../../../protocol/chain/errors.js';

describe('encoding primitives', () => {
  it('u64 is big-endian, exact below 2^53, and refuses 2^53 and up', () => {
    for (const v of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 52 + 3, 2 ** 53 - 1]) {
      const w = new Writer(1);
      w.u64(v, 'x');
      const b = w.finish();
      expect(toHex(b)).toBe(BigInt(v).toString(16).padStart(16, '0'));
      expect(new Reader(b).u64('x')).toBe(v);
    }
    expect(() => new Reader(fromHex('0020000000000000')).u64('x')).toThrow(ChainError);
    expect(() => new Reader(fromHex('ffffffffffffffff')).u64('x')).toThrow(ChainError);
    expect(() => new Writer().u64(2 ** 53, 'x')).toThrow(ChainError);
  });
  it('identifiers are non-empty ASCII from the allowed set', () => {
    expect(isIdentifier('consent')).toBe(true);
    expect(isIdentifier('a.b-c_d:E9')).toBe(true);
    expect(isIdentifier('')).toBe(false);
    expect(isIdentifier('a b')).toBe(false);
    expect(isIdentifier('caf\u00e9')).toBe(false);
    expect(isIdentifier('x'.repeat(65), 64)).toBe(false);
  });
  it('hex helpers', () => {
    expect(toHex(fromHex('00ffAB'))).toBe('00ffab');
    expect(() => fromHex('abc')).toThrow(ChainError);
    expect(() => fromHex('zz')).toThrow(ChainError);
  });
  it('every error code has an HTTP status; mempool_full is 503', () => {
    for (const c of Object.values(ChainErrorCode))
      expect(chainErrorHttpStatus[c]).toBeGreaterThanOrEqual(400);
    expect(chainErrorHttpStatus.mempool_full).toBe(503);
    const e = new ChainError('nonce_gap', 'x', { expected: 3 });
    expect(isChainError(e, 'nonce_gap')).toBe(true);
    expect(isChainError(e, 'duplicate')).toBe(false);
    expect(e.details.expected).toBe(3);
  });
});
