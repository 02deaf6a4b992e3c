import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { Journal, MemoryState } from '../../../vm/journal.js';
import { deploySrc, enc, runAsm } from './helpers.js';

describe('revert and the journal', () => {
  const src = `
    map m: bytes -> int;
    export fn set(k: bytes, v: int) { m[k] = v; }
    export fn set_then(k: bytes, v: int, fail: int) {
      m[k] = v;
      delete m["keep"];
      require(!fail, "asked_to_fail");
    }
    export fn set_then_overflow(k: bytes) { m[k] = 1; m["x"] = 9007199254740991 + 1; }
    export fn get(k: bytes) -> int { return m[k]; }
  `;
  it('a contract revert undoes every write and delete of the call', () => {
    const d = deploySrc(src);
    d.call('set', ['keep', 5]);
    const before = d.state.entries();
    const r = d.call('set_then', ['a', 1, 1]);
    expect(r).toMatchObject({ status: 'reverted', error: 'asked_to_fail', errorKind: 'contract' });
    expect(d.state.entries()).toEqual(before);
    expect(d.call('set_then', ['a', 1, 0]).status).toBe('ok');
    expect(decodeInt(d.call('get', ['keep']).returnData)).toBe(0);
  });
  it('a VM failure (overflow) undoes the writes too', () => {
    const d = deploySrc(src);
    const before = d.state.entries();
    expect(d.call('set_then_overflow', ['a'])).toMatchObject({ error: 'overflow', errorKind: 'vm' });
    expect(d.state.entries()).toEqual(before);
  });
  it('REVERT reasons must be [a-z][a-z0-9_]*, at most 64 bytes, and not a VM code', () => {
    const rev = (b: Uint8Array | string) => runAsm([['PUSHC', b], ['REVERT']]);
    expect(rev('no_access').error).toBe('no_access');
    expect(rev('x'.repeat(64)).error).toBe('x'.repeat(64));
    expect(rev('x'.repeat(65)).error).toBe('bad_revert_reason');
    expect(rev('Bad').error).toBe('bad_revert_reason');
    expect(rev(new Uint8Array(0)).error).toBe('bad_revert_reason');
    expect(rev('out_of_gas')).toMatchObject({ error: 'bad_revert_reason', errorKind: 'vm' });
    expect(runAsm([['PUSHI8', 1], ['REVERT']]).error).toBe('bad_revert_reason');
  });
  it('gas used up to the revert is reported', () => {
    const r = runAsm([['PUSHI8', 1], ['POP'], ['PUSHC', 'stop'], ['REVERT']]);
    expect(r.gasUsed).toBeGreaterThan(0);
    expect(r.returnData.length).toBe(0);
  });
});

describe('Journal', () => {
  const k = (s: string) => enc(s);
  it('nested checkpoints: commit joins the parent, revert undoes back to the checkpoint', () => {
    const base = new MemoryState();
    base.set(k('a'), k('1'));
    const j = new Journal(base);
    j.checkpoint();
    j.set(k('a'), k('2'));
    j.checkpoint();
    j.set(k('b'), k('3'));
    j.delete(k('a'));
    j.commit();
    expect(j.depth).toBe(1);
    expect(base.get(k('a'))).toBeUndefined();
    j.checkpoint();
    j.set(k('c'), k('4'));
    j.revert();
    expect(base.get(k('c'))).toBeUndefined();
    expect(base.get(k('b'))).toEqual(k('3'));
    j.revert();
    expect(base.entries()).toEqual([[k('a'), k('1')]]);
  });
  it('writes outside a checkpoint go straight through', () => {
    const base = new MemoryState();
    const j = new Journal(base);
    j.set(k('x'), k('y'));
    j.revert();
    expect(base.get(k('x'))).toEqual(k('y'));
  });
});
