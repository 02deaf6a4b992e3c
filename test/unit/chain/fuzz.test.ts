/**
 * Fuzzing the decoders: random bytes and mutated valid encodings. A decoder may only throw a
 * ChainError, and whatever it accepts must re-encode to exactly the input (one encoding per value).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBlock,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
  encodeBlockHeader,
} from '../../../protocol/chain/block.js';
import { bytesEqual } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { decodeSignedTx, decodeTxBody, encodeTxBody, hashTxBody } from '../../../protocol/chain/tx.js';
import { makeTx, testSigner } from './fixtures.js';

const RUNS = 4000;

const validTxs = [
  makeTx(1, 0),
  makeTx(2, 2 ** 40, { args: [] }),
  makeTx(3, 1, { args: [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(40)] }),
];
const header = {
  chainId: 'ehr-test',
  height: 1,
  parentHash: new Uint8Array(32),
  stateHeight: 0,
  stateRoot: new Uint8Array(32),
  term: 1,
  time: 1,
};
const validBlocks = [buildBlock(header, validTxs, testSigner(9)), buildBlock(header, [], testSigner(9))];

type Decoder = (b: Uint8Array) => Uint8Array; // decodes, then re-encodes

const decoders: Record<string, Decoder> = {
  signedTx: (b) => {
    const t = decodeSignedTx(b);
    expect(bytesEqual(t.hash, hashTxBody(t.body))).toBe(true);
    const body = encodeTxBody(t.body);
    const out = new Uint8Array(body.length + 64);
    out.set(body);
    out.set(t.signature, body.length);
    return out;
  },
  txBody: (b) => encodeTxBody(decodeTxBody(b)),
  header: (b) => encodeBlockHeader(decodeBlockHeader(b)),
  block: (b) => encodeBlock(decodeBlock(b)),
};

const seeds: Record<string, Uint8Array[]> = {
  signedTx: validTxs.map((t) => t.bytes),
  txBody: validTxs.map((t) => encodeTxBody(t.body)),
  header: validBlocks.map((b) => encodeBlockHeader(b.header)),
  block: validBlocks.map((b) => encodeBlock(b)),
};

/** Decode; if it throws it must be a ChainError; if it accepts, it must re-encode identically. */
function check(decode: Decoder, input: Uint8Array): boolean {
  let out: Uint8Array;
  try {
    out = decode(input);
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    return false;
  }
  expect(bytesEqual(out, input)).toBe(true);
  return true;
}

type Mutation =
  | { kind: 'set'; at: number; v: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extremes'; at: number; v: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), v: fc.nat(255) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('extremes' as const),
    at: fc.nat(),
    v: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x20),
  }),
);

function mutate(b: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let out = Array.from(b);
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'set' || m.kind === 'extremes') out[at] = m.v;
    else if (m.kind === 'flip') out[at] = (out[at] ?? 0) ^ (1 << m.bit);
    else if (m.kind === 'insert') out.splice(at, 0, ...m.bytes);
    else if (m.kind === 'delete') out.splice(at, m.n);
    else out = out.slice(0, at);
  }
  return new Uint8Array(out);
}

describe.each(Object.keys(decoders))('fuzz %s decoder', (name) => {
  const decode = decoders[name]!;
  const valid = seeds[name]!;

  it('accepts and canonically re-encodes the valid seeds', () => {
    for (const v of valid) expect(check(decode, v)).toBe(true);
  });

  it(`random bytes (${RUNS} cases)`, () => {
    const tag = valid[0]![0]!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (b, withTag) => {
        if (withTag && b.length > 0) b[0] = tag;
        check(decode, b);
      }),
      { numRuns: RUNS },
    );
  });

  it(`mutated valid encodings (${RUNS} cases)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.array(arbMutation, { minLength: 1, maxLength: 3 }),
        (i, ms) => {
          if (check(decode, mutate(valid[i]!, ms))) accepted++;
        },
      ),
      { numRuns: RUNS },
    );
    // Some mutations (inside args, signatures, hashes) give other valid values; most must not.
    expect(accepted).toBeLessThan(RUNS);
  });
});
