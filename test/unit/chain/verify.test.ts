import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { VerifiedSet, Verifier, type VerifyMode } from '../../../node/blocks/verify.js';
import { buildBlock } from '../../../protocol/chain/block.js';
import {
  KeyCache,
  publicKeyFromSeed,
  publicKeyObject,
  verifySignature,
} from '../../../protocol/chain/keys.js';
import { createSignedTx } from '../../../protocol/chain/tx.js';
import { makeTx, testSeed, testSigner } from './fixtures.js';

const good = Array.from({ length: 40 }, (_, i) => makeTx(1 + (i % 5), i));
const badSig = (() => {
  const t = makeTx(6, 0);
  const s = t.signature.slice();
  s[63]! ^= 0x10;
  return createSignedTx(t.body, s);
})();
const wrongKey = createSignedTx(
  { ...makeTx(6, 1).body, sender: testSigner(7).publicKey },
  makeTx(6, 1).signature,
);
const notAKey = createSignedTx(
  { ...makeTx(6, 2).body, sender: new Uint8Array(32).fill(0xff) },
  makeTx(6, 2).signature,
);

describe('keys', () => {
  it('derives public keys from seeds and caches KeyObjects with a bound', () => {
    expect(publicKeyFromSeed(testSeed(1))).toEqual(testSigner(1).publicKey);
    const cache = new KeyCache(2);
    const k1 = cache.get(testSigner(1).publicKey);
    cache.get(testSigner(2).publicKey);
    expect(cache.get(testSigner(1).publicKey)).toBe(k1);
    cache.get(testSigner(3).publicKey);
    expect(cache.size).toBe(2);
    expect(() => publicKeyObject(new Uint8Array(31))).toThrow(/bad_key/);
    expect(verifySignature(new Uint8Array(32), new Uint8Array(63), testSigner(1).publicKey)).toBe(false);
  });
});

describe('VerifiedSet', () => {
  it('remembers (hash, signature) pairs with a bound, and a different signature is not verified', () => {
    const v = new VerifiedSet(2);
    v.add(good[0]!);
    v.add(good[1]!);
    expect(v.has(good[0]!)).toBe(true);
    v.add(good[2]!);
    expect(v.has(good[0]!)).toBe(false);
    expect(v.size).toBe(2);
    const sameBodyOtherSig = createSignedTx(good[2]!.body, new Uint8Array(64));
    expect(v.has(sameBodyOtherSig)).toBe(false);
  });

  it('a second signature of the same body replaces the first, in the same place in the order', () => {
    const v = new VerifiedSet(2);
    v.add(good[0]!);
    const otherSig = createSignedTx(good[0]!.body, new Uint8Array(64).fill(9));
    v.add(otherSig);
    expect(v.has(otherSig)).toBe(true);
    expect(v.has(good[0]!)).toBe(false);
    v.add(good[1]!);
    v.add(good[2]!);
    expect(v.has(otherSig)).toBe(false);
    expect(v.size).toBe(2);
  });

  it('does not remember a signature that is not 64 bytes', () => {
    const v = new VerifiedSet(2);
    const short = { ...good[0]!, signature: new Uint8Array(63) };
    v.add(short);
    expect(v.has(short)).toBe(false);
    expect(v.size).toBe(0);
  });

  it('holds exactly the last `capacity` distinct txs added, like a naive list (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 60 }),
        (capacity, adds) => {
          const v = new VerifiedSet(capacity);
          const naive: number[] = [];
          for (const i of adds) {
            v.add(good[i]!);
            if (!naive.includes(i)) naive.push(i);
            if (naive.length > capacity) naive.shift();
          }
          for (let i = 0; i < 16; i++) expect(v.has(good[i]!)).toBe(naive.includes(i));
          expect(v.size).toBe(naive.length);
        },
      ),
    );
  });
});

describe.each(['sync', 'async', 'workers'] as VerifyMode[])('Verifier (%s)', (mode) => {
  const verifier = new Verifier({ mode, workers: 2, maxBatch: 7 });
  afterAll(() => verifier.close());

  it('accepts good txs and rejects bad signature, wrong key and non-key senders', async () => {
    const results = await verifier.verifyTxs([...good, badSig, wrongKey, notAKey]);
    expect(results).toEqual([...good.map(() => true), false, false, false]);
    expect(verifier.isVerified(good[0]!)).toBe(true);
    expect(verifier.isVerified(badSig)).toBe(false);
    expect(verifier.verifyTxSync(badSig)).toBe(false);
  });

  it('verifies a block: proposer signature and every tx', async () => {
    const fields = { chainId: 'ehr-test', height: 1, parentHash: new Uint8Array(32), stateHeight: 0 };
    const rest = { stateRoot: new Uint8Array(32), term: 1, time: 1 };
    const block = buildBlock({ ...fields, ...rest }, good.slice(0, 10), testSigner(9));
    expect(await verifier.verifyBlock(block)).toBeNull();
    const withBad = buildBlock({ ...fields, ...rest }, [good[0]!, badSig], testSigner(9));
    expect(await verifier.verifyBlock(withBad)).toBe(1);
    expect(await verifier.verifyBlock({ ...block, signature: new Uint8Array(64) })).toBe(-1);
  });

  it('a batch mixing txs verified before with new ones answers each in its place, checking only the new', async () => {
    const fresh = new Verifier({ mode, workers: 2, maxBatch: 3 });
    const before = [makeTx(4, 50), makeTx(4, 51)];
    await fresh.verifyTxs(before);
    const batch = [makeTx(4, 52), before[0]!, badSig, before[1]!, makeTx(4, 53), wrongKey, makeTx(4, 54)];
    expect(await fresh.verifyTxs(batch)).toEqual([true, true, false, true, true, false, true]);
    expect(batch.map((t) => fresh.isVerified(t))).toEqual([true, true, false, true, true, false, true]);
    await fresh.close();
  });

  it('calls of successive turns, in flight together, each get their own verdicts', async () => {
    const fresh = new Verifier({ mode, workers: 2, maxBatch: 2 });
    const turns = [0, 1, 2, 3, 4, 5].map((t) =>
      t % 2 === 0 ? [makeTx(6, 100 + t), badSig, makeTx(6, 200 + t)] : [wrongKey, makeTx(6, 300 + t)],
    );
    const pending: Promise<boolean[]>[] = [];
    for (const txs of turns) {
      pending.push(fresh.verifyTxs(txs));
      // The next call lands in a later flush of the pool, while this one is still out.
      await new Promise((r) => setImmediate(r));
    }
    const expected = turns.map((txs) => txs.map((t) => t !== badSig && t !== wrongKey));
    expect(await Promise.all(pending)).toEqual(expected);
    await fresh.close();
  });

  it('a tx already verified is not verified again', async () => {
    const fresh = new Verifier({ mode, workers: 1 });
    const t = makeTx(5, 99);
    expect(await fresh.verifyTx(t)).toBe(true);
    let calls = 0;
    const spy = fresh.verify.bind(fresh);
    fresh.verify = (job) => {
      calls++;
      return spy(job);
    };
    expect(await fresh.verifyTx(t)).toBe(true);
    expect(fresh.verifyTxSync(t)).toBe(true);
    expect(calls).toBe(0);
    await fresh.close();
  });
});
