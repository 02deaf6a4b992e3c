import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockSize,
  buildBlock,
  decodeBlock,
  decodeBlockHeader,
  defaultBlockLimits,
  encodeBlock,
  encodeBlockHeader,
  hashBlockHeader,
  signBlock,
  verifyBlockShape,
  verifyBlockSignature,
} from '../../../protocol/chain/block.js';
import { bytesEqual, toHex } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { merkleRoot } from '../../../protocol/chain/merkle.js';
import type { Block, BlockHeader } from '../../../protocol/chain/types.js';
import { arbId, arbU53, makeTx, testSeed, testSigner } from './fixtures.js';

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChainError);
    expect((e as ChainError).code).toBe(code);
    return;
  }
  throw new Error(`expected ChainError ${code}`);
}

const fields = {
  chainId: 'ehr-test',
  height: 7,
  parentHash: new Uint8Array(32).fill(0xaa),
  stateHeight: 5,
  stateRoot: new Uint8Array(32).fill(0xbb),
  term: 3,
  time: 1_700_000_000_000,
};
const txs = [makeTx(1, 0), makeTx(2, 0), makeTx(1, 1)];
const block = buildBlock(fields, txs, testSigner(9));

const arbHeader: fc.Arbitrary<BlockHeader> = fc.record({
  chainId: arbId,
  height: arbU53,
  parentHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  txRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  stateHeight: arbU53,
  stateRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  proposer: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  term: arbU53,
  time: arbU53,
  txCount: fc.nat({ max: 0xffff_ffff }),
});

describe('block header', () => {
  it('round-trips (property) with the documented size', () => {
    fc.assert(
      fc.property(arbHeader, (h) => {
        const enc = encodeBlockHeader(h);
        expect(enc.length).toBe(1 + 1 + h.chainId.length + 8 + 32 + 32 + 8 + 32 + 32 + 8 + 8 + 4);
        expect(enc[0]).toBe(0x02);
        expect(decodeBlockHeader(enc)).toEqual(h);
      }),
      { numRuns: 300 },
    );
  });
  it('refuses unencodable values and non-canonical bytes', () => {
    expectCode(() => encodeBlockHeader({ ...block.header, height: 2 ** 53 }), 'bad_encoding');
    expectCode(() => encodeBlockHeader({ ...block.header, txCount: 2 ** 32 }), 'bad_encoding');
    expectCode(() => encodeBlockHeader({ ...block.header, parentHash: new Uint8Array(33) }), 'bad_encoding');
    const enc = encodeBlockHeader(block.header);
    expectCode(() => decodeBlockHeader(new Uint8Array([...enc, 0])), 'bad_encoding');
    expectCode(() => decodeBlockHeader(enc.subarray(1)), 'bad_encoding');
    const bad = enc.slice();
    bad[0] = 0x01;
    expectCode(() => decodeBlockHeader(bad), 'bad_encoding');
  });
});

describe('block', () => {
  it('builds, encodes, decodes and verifies', () => {
    const enc = encodeBlock(block);
    expect(enc.length).toBe(blockSize(block));
    const d = decodeBlock(enc);
    expect(toHex(d.hash)).toBe(toHex(block.hash));
    expect(toHex(d.hash)).toBe(toHex(hashBlockHeader(d.header)));
    expect(d.txs.map((t) => toHex(t.hash))).toEqual(txs.map((t) => toHex(t.hash)));
    expect(toHex(encodeBlock(d))).toBe(toHex(enc));
    verifyBlockShape(d);
    expect(verifyBlockSignature(d)).toBe(true);
    expect(bytesEqual(d.header.proposer, testSigner(9).publicKey)).toBe(true);
  });
  it('decoding is canonical: any decodable block re-encodes to its own bytes and size (property)', () => {
    // What lets the store write a Raft entry's bytes as the block's by-height row.
    const pool = [makeTx(1, 0), makeTx(2, 0), makeTx(1, 1), makeTx(3, 4)];
    const arbBlock = fc.record({
      header: arbHeader,
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
      picks: fc.array(fc.nat({ max: pool.length - 1 }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(arbBlock, ({ header, signature, picks }) => {
        const chosen = picks.map((i) => pool[i]!);
        const b: Block = {
          header: { ...header, txCount: chosen.length },
          signature,
          txs: chosen,
          hash: block.hash,
        };
        const enc = encodeBlock(b);
        const d = decodeBlock(enc);
        expect(toHex(encodeBlock(d))).toBe(toHex(enc));
        expect(blockSize(d)).toBe(enc.length);
      }),
      { numRuns: 200 },
    );
  });
  it('an empty block has the empty-string tx root', () => {
    const b = buildBlock(fields, [], testSeed(9));
    expect(toHex(b.header.txRoot)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    verifyBlockShape(decodeBlock(encodeBlock(b)));
  });
  it('rejects a bad signature, a wrong proposer key and a tampered header', () => {
    const sig = block.signature.slice();
    sig[5]! ^= 1;
    expect(verifyBlockSignature({ ...block, signature: sig })).toBe(false);
    const forged = signBlock({ ...block.header, proposer: testSigner(8).publicKey }, txs, testSigner(8));
    expect(verifyBlockSignature({ ...forged, signature: block.signature })).toBe(false);
    const enc = encodeBlock(block);
    enc[10]! ^= 1; // a height byte
    expect(verifyBlockSignature(decodeBlock(enc))).toBe(false);
    expectCode(() => signBlock(block.header, txs, testSeed(8)), 'bad_key');
  });
  it('verifyBlockShape catches root, count, chain, duplicate, hash and size problems', () => {
    const s = testSigner(9);
    const withTxs = (t: typeof txs): Block => ({ ...block, txs: t });
    expectCode(() => verifyBlockShape(withTxs([txs[0]!, txs[2]!, txs[1]!])), 'bad_block');
    expectCode(() => verifyBlockShape(withTxs(txs.slice(0, 2))), 'bad_block');
    expectCode(() => verifyBlockShape({ ...block, hash: new Uint8Array(32) }), 'bad_block');
    expectCode(() => verifyBlockShape(buildBlock(fields, [txs[0]!, txs[0]!], s)), 'bad_block');
    expectCode(
      () => verifyBlockShape(buildBlock(fields, [makeTx(1, 0, { chainId: 'x' })], s)),
      'wrong_chain',
    );
    expectCode(() => verifyBlockShape(block, { ...defaultBlockLimits, maxBlockTxs: 2 }), 'too_large');
    expectCode(
      () => verifyBlockShape(block, { ...defaultBlockLimits, maxBlockBytes: blockSize(block) - 1 }),
      'too_large',
    );
    expectCode(() => verifyBlockShape(block, { ...defaultBlockLimits, maxTxBytes: 10 }), 'too_large');
    expectCode(() => encodeBlock(withTxs(txs.slice(0, 1))), 'bad_block');
  });
  it('decodeBlock applies limits and rejects truncation, trailing bytes and wrong tags', () => {
    const enc = encodeBlock(block);
    expectCode(() => decodeBlock(enc, { ...defaultBlockLimits, maxBlockBytes: enc.length - 1 }), 'too_large');
    expectCode(() => decodeBlock(enc, { ...defaultBlockLimits, maxBlockTxs: 2 }), 'too_large');
    expectCode(() => decodeBlock(enc, { ...defaultBlockLimits, maxTxBytes: 50 }), 'too_large');
    expectCode(() => decodeBlock(new Uint8Array([...enc, 0])), 'bad_encoding');
    for (let n = 0; n < enc.length; n++) expectCode(() => decodeBlock(enc.subarray(0, n)), 'bad_encoding');
    const bad = enc.slice();
    bad[0] = 0x02;
    expectCode(() => decodeBlock(bad), 'bad_encoding');
  });
});

describe('merkle root', () => {
  /** RFC 6962 section 2.1, recursively. */
  const rfc = (d: Uint8Array[]): string => {
    const h = (...p: Uint8Array[]) => {
      const c = createHash('sha256');
      for (const x of p) c.update(x);
      return new Uint8Array(c.digest());
    };
    const mth = (x: Uint8Array[]): Uint8Array => {
      if (x.length === 0) return h();
      if (x.length === 1) return h(new Uint8Array([0]), x[0]!);
      let k = 1;
      while (k * 2 < x.length) k *= 2;
      return h(new Uint8Array([1]), mth(x.slice(0, k)), mth(x.slice(k)));
    };
    return toHex(mth(d));
  };
  const arbLeaves = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 40 });
  it('equals the recursive RFC 6962 definition', () => {
    fc.assert(
      fc.property(arbLeaves, (l) => {
        expect(toHex(merkleRoot(l))).toBe(rfc(l));
      }),
      { numRuns: 300 },
    );
  });
  it('depends on order and count: no duplicated-last-leaf ambiguity', () => {
    fc.assert(
      fc.property(
        arbLeaves.filter((l) => l.length >= 1),
        (l) => {
          const r = toHex(merkleRoot(l));
          expect(toHex(merkleRoot([...l, l[l.length - 1]!]))).not.toBe(r);
          if (l.length >= 2 && toHex(l[0]!) !== toHex(l[1]!)) {
            expect(toHex(merkleRoot([l[1]!, l[0]!, ...l.slice(2)]))).not.toBe(r);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
  it('a single leaf root is not the leaf itself (leaf domain byte)', () => {
    const leaf = new Uint8Array(32).fill(1);
    expect(toHex(merkleRoot([leaf]))).not.toBe(toHex(leaf));
  });
});
