import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { deployAsm, deploySrc, runAsm, runFn } from './helpers.js';

const int = (r: { status: string; error?: string; returnData: Uint8Array }) => {
  expect(r.status, r.error).toBe('ok');
  return decodeInt(r.returnData);
};

describe('control flow: jumps, calls, returns', () => {
  it('JMPT/JMPF branch on non-zero / zero ints only', () => {
    const body = (c: number) =>
      runAsm([
        ['PUSHI8', c],
        ['JMPT', 'yes'],
        ['PUSHI8', 0],
        ['RETV'],
        { label: 'yes' },
        ['PUSHI8', 1],
        ['RETV'],
      ]);
    expect(int(body(5))).toBe(1);
    expect(int(body(0))).toBe(0);
    expect(runAsm([['PUSHC', 'x'], ['JMPF', 'l'], { label: 'l' }, ['RET']]).error).toBe('type_mismatch');
  });
  it('CALL binds params to locals and RETV returns one value to the caller', () => {
    const d = deployAsm([
      { name: 'main', exported: true, body: [['PUSHI8', 20], ['PUSHI8', 3], ['CALL', 'sub'], ['RETV']] },
      { name: 'sub', params: ['int', 'int'], locals: 3, body: [['LOAD', 0], ['LOAD', 1], ['SUB'], ['RETV']] },
    ]);
    expect(int(d.call('main'))).toBe(17);
  });
  it('RET discards whatever the callee left on the stack', () => {
    const d = deployAsm([
      { name: 'main', exported: true, body: [['PUSHI8', 9], ['CALL', 'junk'], ['RETV']] },
      { name: 'junk', body: [['PUSHI8', 1], ['PUSHI8', 2], ['RET']] },
    ]);
    expect(int(d.call('main'))).toBe(9);
  });
  it('deep recursion stops with call_depth', () => {
    const d = deployAsm([{ name: 'main', exported: true, body: [['CALL', 'main'], ['RET']] }]);
    expect(d.call('main').error).toBe('call_depth');
  });
  it('stack underflow and overflow revert with their codes', () => {
    expect(runAsm([['POP'], ['RET']]).error).toBe('stack_underflow');
    expect(runAsm([['ADD'], ['RET']]).error).toBe('stack_underflow');
    expect(runAsm([{ label: 'l' }, ['PUSHI8', 1], ['JMP', 'l']]).error).toBe('stack_overflow');
  });
  it('an infinite loop stops at the gas limit', () => {
    const r = runAsm([{ label: 'l' }, ['JMP', 'l']], { gasLimit: 5000 });
    expect(r.error).toBe('out_of_gas');
    expect(r.gasUsed).toBe(5000);
  });
});

describe('control flow in the language', () => {
  it('if / else if / else', () => {
    const d = deploySrc(`
      export fn sign(x: int) -> int {
        if (x < 0) { return -1; } else if (x == 0) { return 0; } else { return 1; }
      }`);
    expect(int(d.call('sign', [-5]))).toBe(-1);
    expect(int(d.call('sign', [0]))).toBe(0);
    expect(int(d.call('sign', [9]))).toBe(1);
  });
  it('while with break and continue', () => {
    const r = runFn(
      'int',
      `let i = 0; let sum = 0;
       while (1) {
         i = i + 1;
         if (i > 10) { break; }
         if (i % 2 == 0) { continue; }
         sum = sum + i;
       }
       return sum;`,
    );
    expect(int(r)).toBe(25);
  });
  it('recursion through internal functions', () => {
    const d = deploySrc(`
      fn fib(n: int) -> int { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
      export fn main(n: int) -> int { return fib(n); }`);
    expect(int(d.call('main', [15]))).toBe(610);
  });
  it('locals are block-scoped and fresh on every call', () => {
    const d = deploySrc(`
      fn f(first: int) -> int { let x = 0; if (first) { x = 5; } return x; }
      export fn main() -> int { let a = f(1); return a * 10 + f(0); }`);
    expect(int(d.call('main'))).toBe(50);
  });
  it('exported functions can be called internally; void calls as statements', () => {
    const d = deploySrc(`
      map m: bytes -> int;
      export fn bump(k: bytes) { m[k] = m[k] + 1; }
      export fn twice(k: bytes) -> int { bump(k); bump(k); return m[k]; }`);
    expect(int(d.call('twice', ['a']))).toBe(2);
  });
});
