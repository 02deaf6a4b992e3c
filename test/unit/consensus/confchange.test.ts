/** Membership change encoding (strict decode of untrusted bytes) and application. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyConfChange,
  decodeConfChange,
  encodeConfChange,
  MAX_NODE_ID_BYTES,
} from '../../../consensus/confchange.js';
import { RaftError } from '../../../consensus/errors.js';
import type { ConfChange } from '../../../consensus/types.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof RaftError ? e.code : 'other';
  }
  return undefined;
};

describe('encodeConfChange / decodeConfChange', () => {
  it('round-trips every type, including non-ASCII ids', () => {
    for (const type of ['addVoter', 'addLearner', 'removeNode'] as const) {
      for (const node of ['a', '12D3KooWQx9', 'hôpital-7', 'x'.repeat(MAX_NODE_ID_BYTES)]) {
        expect(decodeConfChange(encodeConfChange({ type, node }))).toEqual({ type, node });
      }
    }
  });

  it('rejects malformed bytes with invalid_conf_change', () => {
    const good = encodeConfChange({ type: 'addVoter', node: 'abc' });
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, 4),
      Uint8Array.of(2, ...good.subarray(1)), // version
      Uint8Array.of(1, 7, ...good.subarray(2)), // type code
      Uint8Array.of(...good, 0), // trailing byte
      good.subarray(0, good.length - 1), // truncated id
      Uint8Array.of(1, 0, 0, 0), // zero-length id
      Uint8Array.of(1, 0, 0, 2, 0xc3, 0x28), // invalid UTF-8
      Uint8Array.of(1, 0, 0xff, 0xff, ...new Uint8Array(0xffff)), // id too long
    ];
    for (const b of bad)
      expect(
        code(() => decodeConfChange(b)),
        `bytes ${Array.from(b.subarray(0, 6))}`,
      ).toBe('invalid_conf_change');
  });

  it('refuses to encode an empty or oversized id', () => {
    expect(code(() => encodeConfChange({ type: 'addVoter', node: '' }))).toBe('invalid_conf_change');
    expect(code(() => encodeConfChange({ type: 'addVoter', node: 'x'.repeat(MAX_NODE_ID_BYTES + 1) }))).toBe(
      'invalid_conf_change',
    );
  });

  it('fuzz: arbitrary bytes either decode to a change that re-encodes to the same bytes, or throw RaftError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (raw, fix) => {
        const b =
          fix && raw.length >= 4 ? Uint8Array.of(1, raw[1]! % 3, 0, raw.length - 4, ...raw.subarray(4)) : raw;
        let cc: ConfChange;
        try {
          cc = decodeConfChange(b);
        } catch (e) {
          expect(e).toBeInstanceOf(RaftError);
          return;
        }
        expect(encodeConfChange(cc)).toEqual(b);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('applyConfChange', () => {
  const conf = { voters: ['a', 'b'], learners: ['l'] };
  it('adds voters and learners, promotes learners, removes members', () => {
    expect(applyConfChange(conf, { type: 'addVoter', node: 'c' })).toEqual({
      voters: ['a', 'b', 'c'],
      learners: ['l'],
    });
    expect(applyConfChange(conf, { type: 'addLearner', node: 'm' })).toEqual({
      voters: ['a', 'b'],
      learners: ['l', 'm'],
    });
    expect(applyConfChange(conf, { type: 'addVoter', node: 'l' })).toEqual({
      voters: ['a', 'b', 'l'],
      learners: [],
    });
    expect(applyConfChange(conf, { type: 'removeNode', node: 'a' })).toEqual({
      voters: ['b'],
      learners: ['l'],
    });
    expect(applyConfChange(conf, { type: 'removeNode', node: 'l' })).toEqual({
      voters: ['a', 'b'],
      learners: [],
    });
  });

  it('is idempotent where harmless and does not modify its input', () => {
    expect(applyConfChange(conf, { type: 'addVoter', node: 'a' })).toEqual(conf);
    expect(applyConfChange(conf, { type: 'addLearner', node: 'l' })).toEqual(conf);
    expect(applyConfChange(conf, { type: 'removeNode', node: 'zz' })).toEqual(conf);
    expect(conf).toEqual({ voters: ['a', 'b'], learners: ['l'] });
  });

  it('refuses demoting a voter, removing the last voter, and malformed changes', () => {
    expect(code(() => applyConfChange(conf, { type: 'addLearner', node: 'a' }))).toBe('invalid_conf_change');
    expect(
      code(() => applyConfChange({ voters: ['a'], learners: [] }, { type: 'removeNode', node: 'a' })),
    ).toBe('invalid_conf_change');
    expect(code(() => applyConfChange(conf, { type: 'bogus' as 'addVoter', node: 'x' }))).toBe(
      'invalid_conf_change',
    );
  });
});
