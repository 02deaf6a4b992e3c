import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeSliced } from '../../../node/blocks/sliced-exec.js';
import { createKvContract, KV_CONTRACT_ID } from '../../../node/contracts/kv.js';
import { createNoopExecutor } from '../../../node/contracts/noop.js';
import type { ContractHandler } from '../../../node/state/executor.js';
import { JournaledState } from '../../../node/state/journal.js';
import { createExecutor } from '../../../node/state/registry.js';
import { WorldState } from '../../../node/state/world.js';
import { ctx, hex, put, tx, u } from '../state/helpers.js';

/** A contract that fails when told to: reverts inside a slice must stay reverts. */
const picky: ContractHandler = {
  call(c) {
    c.storage.set(u('seen'), c.args[0] ?? u('-'));
    if (c.method === 'fail') return { ok: false, error: 'unauthorised', gasUsed: 2 };
    return { ok: true, gasUsed: 1 };
  },
  query: () => ({ ok: false, error: 'unknown_method' }),
};

const executor = createExecutor({ contracts: { [KV_CONTRACT_ID]: createKvContract(), picky } });

/** One block of `n` txs from 5 senders: puts, overwrites, a nonce gap, and failing calls. */
function block(n: number, seed: number) {
  const nonces = [0, 0, 0, 0, 0];
  return Array.from({ length: n }, (_, i) => {
    const who = (i * 7 + seed) % 5;
    const k = (i * 31 + seed) % 9;
    if (k === 0) return tx(who + 1, nonces[who]! + 5, 'kv', 'put', [u('gap'), u('x')]); // nonce too high
    const nonce = nonces[who]!++;
    if (k === 1) return tx(who + 1, nonce, 'picky', 'fail', [u(`f${i}`)]);
    return put(who + 1, nonce, `key${(i * 13) % 17}`, `v${i}`);
  });
}

/** Receipts and the journal's writes, as comparable values. */
async function run(
  txs: ReturnType<typeof block>,
  sliceMs: number,
  now?: () => number,
  hold?: () => Promise<void> | null,
) {
  const journal = new JournaledState(new WorldState());
  const res = await executeSliced(executor, ctx(3), txs, journal, sliceMs, now, hold);
  return {
    receipts: res.receipts.map((r) => ({ ...r, txHash: hex(r.txHash) })),
    gasUsed: res.gasUsed,
    writes: journal.writes().map((w) => [hex(w.key), w.value === null ? null : hex(w.value)]),
    depth: journal.depth,
  };
}

/** A clock that moves `step` ms every time it is read: forces a yield at every check. */
function racingClock(step: number) {
  let t = 0;
  return () => (t += step);
}

describe('executing a committed block in slices', () => {
  it('gives the receipts and writes of executing it in one piece, wherever the slices fall', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        async (n, seed, step) => {
          const txs = block(n, seed);
          const whole = await run(txs, 0);
          const sliced = await run(txs, 10, racingClock(step));
          expect(sliced).toEqual(whole);
          expect(sliced.depth).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('numbers each receipt by its position in the block, not in its slice', async () => {
    const txs = block(40, 1);
    const { receipts } = await run(txs, 1, racingClock(5));
    expect(receipts.map((r) => r.index)).toEqual(txs.map((_, i) => i));
  });

  it('lets a timer that fell due meanwhile run before the block is done', async () => {
    const txs = block(64, 2);
    const order: string[] = [];
    const timer = new Promise<void>((resolve) =>
      setImmediate(() => {
        order.push('timer');
        resolve();
      }),
    );
    const done = run(txs, 1, racingClock(5)).then(() => order.push('block'));
    await Promise.all([timer, done]);
    expect(order).toEqual(['timer', 'block']);
  });

  it('runs in one piece, yielding nothing, with a slice of 0', async () => {
    const txs = block(64, 3);
    const order: string[] = [];
    setImmediate(() => order.push('timer'));
    await run(txs, 0, racingClock(1000)).then(() => order.push('block'));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['block', 'timer']);
  });

  it('waits at a slice boundary while held, and finishes with the same result once released', async () => {
    const txs = block(64, 5);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    let holding = false;
    let waits = 0;
    const hold = () => {
      if (!holding) return null;
      waits++;
      return held;
    };
    let finished = false;
    const sliced = run(txs, 1, racingClock(5), hold).then((r) => {
      finished = true;
      return r;
    });
    holding = true; // the leader is lost while the block runs: it stops at the next boundary
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect([finished, waits]).toEqual([false, 1]);
    holding = false;
    release();
    expect(await sliced).toEqual(await run(txs, 0));
  });

  it('waits before a block starts while held, even a block too small to slice', async () => {
    const order: string[] = [];
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const done = run(block(4, 6), 10, racingClock(1), () => held).then(() => order.push('block'));
    await new Promise((r) => setImmediate(r));
    order.push('released');
    release();
    await done;
    expect(order).toEqual(['released', 'block']);
  });

  it('numbers the noop executor receipts by block position too', () => {
    const noop = createNoopExecutor();
    const txs = block(10, 4);
    const part = noop.executeBlock(ctx(1), txs, new JournaledState(new WorldState()), { from: 4, to: 7 });
    expect(part.receipts.map((r) => r.index)).toEqual([4, 5, 6]);
  });
});
