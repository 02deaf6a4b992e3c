/**
 * The executor's string-keyed fast paths (the nonce read and write by key string, one prefixed view
 * per contract and block) against the same executor over an overlay that only speaks bytes: same
 * receipts, same writes, same root, on random blocks of kv txs with good and bad nonces and failing
 * and throwing calls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKvContract, KV_CONTRACT_ID } from '../../../node/contracts/kv.js';
import type { ContractHandler } from '../../../node/state/executor.js';
import { JournaledState } from '../../../node/state/journal.js';
import { createExecutor } from '../../../node/state/registry.js';
import type { JournaledStateView } from '../../../node/state/view.js';
import { WorldState } from '../../../node/state/world.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import { ctx, hex, tx, u } from './helpers.js';

/** A contract that writes, then fails or throws when told to. */
const flaky: ContractHandler = {
  call(c) {
    c.storage.set(u('touched'), c.args[0] ?? u('yes'));
    if (c.method === 'fail') return { ok: false, error: 'unauthorised', gasUsed: 7 };
    if (c.method === 'throw') throw new Error('bug');
    return { ok: true, gasUsed: 1 };
  },
  query: () => ({ ok: false, error: 'unknown_method' }),
};

/** The block overlay seen through bytes only: no getStr / setStr / deleteStr. */
class BytesOnly implements JournaledStateView {
  constructor(readonly inner: JournaledState) {}
  get = (k: Uint8Array) => this.inner.get(k);
  set = (k: Uint8Array, v: Uint8Array) => this.inner.set(k, v);
  delete = (k: Uint8Array) => this.inner.delete(k);
  checkpoint = () => this.inner.checkpoint();
  commit = () => this.inner.commit();
  revert = () => this.inner.revert();
}

const arbTx = fc
  .record({
    who: fc.integer({ min: 1, max: 3 }),
    nonceSkew: fc.constantFrom(0, 0, 0, -1, 1),
    contract: fc.constantFrom(KV_CONTRACT_ID, 'flaky', 'missing'),
    method: fc.constantFrom('put', 'delete', 'fail', 'throw'),
    key: fc.constantFrom('a', 'b', 'c'),
    value: fc.string({ maxLength: 4 }),
  })
  .map((t) => ({ ...t, args: t.method === 'delete' ? [u(t.key)] : [u(t.key), u(t.value)] }));

describe('executor string paths', () => {
  it('give the receipts, writes and root of the bytes-only path', () => {
    const exec = createExecutor({ contracts: { [KV_CONTRACT_ID]: createKvContract(), flaky } });
    fc.assert(
      fc.property(fc.array(fc.array(arbTx, { maxLength: 12 }), { maxLength: 6 }), (blocks) => {
        const fast = new WorldState();
        const slow = new WorldState();
        const nonces = new Map<number, number>();
        blocks.forEach((specs, h) => {
          const txs: SignedTx[] = specs.map((s) => {
            const n = nonces.get(s.who) ?? 0;
            const nonce = Math.max(0, n + s.nonceSkew);
            if (nonce === n) nonces.set(s.who, n + 1);
            return tx(s.who, nonce, s.contract, s.method, s.args);
          });
          const a = new JournaledState(fast);
          const b = new JournaledState(slow);
          const ra = exec.executeBlock(ctx(h + 1), txs, a);
          const rb = exec.executeBlock(ctx(h + 1), txs, new BytesOnly(b));
          expect(ra).toEqual(rb);
          const wa = a.writes().map((w) => [hex(w.key), w.value === null ? null : hex(w.value)]);
          const wb = b.writes().map((w) => [hex(w.key), w.value === null ? null : hex(w.value)]);
          expect(wa.sort()).toEqual(wb.sort());
          expect(hex(fast.apply(a.writes()))).toBe(hex(slow.apply(b.writes())));
        });
      }),
      { numRuns: 150 },
    );
  });
});
