import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBlock, encodeBlock } from '../../../protocol/chain/block.js';
import {
  COMPACT_BLOCK_TAG,
  compactBlock,
  expandCompactBlock,
  isCompactBlock,
} from '../../../protocol/chain/compact-block.js';
import { bytesEqual, toHex } from '../../../protocol/chain/encoding.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import { createSignedTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { makeTx, testSigner } from './fixtures.js';

const fields = {
  chainId: 'ehr-test',
  height: 7,
  parentHash: new Uint8Array(32).fill(0xaa),
  stateHeight: 5,
  stateRoot: new Uint8Array(32).fill(0xbb),
  term: 3,
  time: 1_700_000_000_000,
};

const txPool = Array.from({ length: 12 }, (_, i) => makeTx(1 + (i % 4), Math.floor(i / 4)));

function blockOf(txs: readonly SignedTx[]): Uint8Array {
  return encodeBlock(buildBlock(fields, txs, testSigner(9)));
}

/** A receiver's mempool: tx bytes by hash. */
function holding(txs: readonly SignedTx[]): (h: Uint8Array) => Uint8Array | undefined {
  const m = new Map(txs.map((t) => [toHex(t.hash), t.bytes]));
  return (h) => m.get(toHex(h));
}

describe('compact blocks', () => {
  it('expand to the block byte for byte when the receiver holds every referenced tx', () => {
    fc.assert(
      fc.property(fc.subarray(txPool), fc.func(fc.boolean()), (txs, refer) => {
        const block = blockOf(txs);
        const c = compactBlock(block, (h) => refer(toHex(h)));
        expect(isCompactBlock(c.bytes)).toBe(true);
        const out = expandCompactBlock(c.bytes, holding(txPool));
        expect(out.ok && bytesEqual(out.block, block)).toBe(true);
        expect(out.filled).toBe(c.refs);
      }),
      { numRuns: 100 },
    );
  });

  it('are the same bytes when built from the tx hashes the producer already holds', () => {
    fc.assert(
      fc.property(fc.subarray(txPool), fc.func(fc.boolean()), (txs, refer) => {
        const block = blockOf(txs);
        const hashed = compactBlock(block, (h) => refer(toHex(h)));
        const known = compactBlock(
          block,
          (h) => refer(toHex(h)),
          undefined,
          txs.map((t) => t.hash),
        );
        expect(toHex(known.bytes)).toBe(toHex(hashed.bytes));
        expect(known.refs).toBe(hashed.refs);
      }),
      { numRuns: 50 },
    );
  });

  it('hash the txs themselves when the hashes given are not one per tx', () => {
    const txs = txPool.slice(0, 3);
    const block = blockOf(txs);
    const wrong = compactBlock(block, undefined, undefined, [new Uint8Array(32)]);
    expect(toHex(wrong.bytes)).toBe(toHex(compactBlock(block).bytes));
  });

  it('count as missing exactly the referenced txs the receiver lacks', () => {
    fc.assert(
      fc.property(fc.subarray(txPool, { minLength: 1 }), fc.subarray(txPool), (txs, held) => {
        const c = compactBlock(blockOf(txs));
        const have = new Set(held.map((t) => toHex(t.hash)));
        const lacking = txs.filter((t) => !have.has(toHex(t.hash))).length;
        const out = expandCompactBlock(c.bytes, holding(held));
        expect(out.ok).toBe(lacking === 0);
        if (!out.ok) expect(out.missing).toBe(lacking);
        expect(out.filled).toBe(txs.length - lacking);
      }),
      { numRuns: 100 },
    );
  });

  it('carry a tx inline when the sender does not refer to it', () => {
    const block = blockOf(txPool.slice(0, 3));
    const c = compactBlock(block, () => false);
    expect(c.refs).toBe(0);
    const out = expandCompactBlock(c.bytes, () => undefined);
    expect(out.ok && bytesEqual(out.block, block)).toBe(true);
  });

  it('treat a held tx with the same hash and another signature as missing', () => {
    const tx = txPool[0]!;
    const other = createSignedTx(tx.body, new Uint8Array(64).fill(5));
    expect(bytesEqual(other.hash, tx.hash)).toBe(true);
    const out = expandCompactBlock(compactBlock(blockOf([tx])).bytes, holding([other]));
    expect(out).toEqual({ ok: false, missing: 1, filled: 0 });
  });

  it('refuse bytes that are not a compact block, a truncated one, and an unknown kind', () => {
    const c = compactBlock(blockOf(txPool.slice(0, 2))).bytes;
    const bad = [
      blockOf(txPool.slice(0, 2)),
      c.subarray(0, c.length - 1),
      Uint8Array.of(COMPACT_BLOCK_TAG, 0, 0, 0, 0, 0, 0, 0, 1, 7),
    ];
    for (const b of bad) expect(() => expandCompactBlock(b, holding(txPool))).toThrow(ChainError);
  });

  it('cost about 49 bytes per referenced tx', () => {
    const block = blockOf(txPool);
    const c = compactBlock(block);
    const prefix = block.length - txPool.reduce((n, t) => n + 4 + t.bytes.length, 0);
    expect(c.bytes.length).toBe(1 + 4 + prefix + 4 + txPool.length * 49);
  });
});
