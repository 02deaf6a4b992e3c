import { describe, expect, it } from 'vitest';
import { assemble, encodeModule, type RawFunction } from '../../../vm/asm.js';
import { MODULE_MAGIC, Op } from '../../../vm/isa.js';
import { validateCode } from '../../../vm/validate.js';

const fn = (over: Partial<RawFunction> = {}): RawFunction => ({
  flags: 1,
  name: 'main',
  nparams: 0,
  nlocals: 0,
  entry: 0,
  paramTypes: [],
  ...over,
});
const mod = (code: number[], funcs: RawFunction[] = [fn()], consts: Uint8Array[] = []) =>
  encodeModule(consts, funcs, Uint8Array.from(code));
const codeOf = (m: Uint8Array) => {
  const r = validateCode(m);
  return r.ok ? 'ok' : r.error.code;
};

describe('validateCode', () => {
  it('accepts a minimal module', () => {
    expect(codeOf(mod([Op.RET]))).toBe('ok');
  });
  it('refuses a bad header, truncation and trailing bytes', () => {
    const good = mod([Op.RET]);
    expect(codeOf(good.slice(0, 3))).toBe('truncated');
    const bad = good.slice();
    bad[4] = 2; // version
    expect(codeOf(bad)).toBe('bad_header');
    expect(codeOf(Uint8Array.from([...good, 0]))).toBe('trailing_bytes');
    for (let n = 0; n < good.length; n++) expect(codeOf(good.slice(0, n))).not.toBe('ok');
    expect(codeOf(new Uint8Array(0))).toBe('truncated');
    expect(MODULE_MAGIC.length).toBe(5);
  });
  it('refuses unknown opcodes and truncated immediates', () => {
    expect(codeOf(mod([0x00, Op.RET]))).toBe('bad_opcode');
    expect(codeOf(mod([0xff, Op.RET]))).toBe('bad_opcode');
    expect(codeOf(mod([Op.PUSHI32, 0, 0]))).toBe('truncated');
  });
  it('refuses jumps out of range, into immediates, or into another function', () => {
    expect(codeOf(mod([Op.JMP, 0, 0, 0, 0]))).toBe('ok');
    expect(codeOf(mod([Op.JMP, 0, 0, 0, 9]))).toBe('bad_jump');
    expect(codeOf(mod([Op.PUSHI32, 0, 0, 0, 0, Op.JMP, 0, 0, 0, 1]))).toBe('bad_jump');
    const two = [fn(), fn({ flags: 0, name: '', entry: 1 })];
    expect(codeOf(mod([Op.RET, Op.JMP, 0, 0, 0, 0], two))).toBe('bad_jump');
    expect(codeOf(mod([Op.RET, Op.JMP, 0, 0, 0, 1], two))).toBe('ok');
  });
  it('refuses code that falls off the end of a function', () => {
    expect(codeOf(mod([Op.PUSHI8, 1]))).toBe('falls_through');
    expect(codeOf(mod([Op.PUSHI8, 1, Op.RET], [fn(), fn({ flags: 0, name: '', entry: 2 })]))).toBe(
      'falls_through',
    );
    expect(codeOf(mod([Op.JMPT, 0, 0, 0, 0]))).toBe('falls_through');
  });
  it('checks immediates: constants, locals, functions, safe ints, event names, counts', () => {
    expect(codeOf(mod([Op.PUSHC, 0, 0, Op.RET]))).toBe('bad_immediate');
    expect(codeOf(mod([Op.PUSHC, 0, 0, Op.RET], [fn()], [new Uint8Array(1)]))).toBe('ok');
    expect(codeOf(mod([Op.LOAD, 0, Op.RET]))).toBe('bad_immediate');
    expect(codeOf(mod([Op.LOAD, 0, Op.RET], [fn({ nlocals: 1 })]))).toBe('ok');
    expect(codeOf(mod([Op.CALL, 0, 1, Op.RET]))).toBe('bad_immediate');
    expect(codeOf(mod([Op.PUSHI64, 0, 0x20, 0, 0, 0, 0, 0, 0, Op.RET]))).toBe('bad_immediate');
    expect(codeOf(mod([Op.PUSHI64, 0, 0x1f, 255, 255, 255, 255, 255, 255, Op.RET]))).toBe('ok');
    expect(codeOf(mod([Op.PUSHI64, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, Op.RET]))).toBe('bad_immediate');
    const ev = [new TextEncoder().encode('Ok_1'), new TextEncoder().encode('bad name')];
    expect(codeOf(mod([Op.EMIT, 0, 0, 1, Op.RET], [fn()], ev))).toBe('ok');
    expect(codeOf(mod([Op.EMIT, 0, 1, 1, Op.RET], [fn()], ev))).toBe('bad_immediate');
    expect(codeOf(mod([Op.EMIT, 0, 0, 17, Op.RET], [fn()], ev))).toBe('bad_immediate');
    expect(codeOf(mod([Op.PACK, 33, Op.RET]))).toBe('bad_immediate');
  });
  it('checks the function table', () => {
    expect(codeOf(mod([Op.RET], []))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ entry: 1 })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ name: '' })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ name: '9x' })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ flags: 4 })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ nparams: 1, nlocals: 0, paramTypes: [0] })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET], [fn({ nparams: 1, nlocals: 1, paramTypes: [2] })]))).toBe('bad_function');
    expect(codeOf(mod([Op.RET, Op.RET], [fn(), fn({ entry: 1 })]))).toBe('bad_function'); // duplicate export
    expect(codeOf(mod([Op.RET, Op.RET], [fn({ entry: 0 }), fn({ flags: 0, entry: 0 })]))).toBe(
      'bad_function',
    );
    expect(codeOf(mod([Op.PUSHI8, 1, Op.RET], [fn(), fn({ flags: 0, name: '', entry: 1 })]))).toBe(
      'bad_function',
    );
  });
  it('pre-decodes jumps to instruction indexes', () => {
    const r = validateCode(
      assemble([{ name: 'main', exported: true, body: [{ label: 'a' }, ['JMP', 'a']] }]),
    );
    expect(r.ok && Array.from(r.program.ins)).toEqual([Op.JMP, 0]);
  });
});
