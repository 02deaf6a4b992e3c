import { describe, expect, it } from 'vitest';
import { createKvContract, KV_CONTRACT_ID } from '../../../node/contracts/kv.js';
import { createNoopExecutor } from '../../../node/contracts/noop.js';
import type { ContractHandler } from '../../../node/state/executor.js';
import { RevertCode } from '../../../node/state/executor.js';
import { JournaledState } from '../../../node/state/journal.js';
import { contractPrefix, nonceKey, prefixed } from '../../../node/state/keys.js';
import { createExecutor, nextNonce } from '../../../node/state/registry.js';
import { WorldState } from '../../../node/state/world.js';
import { ctx, hex, put, tx, u } from './helpers.js';

/** A contract that writes, then fails when told to, or throws. */
const flaky: ContractHandler = {
  call(c) {
    c.storage.set(u('touched'), c.args[0] ?? u('yes'));
    if (c.method === 'fail') return { ok: false, error: 'unauthorised', gasUsed: 7 };
    if (c.method === 'throw') throw new Error('bug');
    if (c.method === 'greedy') return { ok: true, gasUsed: c.gasLimit + 1 };
    return { ok: true, gasUsed: 1, events: [{ name: 'Touched', data: [u('x')] }], returnData: u('r') };
  },
  query: () => ({ ok: false, error: 'unknown_method' }),
};

function setup() {
  const world = new WorldState();
  const exec = createExecutor({ contracts: { [KV_CONTRACT_ID]: createKvContract(), flaky } });
  const run = (height: number, txs: ReturnType<typeof put>[]) => {
    const view = new JournaledState(world);
    const res = exec.executeBlock(ctx(height), txs, view);
    expect(view.depth).toBe(0);
    world.apply(view.writes());
    return res;
  };
  return { world, exec, run };
}

describe('executor: kv contract', () => {
  it('put, get (query), delete', () => {
    const { world, exec, run } = setup();
    const r1 = run(1, [put(1, 0, 'k', 'hello'), put(1, 1, 'k2', 'x')]);
    expect(r1.receipts.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(r1.receipts[0]).toMatchObject({ height: 1, index: 0, gasUsed: 6 });
    expect(r1.gasUsed).toBe(6 + 3);
    const got = exec.query(world, 'kv', 'get', [u('k')]);
    expect(got).toEqual({ ok: true, returnData: u('hello') });
    // Stored under the kv contract's prefix, nowhere else.
    expect(world.get(prefixed(contractPrefix('kv'), u('k')))).toEqual(u('hello'));
    expect(world.get(u('k'))).toBeUndefined();
    run(2, [tx(1, 2, 'kv', 'delete', [u('k')])]);
    expect(exec.query(world, 'kv', 'get', [u('k')])).toEqual({ ok: false, error: 'not_found' });
    expect(exec.query(world, 'kv', 'nope', [u('k')])).toEqual({ ok: false, error: 'unknown_method' });
    expect(exec.query(world, 'other', 'get', [u('k')])).toEqual({ ok: false, error: 'unknown_contract' });
  });

  it('reverts bad args, unknown methods and gas above the limit, consuming the nonce', () => {
    const { world, run } = setup();
    const res = run(1, [
      tx(1, 0, 'kv', 'put', [u('only-key')]),
      tx(1, 1, 'kv', 'frobnicate', []),
      put(1, 2, 'key', 'value', { gasLimit: 3 }),
      tx(1, 3, 'nope', 'put', []),
    ]);
    expect(res.receipts.map((r) => r.error)).toEqual([
      'bad_args',
      'unknown_method',
      'out_of_gas',
      'unknown_contract',
    ]);
    expect(res.receipts[2]!.gasUsed).toBe(3);
    expect(nextNonce(world, new Uint8Array(32).fill(1))).toBe(4);
    expect(world.size).toBe(1); // only the nonce
  });
});

describe('executor: nonces', () => {
  it('stale, duplicate and ahead nonces give a receipt error, not a crash, and change nothing', () => {
    const { world, run } = setup();
    const a = put(1, 0, 'a', '1');
    const res = run(1, [a, a, put(1, 5, 'b', '2'), put(2, 0, 'c', '3'), put(1, 1, 'd', '4')]);
    expect(res.receipts.map((r) => r.error ?? r.status)).toEqual([
      'ok',
      RevertCode.NonceTooLow,
      RevertCode.NonceTooHigh,
      'ok',
      'ok',
    ]);
    expect(res.receipts[1]!.gasUsed).toBe(0);
    expect(nextNonce(world, new Uint8Array(32).fill(1))).toBe(2);
    expect(nextNonce(world, new Uint8Array(32).fill(2))).toBe(1);
    const later = run(2, [a]);
    expect(later.receipts[0]!.error).toBe(RevertCode.NonceTooLow);
  });

  it('a tx for another chain is refused without consuming its nonce', () => {
    const { world, run } = setup();
    const res = run(1, [put(1, 0, 'a', '1', { chainId: 'other' }), put(1, 0, 'a', '1')]);
    expect(res.receipts.map((r) => r.error ?? r.status)).toEqual([RevertCode.WrongChain, 'ok']);
    expect(world.get(nonceKey(new Uint8Array(32).fill(1)))).toBeDefined();
  });
});

describe('executor: revert', () => {
  it('a failed or throwing tx leaves no trace but its nonce; a good one keeps its writes and events', () => {
    const { world, run } = setup();
    const before = hex(world.root());
    const res = run(1, [
      tx(1, 0, 'flaky', 'fail', []),
      tx(1, 1, 'flaky', 'throw', []),
      tx(1, 2, 'flaky', 'greedy', []),
    ]);
    expect(res.receipts.map((r) => r.error)).toEqual(['unauthorised', 'contract_panic', 'out_of_gas']);
    expect(res.receipts[0]!.gasUsed).toBe(7);
    expect(world.size).toBe(1);
    expect(nextNonce(world, new Uint8Array(32).fill(1))).toBe(3);
    expect(hex(world.root())).not.toBe(before);
    const ok = run(2, [tx(1, 3, 'flaky', 'go', [])]);
    expect(ok.receipts[0]).toMatchObject({ status: 'ok', returnData: u('r'), events: [{ name: 'Touched' }] });
    expect(world.get(prefixed(contractPrefix('flaky'), u('touched')))).toEqual(u('yes'));
  });

  it('a reverted tx does not undo earlier txs of the block that touched the same key', () => {
    const { exec, world, run } = setup();
    const res = run(1, [tx(1, 0, 'flaky', 'go', [u('v1')]), tx(1, 1, 'flaky', 'fail', [u('v2')])]);
    expect(res.receipts.map((r) => r.status)).toEqual(['ok', 'reverted']);
    expect(world.get(prefixed(contractPrefix('flaky'), u('touched')))).toEqual(u('v1'));
    expect(exec.query(world, 'kv', 'get', [u('touched')])).toEqual({ ok: false, error: 'not_found' });
  });
});

describe('journal', () => {
  it('nested checkpoints: inner revert, outer commit', () => {
    const world = new WorldState();
    world.apply([{ key: u('base'), value: u('0') }]);
    const j = new JournaledState(world);
    j.checkpoint();
    j.set(u('a'), u('1'));
    j.checkpoint();
    j.set(u('a'), u('2'));
    j.delete(u('base'));
    expect(j.get(u('base'))).toBeUndefined();
    j.revert();
    expect(j.get(u('a'))).toEqual(u('1'));
    expect(j.get(u('base'))).toEqual(u('0'));
    j.commit();
    expect(j.writes()).toEqual([{ key: u('a'), value: u('1'), keyStr: 'a' }]);
  });

  it('copies keys and values so later mutation by the caller cannot reach state', () => {
    const j = new JournaledState(new WorldState());
    const k = u('k');
    const v = u('v');
    j.set(k, v);
    v[0] = 0;
    k[0] = 0;
    expect(j.get(u('k'))).toEqual(u('v'));
  });

  it('refuses writes() with a checkpoint open, and unbalanced commit/revert', () => {
    const j = new JournaledState(new WorldState());
    expect(() => j.commit()).toThrow();
    expect(() => j.revert()).toThrow();
    j.checkpoint();
    expect(() => j.writes()).toThrow();
  });
});

describe('noop executor', () => {
  it('succeeds every tx without touching state', () => {
    const world = new WorldState();
    const view = new JournaledState(world);
    const res = createNoopExecutor().executeBlock(ctx(3), [put(1, 9, 'a', 'b'), put(1, 9, 'a', 'b')], view);
    expect(res.receipts.map((r) => [r.status, r.index, r.height])).toEqual([
      ['ok', 0, 3],
      ['ok', 1, 3],
    ]);
    expect(res.gasUsed).toBe(0);
    expect(view.writes()).toEqual([]);
  });
});
