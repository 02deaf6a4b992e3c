/**
 * Property tests of the mempool against a naive model (plain maps, O(n) scans) over random
 * sequences of add / take / commit / requeue / foreign commits, and fairness invariants when full.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mempool } from '../../../node/mempool/mempool.js';
import { ChainError } from '../../../protocol/chain/errors.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { makeTx, testSigner } from '../chain/fixtures.js';

const SENDERS = [1, 2, 3, 4];
const MAX_NONCE = 9;
const WINDOW = 6;
// Precomputed txs[sender][nonce][variant]: signing in the loop would dominate the run time.
const TXS = SENDERS.map((w) =>
  Array.from({ length: MAX_NONCE + 1 }, (_, n) => [0, 1].map((v) => makeTx(w, n, { gasLimit: 1000 + v }))),
);
const tx = (s: number, n: number, v: number) => TXS[s]![n]![v]!;
const senderIndex = (t: SignedTx) =>
  SENDERS.findIndex((w) => testSigner(w).publicKey[0] === t.body.sender[0]);

type Op =
  | { op: 'add'; s: number; n: number; v: number }
  | { op: 'take'; k: number }
  | { op: 'commit'; k: number }
  | { op: 'requeue' }
  | { op: 'foreign'; s: number; v: number };

const arbOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('add' as const),
      s: fc.nat(3),
      n: fc.nat(MAX_NONCE),
      v: fc.nat(1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('take' as const), k: fc.integer({ min: 1, max: 6 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('commit' as const), k: fc.integer({ min: 1, max: 6 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'requeue' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('foreign' as const), s: fc.nat(3), v: fc.nat(1) }) },
);

/** The naive model: what the mempool must do when it never needs to evict. */
class Model {
  committed = SENDERS.map(() => 0);
  cursor = SENDERS.map(() => 0);
  pending = SENDERS.map(() => new Map<number, SignedTx>());
  inflight: SignedTx[] = [];

  add(t: SignedTx): string | undefined {
    const s = senderIndex(t);
    const n = t.body.nonce;
    if ([...this.pending[s]!.values()].includes(t)) return 'duplicate';
    if (n < this.committed[s]!) return 'nonce_stale';
    if (n >= this.committed[s]! + WINDOW) return 'nonce_gap';
    if (this.pending[s]!.has(n)) return 'nonce_duplicate';
    this.pending[s]!.set(n, t);
    return undefined;
  }

  commitOne(t: SignedTx): void {
    const s = senderIndex(t);
    if (t.body.nonce < this.committed[s]!) return;
    this.committed[s] = t.body.nonce + 1;
    for (const n of [...this.pending[s]!.keys()]) if (n < this.committed[s]!) this.pending[s]!.delete(n);
    this.cursor[s] = Math.max(this.cursor[s]!, this.committed[s]!);
    this.inflight = this.inflight.filter((x) => senderIndex(x) !== s || x.body.nonce >= this.committed[s]!);
  }

  available(s: number): number {
    let n = this.cursor[s]!;
    while (this.pending[s]!.has(n)) n++;
    return n - this.cursor[s]!;
  }
}

function run(ops: readonly Op[]): void {
  const model = new Model();
  const pool = new Mempool(
    { nonceWindow: WINDOW },
    {
      committedNonce: (pk) =>
        model.committed[SENDERS.findIndex((w) => testSigner(w).publicKey[0] === pk[0])]!,
    },
  );
  for (const o of ops) {
    if (o.op === 'add') {
      const t = tx(o.s, o.n, o.v);
      let got: string | undefined;
      try {
        expect(pool.add(t)).toEqual([]);
      } catch (e) {
        if (!(e instanceof ChainError)) throw e;
        got = e.code;
      }
      expect(got).toBe(model.add(t));
    } else if (o.op === 'take') {
      const avail = SENDERS.map((_, s) => model.available(s));
      const out = pool.take(o.k, Number.MAX_SAFE_INTEGER);
      const served = SENDERS.map(() => 0);
      for (const t of out) {
        const s = senderIndex(t);
        expect(t).toBe(model.pending[s]!.get(model.cursor[s]! + served[s]!)); // nonce order from the cursor
        served[s]!++;
      }
      expect(out.length).toBe(
        Math.min(
          o.k,
          avail.reduce((a, b) => a + b, 0),
        ),
      );
      // Round-robin: a sender that still had txs got at most one fewer than any other sender.
      for (let a = 0; a < SENDERS.length; a++) {
        if (served[a]! < avail[a]!) for (const b of served) expect(b).toBeLessThanOrEqual(served[a]! + 1);
      }
      served.forEach((c, s) => {
        model.cursor[s]! += c;
      });
      model.inflight.push(...out);
    } else if (o.op === 'commit') {
      const block = model.inflight.slice(0, o.k);
      pool.onCommitted(block);
      for (const t of block) model.commitOne(t);
    } else if (o.op === 'requeue') {
      pool.onRequeue(model.inflight);
      for (const t of model.inflight) {
        const s = senderIndex(t);
        model.cursor[s] = Math.max(model.committed[s]!, Math.min(model.cursor[s]!, t.body.nonce));
      }
      model.inflight = [];
    } else {
      const t = tx(o.s, Math.min(model.committed[o.s]!, MAX_NONCE), o.v);
      pool.onCommitted([t]);
      model.commitOne(t);
    }
    const total = model.pending.reduce((a, m) => a + m.size, 0);
    expect(pool.size).toBe(total);
    expect(pool.bytes).toBe(
      model.pending.reduce((a, m) => a + [...m.values()].reduce((b, t) => b + t.bytes.length, 0), 0),
    );
    SENDERS.forEach((w, s) => {
      expect(pool.pendingOf(testSigner(w).publicKey)).toBe(model.pending[s]!.size);
      let next = model.committed[s]!;
      while (model.pending[s]!.has(next)) next++;
      expect(pool.nextNonce(testSigner(w).publicKey)).toBe(next);
    });
  }
}

describe('mempool vs naive model', () => {
  it('agrees on admission, ordering, round-robin, commit and requeue', () => {
    fc.assert(
      fc.property(fc.array(arbOp, { maxLength: 80 }), (ops) => run(ops)),
      { numRuns: 400 },
    );
  });
});

describe('mempool fairness invariants when full', () => {
  it('never exceeds bounds; evicts only the largest holder, highest nonce first; refuses only when fair', () => {
    const size = tx(0, 0, 0).bytes.length;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined }),
        fc.array(fc.record({ s: fc.nat(3), n: fc.nat(MAX_NONCE), v: fc.nat(1) }), { maxLength: 60 }),
        (maxTxs, maxCountInBytes, adds) => {
          const maxBytes = maxCountInBytes === undefined ? 1e9 : maxCountInBytes * size;
          const pool = new Mempool({ maxTxs, maxBytes, nonceWindow: 16 }, { committedNonce: () => 0 });
          const held = SENDERS.map(() => new Set<number>());
          for (const a of adds) {
            const t = tx(a.s, a.n, a.v);
            const own = held[a.s]!.size;
            const before = held.map((h) => h.size);
            try {
              const evicted = pool.add(t);
              for (const e of evicted) {
                const v = senderIndex(e);
                expect(v).not.toBe(a.s);
                expect(held[v]!.size).toBeGreaterThanOrEqual(own + 2);
                expect(held[v]!.size).toBe(Math.max(...held.map((h) => h.size)));
                expect(e.body.nonce).toBe(Math.max(...held[v]!));
                held[v]!.delete(e.body.nonce);
              }
              held[a.s]!.add(a.n);
            } catch (e) {
              if (!(e instanceof ChainError)) throw e;
              if (e.code === 'mempool_full') {
                // Refused only if no other sender holds two more than this one (all txs here have the
                // same size, so at most one eviction is ever needed).
                expect(before.some((c, s) => s !== a.s && c >= own + 2 && c === Math.max(...before))).toBe(
                  false,
                );
              } else expect(['duplicate', 'nonce_duplicate']).toContain(e.code);
            }
            expect(pool.size).toBe(held.reduce((x, h) => x + h.size, 0));
            expect(pool.size).toBeLessThanOrEqual(maxTxs);
            expect(pool.bytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
