/**
 * node/blocks/tx-root.ts against the protocol's reference functions: the same Merkle root for any
 * list of hashes, and the same verdict (code and message) as `verifyBlockShape` on any block,
 * well-formed or broken in one of the ways the check looks for.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBlockShape, txRoot } from '../../../node/blocks/tx-root.js';
import { verifyBlockShape } from '../../../protocol/chain/block.js';
import { isChainError } from '../../../protocol/chain/errors.js';
import { TX_HASH_DOMAIN } from '../../../protocol/chain/hash.js';
import { merkleRoot } from '../../../protocol/chain/merkle.js';
import { hashEncodedTxBody } from '../../../protocol/chain/tx.js';
import type { Block } from '../../../protocol/chain/types.js';
import { makeBlock, makeTx } from '../node/fixtures.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What a shape check did with a block: passed, or the code and message it threw. */
function verdict(check: (b: Block) => void, b: Block): string {
  try {
    check(b);
    return 'ok';
  } catch (err) {
    if (!isChainError(err)) throw err;
    return `${err.code}: ${err.message}`;
  }
}

const pool = Array.from({ length: 20 }, (_, i) => makeTx(1 + (i % 5), Math.floor(i / 5)));
const foreign = makeTx(7, 0, { chainId: 'other-chain' });

const arbBlock = fc
  .record({
    picks: fc.uniqueArray(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 20 }),
    flaw: fc.constantFrom(
      'none',
      'duplicate',
      'wrongRoot',
      'wrongCount',
      'wrongHash',
      'foreignTx',
      'swapped',
    ),
  })
  .map(({ picks, flaw }) => {
    const txs = picks.map((i) => pool[i]!);
    const b = makeBlock({}, txs);
    const first = txs[0];
    switch (flaw) {
      case 'duplicate':
        return first === undefined
          ? b
          : { ...b, txs: [...txs, first], header: { ...b.header, txCount: txs.length + 1 } };
      case 'wrongRoot':
        return { ...b, header: { ...b.header, txRoot: new Uint8Array(32).fill(9) } };
      case 'wrongCount':
        return { ...b, txs: txs.slice(1) };
      case 'wrongHash':
        return { ...b, hash: new Uint8Array(32).fill(1) };
      case 'foreignTx':
        return { ...b, txs: [...txs.slice(1), foreign] };
      case 'swapped':
        return txs.length < 2 ? b : { ...b, txs: [txs[1]!, txs[0]!, ...txs.slice(2)] };
      default:
        return b;
    }
  });

describe('txRoot', () => {
  it('is merkleRoot for any number of hashes, odd levels included', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 70 }), (hs) => {
        expect(hex(txRoot(hs))).toBe(hex(merkleRoot(hs)));
      }),
    );
  });

  it('is merkleRoot for hashes that are not 32 bytes (it falls back to it)', () => {
    const hs = [new Uint8Array(31).fill(1), new Uint8Array(32).fill(2)];
    expect(hex(txRoot(hs))).toBe(hex(merkleRoot(hs)));
  });
});

describe('checkBlockShape', () => {
  it('gives the verdict of verifyBlockShape, code and message, on sound and broken blocks', () => {
    fc.assert(
      fc.property(arbBlock, (b) => {
        expect(verdict(checkBlockShape, b)).toBe(verdict(verifyBlockShape, b));
      }),
    );
  });

  it('refuses a block holding one tx twice', () => {
    const b = makeBlock({}, [pool[0]!, pool[0]!]);
    expect(verdict(checkBlockShape, b)).toMatch(/^bad_block: .*tx [0-9a-f]{64} appears twice$/);
  });
});

describe('the tx hash (libsodium up to 256 bytes, OpenSSL above: protocol/crypto/native.ts)', () => {
  it('equals node:crypto sha256 over the domain and the body, for any body (property)', () => {
    const arbBody = fc.uint8Array({ minLength: 1, maxLength: 3000 });
    fc.assert(
      fc.property(fc.array(arbBody, { minLength: 1, maxLength: 20 }), (bodies) => {
        for (const body of bodies) {
          const want = createHash('sha256').update(TX_HASH_DOMAIN).update(body).digest('hex');
          expect(hex(hashEncodedTxBody(body))).toBe(want);
        }
      }),
      { numRuns: 100 },
    );
  });
});
