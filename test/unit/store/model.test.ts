import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { JournaledState } from '../../../node/state/journal.js';
import { nextNonce } from '../../../node/state/registry.js';
import { WorldState } from '../../../node/state/world.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { ctx, hex, sender, tx, u } from '../state/helpers.js';
import { applyBlock, kvExecutor, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One kv op: put or delete of one of a few keys, by one of a few senders. */
const arbOp = fc.record({
  who: fc.integer({ min: 1, max: 3 }),
  del: fc.boolean(),
  key: fc.constantFrom('a', 'b', 'c', 'd'),
  value: fc.string({ maxLength: 6 }),
});
const arbStep = fc.record({ ops: fc.array(arbOp, { maxLength: 6 }), reopen: fc.boolean() });

describe('ChainStore against an in-memory model', () => {
  it('random kv blocks with random reopens: state, roots and tx lookups match a replay in memory', async () => {
    let run = 0;
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    await fc.assert(
      fc.asyncProperty(fc.array(arbStep, { minLength: 1, maxLength: 8 }), async (steps) => {
        const path = `${dir}/m${run++}`;
        let store = await ChainStore.open(path, { syncRaft: false });
        const exec = kvExecutor();
        const model = new WorldState();
        const all: SignedTx[] = [];
        try {
          for (const [i, step] of steps.entries()) {
            const next = new Map<number, number>();
            const txs = step.ops.map((op) => {
              const n = next.get(op.who) ?? nextNonce(model, sender(op.who));
              next.set(op.who, n + 1);
              return op.del
                ? tx(op.who, n, 'kv', 'delete', [u(op.key)])
                : tx(op.who, n, 'kv', 'put', [u(op.key), u(op.value)]);
            });
            const view = new JournaledState(model);
            exec.executeBlock(ctx(i + 1), txs, view);
            model.apply(view.writes());
            await applyBlock(store, exec, txs);
            all.push(...txs);
            if (step.reopen) {
              await store.close();
              store = await ChainStore.open(path, { syncRaft: false });
            }
            expect(hex(store.stateRoot())).toBe(hex(model.root()));
            expect(store.state.sortedEntries()).toEqual(model.sortedEntries());
          }
          expect(store.latestHeight()).toBe(steps.length);
          for (const t of all) expect((await store.getTx(t.hash))?.receipt.txHash).toEqual(t.hash);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 15 },
    );
  });
});
