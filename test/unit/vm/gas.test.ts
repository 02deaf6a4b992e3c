import { describe, expect, it } from 'vitest';
import { CALL_BASE_GAS, DEPLOY_GAS, GAS_PER_BYTE } from '../../../vm/isa.js';
import { deploySrc, runAsm } from './helpers.js';

// gasUsed = CALL_BASE_GAS + callData bytes (method name "main" = 4) + instructions.
const BASE = CALL_BASE_GAS + 4 * GAS_PER_BYTE.callData;

describe('gas', () => {
  it('charges the base cost per instruction', () => {
    // PUSHI8 (1) + PUSHI8 (1) + ADD (1) + POP (1) + RET (2)
    expect(runAsm([['PUSHI8', 1], ['PUSHI8', 2], ['ADD'], ['POP'], ['RET']]).gasUsed).toBe(BASE + 6);
  });
  it('charges per byte of storage written and read', () => {
    const w = runAsm([['PUSHC', 'kk'], ['PUSHC', 'vvvv'], ['SSET', 'm:'], ['RET']]);
    // 2 PUSHC + SSET 200 + (2 prefix + 2 key + 4 value) * storageWrite + RET 2
    expect(w.gasUsed).toBe(BASE + 2 + 200 + 8 * GAS_PER_BYTE.storageWrite + 2);
    const r = runAsm([
      ['PUSHC', 'kk'],
      ['PUSHC', 'vvvv'],
      ['SSET', 'm:'],
      ['PUSHC', 'kk'],
      ['SGET', 'm:'],
      ['RETV'],
    ]);
    const readGas = 1 + 100 + 8 * GAS_PER_BYTE.storageRead;
    expect(r.gasUsed).toBe(w.gasUsed + readGas + 4 * GAS_PER_BYTE.returnData);
  });
  it('charges per byte hashed, emitted and returned', () => {
    const h = (n: number) => runAsm([['PUSHC', new Uint8Array(n)], ['SHA256'], ['POP'], ['RET']]).gasUsed;
    expect(h(100) - h(0)).toBe(100 * GAS_PER_BYTE.hash);
    const e = (n: number) => runAsm([['PUSHC', new Uint8Array(n)], ['EMIT', 'E', 1], ['RET']]).gasUsed;
    expect(e(10) - e(0)).toBe(10 * GAS_PER_BYTE.event);
    const ret = (n: number) => runAsm([['PUSHC', new Uint8Array(n)], ['RETV']]).gasUsed;
    expect(ret(50) - ret(0)).toBe(50 * GAS_PER_BYTE.returnData);
  });
  it('charges per started 32 bytes of memory produced', () => {
    const c = (n: number) =>
      runAsm([['PUSHC', new Uint8Array(n)], ['PUSHC', 'x'], ['CONCAT'], ['POP'], ['RET']]).gasUsed;
    expect(c(31) - c(30)).toBe(0);
    expect(c(32) - c(31)).toBe(1);
  });
  it('out of gas reverts with all of the limit used', () => {
    const full = runAsm([['PUSHI8', 1], ['POP'], ['RET']]);
    const r = runAsm([['PUSHI8', 1], ['POP'], ['RET']], { gasLimit: full.gasUsed - 1 });
    expect(r).toMatchObject({
      status: 'reverted',
      error: 'out_of_gas',
      errorKind: 'vm',
      gasUsed: full.gasUsed - 1,
    });
    expect(runAsm([['PUSHI8', 1], ['POP'], ['RET']], { gasLimit: full.gasUsed }).status).toBe('ok');
  });
  it('a gas limit below the intrinsic cost fails before running', () => {
    expect(runAsm([['RET']], { gasLimit: 10 })).toMatchObject({ error: 'out_of_gas', gasUsed: 10 });
    expect(runAsm([['RET']], { gasLimit: -1 })).toMatchObject({ error: 'out_of_gas', gasUsed: 0 });
    expect(runAsm([['RET']], { gasLimit: 1.5 })).toMatchObject({ error: 'out_of_gas', gasUsed: 0 });
  });
  it('per-byte charges can exhaust gas mid-instruction (no partial writes survive)', () => {
    const d = deploySrc('map m: bytes -> bytes; export fn put(v: bytes) { m["k"] = v; }');
    const big = new Uint8Array(10_000);
    const r = d.call('put', [big], { gasLimit: 20_000 });
    expect(r.error).toBe('out_of_gas');
    expect(d.state.entries().filter(([k]) => k[3] === 0x73).length).toBe(0);
  });
  it('same call, same gas: gas does not depend on state history or caching', () => {
    const src = 'map m: bytes -> int; export fn f(k: bytes) -> int { m[k] = m[k] + 1; return m[k]; }';
    const a = deploySrc(src);
    const b = deploySrc(src);
    a.call('f', ['x']);
    a.call('f', ['y']);
    b.call('f', ['y']);
    expect(a.call('f', ['x']).gasUsed).toBe(b.call('f', ['y']).gasUsed);
  });
  it('deploy gas is base plus per byte of code', () => {
    expect(DEPLOY_GAS.base).toBeGreaterThan(0);
    expect(DEPLOY_GAS.perByte).toBeGreaterThan(0);
  });
});
