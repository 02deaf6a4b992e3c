import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { toHex } from '../../../vm/bytes.js';
import { MemoryState } from '../../../vm/journal.js';
import {
  callContract,
  contractIdForName,
  deployContract,
  deployNamedContract,
  getContractCode,
  queryContract,
  resolveContract,
  storagePrefix,
  upgradeContract,
} from '../../../vm/runtime.js';
import { ALICE, compileOk, dec, enc, encodeInt } from './helpers.js';

const COUNTER = `
  map c: bytes -> int;
  export fn inc() -> int { c["n"] = c["n"] + 1; return c["n"]; }
  export fn get() -> int { return c["n"]; }
`;
const COUNTER_V2 = `
  map c: bytes -> int;
  export fn inc() -> int { c["n"] = c["n"] + 10; return c["n"]; }
  export fn get() -> int { return c["n"]; }
`;
const params = (contract: Uint8Array | string, method: string, args: Uint8Array[] = []) => ({
  contract,
  method,
  args,
  caller: ALICE,
  height: 1,
  time: 1,
  gasLimit: 100_000,
});

describe('runtime', () => {
  it('deploys code under its sha256 and calls methods by name', () => {
    const st = new MemoryState();
    const code = compileOk(COUNTER);
    const d = deployContract(st, code);
    if (!d.ok) throw new Error('deploy');
    expect(d.id).toEqual(d.codeHash);
    expect(getContractCode(st, d.id)).toEqual(code);
    expect(decodeInt(callContract(st, params(d.id, 'inc')).returnData)).toBe(1);
    expect(decodeInt(callContract(st, params(toHex(d.id), 'inc')).returnData)).toBe(2);
  });
  it('refuses to redeploy over an existing contract and refuses invalid code', () => {
    const st = new MemoryState();
    const code = compileOk(COUNTER);
    expect(deployContract(st, code).ok).toBe(true);
    expect(deployContract(st, code)).toEqual({ ok: false, error: 'already_deployed' });
    const bad = deployContract(st, new Uint8Array([1, 2, 3]));
    expect(bad).toMatchObject({ ok: false, error: 'invalid_code', detail: { code: 'truncated' } });
  });
  it('named contracts: genesis deploy, no second deploy, upgrade keeps storage', () => {
    const st = new MemoryState();
    expect(deployNamedContract(st, 'counter', compileOk(COUNTER)).ok).toBe(true);
    expect(deployNamedContract(st, 'counter', compileOk(COUNTER_V2))).toEqual({
      ok: false,
      error: 'already_deployed',
    });
    expect(deployNamedContract(st, 'Bad Name', compileOk(COUNTER))).toEqual({ ok: false, error: 'bad_name' });
    callContract(st, params('counter', 'inc'));
    const id = contractIdForName('counter');
    expect(resolveContract('counter')).toEqual(id);
    const up = upgradeContract(st, id, compileOk(COUNTER_V2));
    expect(up.ok).toBe(true);
    expect(decodeInt(callContract(st, params('counter', 'inc')).returnData)).toBe(11);
    expect(upgradeContract(st, contractIdForName('nobody'), compileOk(COUNTER_V2))).toEqual({
      ok: false,
      error: 'no_such_contract',
    });
  });
  it('query runs the same code and discards writes', () => {
    const st = new MemoryState();
    const d = deployContract(st, compileOk(COUNTER));
    if (!d.ok) throw new Error('deploy');
    const before = st.entries();
    const q = queryContract(st, params(d.id, 'inc'));
    expect(decodeInt(q.returnData)).toBe(1);
    expect(st.entries()).toEqual(before);
  });
  it('namespaces storage: two contracts with the same map do not see each other', () => {
    const st = new MemoryState();
    const a = deployContract(st, compileOk(COUNTER));
    const b = deployContract(st, compileOk(`${COUNTER}\nexport fn other() {}`));
    if (!a.ok || !b.ok) throw new Error('deploy');
    callContract(st, params(a.id, 'inc'));
    callContract(st, params(a.id, 'inc'));
    expect(decodeInt(callContract(st, params(b.id, 'get')).returnData)).toBe(0);
    const keys = st.entries().map(([k]) => k);
    const pa = storagePrefix(a.id);
    expect(keys.filter((k) => dec(k).startsWith('vm:store:')).every((k) => dec(k).startsWith(dec(pa)))).toBe(
      true,
    );
  });
  it('reports missing contracts, methods and bad args as VM reasons', () => {
    const st = new MemoryState();
    const d = deployContract(st, compileOk('export fn f(n: int, b: bytes) -> int { return n + len(b); }'));
    if (!d.ok) throw new Error('deploy');
    expect(callContract(st, params(new Uint8Array(32), 'f')).error).toBe('no_such_contract');
    expect(callContract(st, params('not a name!', 'f')).error).toBe('no_such_contract');
    expect(callContract(st, params(d.id, 'g')).error).toBe('no_such_method');
    expect(callContract(st, params(d.id, 'f', [encodeInt(1)])).error).toBe('bad_args');
    expect(callContract(st, params(d.id, 'f', [enc('1234567'), enc('')])).error).toBe('bad_args');
    expect(callContract(st, params(d.id, 'f', [new Uint8Array(8).fill(0x7f), enc('')])).error).toBe(
      'bad_args',
    );
    expect(decodeInt(callContract(st, params(d.id, 'f', [encodeInt(-3), enc('ab')])).returnData)).toBe(-1);
    expect(callContract(st, { ...params(d.id, 'f', [encodeInt(1), enc('')]), height: -1 }).error).toBe(
      'bad_args',
    );
  });
  it('only exported functions are methods', () => {
    const st = new MemoryState();
    const d = deployContract(st, compileOk('fn hidden() {} export fn shown() { hidden(); }'));
    if (!d.ok) throw new Error('deploy');
    expect(callContract(st, params(d.id, 'hidden')).error).toBe('no_such_method');
    expect(callContract(st, params(d.id, 'shown')).status).toBe('ok');
  });
  it('inputs: caller, height, time, args', () => {
    const st = new MemoryState();
    const d = deployContract(
      st,
      compileOk(`export fn env(a: bytes) -> bytes {
        return pack(caller(), height(), time(), argc(), arg(0));
      }`),
    );
    if (!d.ok) throw new Error('deploy');
    const r = callContract(st, { ...params(d.id, 'env', [enc('z')]), height: 12, time: 34 });
    expect(Array.from(r.returnData.subarray(2, 34))).toEqual(Array.from(ALICE));
  });
});
