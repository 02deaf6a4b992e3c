import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountBuckets, type CountNode, noCount } from '../../../node/mempool/buckets.js';
import { Mempool } from '../../../node/mempool/mempool.js';
import { notQueued, type ReadyNode, ReadyQueue } from '../../../node/mempool/ready.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { makeTx, testSigner } from '../chain/fixtures.js';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ChainError) return e.code;
    throw e;
  }
  return undefined;
}

const nonces = (txs: readonly SignedTx[]) => txs.map((t) => t.body.nonce);
const who = (t: SignedTx) => [1, 2, 3, 4, 5, 6].find((n) => testSigner(n).publicKey[0] === t.body.sender[0]);

describe('mempool admission', () => {
  it('refuses duplicates, replays, same-nonce conflicts and nonces beyond the window', () => {
    const committed = new Map<number, number>([[1, 3]]);
    const pool = new Mempool(
      { nonceWindow: 4 },
      { committedNonce: (s) => (s[0] === testSigner(1).publicKey[0] ? (committed.get(1) ?? 0) : 0) },
    );
    const tx = makeTx(1, 3);
    expect(pool.add(tx)).toEqual([]);
    expect(code(() => pool.add(tx))).toBe('duplicate');
    expect(code(() => pool.add(makeTx(1, 2)))).toBe('nonce_stale');
    expect(code(() => pool.add(makeTx(1, 3, { gasLimit: 7 })))).toBe('nonce_duplicate');
    expect(code(() => pool.add(makeTx(1, 7)))).toBe('nonce_gap');
    expect(pool.add(makeTx(1, 6))).toEqual([]);
    expect(pool.size).toBe(2);
    expect(pool.nextNonce(testSigner(1).publicKey)).toBe(4);
    expect(pool.has(tx.hash)).toBe(true);
    expect(pool.get(tx.hash)).toBe(tx);
  });

  it('hands a sender out only in nonce order from its committed nonce', () => {
    const pool = new Mempool({}, { committedNonce: () => 0 });
    pool.add(makeTx(1, 2));
    pool.add(makeTx(1, 1));
    expect(pool.take(10, 1e9)).toEqual([]);
    pool.add(makeTx(1, 0));
    expect(nonces(pool.take(10, 1e9))).toEqual([0, 1, 2]);
    expect(pool.take(10, 1e9)).toEqual([]);
    pool.add(makeTx(1, 3));
    expect(nonces(pool.take(10, 1e9))).toEqual([3]);
  });

  it('takes round-robin across senders and respects maxTxs and maxBytes', () => {
    const pool = new Mempool({}, { committedNonce: () => 0 });
    for (const w of [1, 2, 3]) for (let n = 0; n < 3; n++) pool.add(makeTx(w, n));
    const first = pool.take(4, 1e9);
    expect(first.map(who)).toEqual([1, 2, 3, 1]);
    const size = first[0]!.bytes.length;
    const next = pool.take(10, size * 2 + 1);
    expect(next.map(who)).toEqual([2, 3]);
    expect(pool.take(10, 1e9).map((t) => [who(t), t.body.nonce])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });

  it('onCommitted removes txs, advances nonces and drops conflicting pending txs', () => {
    const pool = new Mempool({}, { committedNonce: () => 0 });
    const a = [0, 1, 2].map((n) => makeTx(1, n));
    for (const t of a) pool.add(t);
    pool.add(makeTx(2, 0));
    const taken = pool.take(2, 1e9);
    pool.onCommitted(taken);
    expect(pool.size).toBe(2);
    // A block from elsewhere commits a different tx with sender 1's nonce 1.
    pool.onCommitted([makeTx(1, 1, { gasLimit: 5 })]);
    expect(pool.size).toBe(1);
    expect(pool.pendingOf(testSigner(1).publicKey)).toBe(1);
    expect(nonces(pool.take(10, 1e9))).toEqual([2]);
    expect(code(() => pool.add(makeTx(1, 1)))).toBe('nonce_stale');
  });

  it('remembers committed nonces when state lags (nonceOf still says 0)', () => {
    const pool = new Mempool({}, { committedNonce: () => 0 });
    const t0 = makeTx(1, 0);
    pool.add(t0);
    pool.onCommitted(pool.take(1, 1e9));
    expect(pool.senderCount).toBe(0);
    expect(code(() => pool.add(t0))).toBe('nonce_stale');
    pool.onCommitted([makeTx(2, 0)]);
    expect(code(() => pool.add(makeTx(2, 0)))).toBe('nonce_stale');
    expect(pool.nextNonce(testSigner(2).publicKey)).toBe(1);
  });

  it('onRequeue hands txs of a lost block out again, re-admitting evicted ones', () => {
    const pool = new Mempool({ maxTxs: 4 }, { committedNonce: () => 0 });
    for (let n = 0; n < 3; n++) pool.add(makeTx(1, n));
    const block1 = pool.take(2, 1e9);
    const block2 = pool.take(2, 1e9);
    expect(nonces(block1)).toEqual([0, 1]);
    expect(nonces(block2)).toEqual([2]);
    pool.onRequeue([...block1, ...block2]);
    expect(nonces(pool.take(10, 1e9))).toEqual([0, 1, 2]);
    // Evict sender 1's in-flight txs by filling the pool from small senders, then requeue.
    pool.onRequeue([...block1, ...block2]);
    pool.add(makeTx(2, 0));
    expect(pool.add(makeTx(3, 0)).map((t) => t.body.nonce)).toEqual([2]);
    expect(pool.size).toBe(4);
    pool.onCommitted([makeTx(2, 0), makeTx(3, 0)]);
    pool.onRequeue([...block1, ...block2]);
    expect(nonces(pool.take(10, 1e9))).toEqual([0, 1, 2]);
  });
});

describe('mempool sender keys', () => {
  it('keeps apart senders whose keys share the bytes that pick their cache slot', () => {
    // Unsigned txs: the mempool trusts admission for signatures and reads only sender and nonce.
    const tx = (sender: Uint8Array, nonce: number): SignedTx => {
      const hash = new Uint8Array(32);
      hash.set(sender.subarray(0, 8));
      hash[31] = nonce;
      const body = { chainId: 'c', sender, nonce, gasLimit: 1, contract: 'kv', method: 'put', args: [] };
      return { body, signature: new Uint8Array(64), hash, bytes: new Uint8Array(100) };
    };
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(1);
    b[5] = 2;
    const pool = new Mempool({}, { committedNonce: () => 0 });
    for (const s of [a, b, a, b]) pool.add(tx(s, pool.nextNonce(s)));
    expect([pool.pendingOf(a), pool.pendingOf(b)]).toEqual([2, 2]);
    expect(pool.senderCount).toBe(2);
    pool.onCommitted([tx(a, 0), tx(a, 1)]);
    expect([pool.pendingOf(a), pool.pendingOf(b), pool.nextNonce(a), pool.nextNonce(b)]).toEqual([
      0, 2, 2, 2,
    ]);
  });
});

describe('mempool fairness when full', () => {
  it('a small sender displaces the largest holder, highest nonces first', () => {
    const pool = new Mempool({ maxTxs: 10 }, { committedNonce: () => 0 });
    for (let n = 0; n < 8; n++) pool.add(makeTx(1, n));
    pool.add(makeTx(2, 0));
    pool.add(makeTx(2, 1));
    expect(nonces(pool.add(makeTx(3, 0)))).toEqual([7]);
    expect(nonces(pool.add(makeTx(4, 0)))).toEqual([6]);
    expect(pool.size).toBe(10);
    expect(pool.pendingOf(testSigner(1).publicKey)).toBe(6);
    // The flooder cannot displace anyone (it is the largest), nor can a sender holding almost as much.
    expect(code(() => pool.add(makeTx(1, 6)))).toBe('mempool_full');
    // Sender 5 may displace while sender 1 holds at least two more than sender 5 does.
    for (let i = 0; i < 3; i++) expect(nonces(pool.add(makeTx(5, i)))).toEqual([5 - i]);
    expect(pool.pendingOf(testSigner(1).publicKey)).toBe(3);
    expect(code(() => pool.add(makeTx(5, 3)))).toBe('mempool_full');
  });

  it('frees enough bytes by evicting several txs, or refuses without evicting anything', () => {
    const small = makeTx(1, 0).bytes.length;
    const pool = new Mempool({ maxBytes: small * 6 + 10 }, { committedNonce: () => 0 });
    for (let n = 0; n < 6; n++) pool.add(makeTx(1, n));
    const big = makeTx(2, 0, { args: [new Uint8Array(small * 2)] });
    const evicted = pool.add(big);
    expect(nonces(evicted)).toEqual([5, 4, 3]);
    expect(pool.bytes).toBeLessThanOrEqual(small * 6 + 10);
    const before = pool.size;
    const huge = makeTx(3, 0, { args: [new Uint8Array(small * 5)] });
    expect(code(() => pool.add(huge))).toBe('mempool_full');
    expect(pool.size).toBe(before);
  });
});

interface Item extends CountNode, ReadyNode {
  readonly name: string;
}
const item = (name: string): Item => ({ name, ...noCount, ...notQueued });

describe('CountBuckets', () => {
  it('tracks the largest holder', () => {
    const b = new CountBuckets<Item>();
    const [a, c] = [item('a'), item('b')];
    expect(b.maxItem()).toBeUndefined();
    b.inc(a);
    b.inc(c);
    b.inc(c);
    expect(b.maxItem()).toBe(c);
    b.dec(c);
    b.dec(c);
    expect(b.maxItem()).toBe(a);
    expect(b.size).toBe(1);
    b.dec(a);
    b.dec(a);
    expect(b.maxCount).toBe(0);
  });

  it('names the earliest item to reach the highest count, as a map of counts and a Set per count would', () => {
    const names = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(fc.array(fc.record({ i: fc.nat(3), up: fc.boolean() }), { maxLength: 60 }), (ops) => {
        const b = new CountBuckets<Item>();
        const items = names.map(item);
        const counts = new Map<string, number>();
        const sets: Set<string>[] = [new Set()];
        for (const { i, up } of ops) {
          const x = items[i]!;
          const c = counts.get(x.name) ?? 0;
          if (!up && c === 0) continue;
          if (c > 0) sets[c]!.delete(x.name);
          const n = up ? c + 1 : c - 1;
          if (n === 0) counts.delete(x.name);
          else {
            counts.set(x.name, n);
            if (sets[n] === undefined) sets[n] = new Set();
            sets[n].add(x.name);
          }
          if (up) b.inc(x);
          else b.dec(x);
          const max = Math.max(0, ...counts.values());
          expect(b.maxCount).toBe(max);
          expect(b.maxItem()?.name).toBe(max === 0 ? undefined : sets[max]!.values().next().value);
          expect(b.size).toBe(counts.size);
        }
      }),
    );
  });
});

describe('ReadyQueue', () => {
  it('keeps the order of a Set: adding a member keeps its place, deleting and adding moves it last', () => {
    const names = ['a', 'b', 'c', 'd'];
    fc.assert(
      fc.property(fc.array(fc.record({ i: fc.nat(3), add: fc.boolean() }), { maxLength: 60 }), (ops) => {
        const q = new ReadyQueue<Item>();
        const items = names.map(item);
        const set = new Set<string>();
        for (const { i, add } of ops) {
          const x = items[i]!;
          if (add) {
            q.add(x);
            set.add(x.name);
          } else {
            q.delete(x);
            set.delete(x.name);
          }
          expect(q.size).toBe(set.size);
          expect(q.first()?.name).toBe(set.values().next().value);
        }
        const drained: string[] = [];
        for (let x = q.first(); x !== undefined; x = q.first()) {
          drained.push(x.name);
          q.delete(x);
        }
        expect(drained).toEqual([...set]);
      }),
    );
  });
});
