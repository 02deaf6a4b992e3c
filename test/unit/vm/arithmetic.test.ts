import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import type { AsmItem } from '../../../vm/asm.js';
import { runAsm, runFn } from './helpers.js';

const MAX = Number.MAX_SAFE_INTEGER;

function binop(op: string, a: number, b: number) {
  const push = (v: number): AsmItem => ['PUSHI64', v];
  return runAsm([push(a), push(b), [op], ['RETV']]);
}

function intOf(r: ReturnType<typeof runAsm>): number {
  expect(r.status, r.error).toBe('ok');
  return decodeInt(r.returnData);
}

describe('integer arithmetic (safe integers, traps on overflow)', () => {
  it('adds, subtracts, multiplies', () => {
    expect(intOf(binop('ADD', 2, 3))).toBe(5);
    expect(intOf(binop('SUB', 2, 3))).toBe(-1);
    expect(intOf(binop('MUL', -4, 6))).toBe(-24);
  });
  it('divides truncating toward zero; % takes the sign of the dividend', () => {
    expect(intOf(binop('DIV', 7, 2))).toBe(3);
    expect(intOf(binop('DIV', -7, 2))).toBe(-3);
    expect(intOf(binop('MOD', -7, 2))).toBe(-1);
    expect(intOf(binop('MOD', 7, -2))).toBe(1);
  });
  it('never yields -0', () => {
    const r = binop('DIV', -1, 5);
    expect(intOf(r)).toBe(0);
    expect(Array.from(r.returnData)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(binop('MOD', -4, 2).returnData)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
  it('reverts div_by_zero', () => {
    expect(binop('DIV', 1, 0).error).toBe('div_by_zero');
    expect(binop('MOD', 1, 0).error).toBe('div_by_zero');
  });
  it('reaches the bounds exactly and traps one beyond', () => {
    expect(intOf(binop('ADD', MAX - 1, 1))).toBe(MAX);
    expect(binop('ADD', MAX, 1).error).toBe('overflow');
    expect(intOf(binop('SUB', -MAX + 1, 1))).toBe(-MAX);
    expect(binop('SUB', -MAX, 1).error).toBe('overflow');
    expect(binop('MUL', 2 ** 27, 2 ** 26).error).toBe('overflow');
    expect(intOf(binop('MUL', 2 ** 26, 2 ** 26))).toBe(2 ** 52);
    expect(binop('MUL', MAX, MAX).error).toBe('overflow');
    expect(intOf(binop('DIV', -MAX, -1))).toBe(MAX);
  });
  it('compares and negates', () => {
    expect(intOf(binop('LT', 1, 2))).toBe(1);
    expect(intOf(binop('LE', 2, 2))).toBe(1);
    expect(intOf(binop('GT', 1, 2))).toBe(0);
    expect(intOf(binop('GE', -1, -2))).toBe(1);
    expect(intOf(runAsm([['PUSHI8', 5], ['NEG'], ['RETV']]))).toBe(-5);
    expect(intOf(runAsm([['PUSHI8', 0], ['NOT'], ['RETV']]))).toBe(1);
    expect(intOf(runAsm([['PUSHI8', -3], ['NOT'], ['RETV']]))).toBe(0);
  });
  it('EQ/NE compare ints with ints and bytes with bytes, else type_mismatch', () => {
    expect(intOf(runAsm([['PUSHC', 'ab'], ['PUSHC', 'ab'], ['EQ'], ['RETV']]))).toBe(1);
    expect(intOf(runAsm([['PUSHC', 'ab'], ['PUSHC', 'abc'], ['NE'], ['RETV']]))).toBe(1);
    expect(runAsm([['PUSHC', 'ab'], ['PUSHI8', 1], ['EQ'], ['RETV']]).error).toBe('type_mismatch');
  });
  it('arithmetic on bytes is a type_mismatch', () => {
    expect(runAsm([['PUSHC', 'a'], ['PUSHI8', 1], ['ADD'], ['RETV']]).error).toBe('type_mismatch');
    expect(runAsm([['PUSHC', 'a'], ['NEG'], ['RETV']]).error).toBe('type_mismatch');
  });
  it('PUSHI8/PUSHI32 immediates are signed', () => {
    expect(intOf(runAsm([['PUSHI8', -128], ['RETV']]))).toBe(-128);
    expect(intOf(runAsm([['PUSHI32', -2147483648], ['RETV']]))).toBe(-2147483648);
  });
});

describe('integer expressions in the language', () => {
  it('follows precedence and associativity', () => {
    expect(decodeInt(runFn('int', 'return 1 + 2 * 3 - 10 / 3 % 2;').returnData)).toBe(6);
    expect(decodeInt(runFn('int', 'return 100 - 10 - 1;').returnData)).toBe(89);
    expect(decodeInt(runFn('int', 'return -(2 + 3) * 2;').returnData)).toBe(-10);
    expect(decodeInt(runFn('int', 'return 1 < 2 == 1;').returnData)).toBe(1);
  });
  it('short-circuits && and || and yields 0 or 1', () => {
    // The right side would divide by zero if evaluated.
    expect(decodeInt(runFn('int', 'return 0 && 1 / 0;').returnData)).toBe(0);
    expect(decodeInt(runFn('int', 'return 7 || 1 / 0;').returnData)).toBe(1);
    expect(decodeInt(runFn('int', 'return 7 && 9;').returnData)).toBe(1);
    expect(runFn('int', 'return 1 && 1 / 0;').error).toBe('div_by_zero');
  });
  it('parses -(2^53-1) and 2^53-1 literals; traps beyond', () => {
    expect(decodeInt(runFn('int', 'return -9_007_199_254_740_991;').returnData)).toBe(-MAX);
    expect(runFn('int', 'return 9007199254740991 + 1;').error).toBe('overflow');
  });
  it("converts int <-> bytes as 8-byte big-endian two's complement", () => {
    expect(Array.from(runFn('bytes', 'return bytes(-2);').returnData)).toEqual([
      255, 255, 255, 255, 255, 255, 255, 254,
    ]);
    expect(decodeInt(runFn('int', 'return int(0x00000000000001ff);').returnData)).toBe(511);
    expect(runFn('int', 'return int(0x01);').error).toBe('bad_encoding');
    expect(runFn('int', 'return int(0x0020000000000000);').error).toBe('overflow');
    expect(decodeInt(runFn('int', 'return int(bytes(-123456789012));').returnData)).toBe(-123456789012);
  });
});
