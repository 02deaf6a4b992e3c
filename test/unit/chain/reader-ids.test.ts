import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';

const readId = (s: string): string => new Reader(new Writer().id(s, 255, 'id').finish()).id(255, 'id');

describe('Reader.id with its table of recent identifiers', () => {
  it('hands out the same string object for the same bytes', () => {
    const a = readId('ehrchain-bench');
    const b = readId('ehrchain-bench');
    expect(a).toBe('ehrchain-bench');
    expect(Object.is(a, b)).toBe(true);
  });

  it('reads ids that share a table slot (same length, first and last byte) as themselves', () => {
    for (const s of ['kv-a-put', 'kv-b-put', 'kv-a-put', 'kvXYZput']) expect(readId(s)).toBe(s);
  });

  it('decodes any sequence of ids exactly as written', () => {
    const arbId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(arbId, { maxLength: 40 }), (ids) => {
        for (const s of ids) expect(readId(s)).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('still refuses a byte outside the identifier alphabet after the same length was cached', () => {
    readId('abc');
    const bad = Uint8Array.of(3, 0x61, 0x20, 0x63);
    expect(() => new Reader(bad).id(255, 'id')).toThrow(ChainError);
  });
});
