import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { LIMITS } from '../../../vm/isa.js';
import { BOB, dec, deploySrc, runAsm } from './helpers.js';

describe('events', () => {
  const d = () =>
    deploySrc(`
      event Granted(grantee: bytes, until: int);
      event Note(text);
      export fn g(who: bytes, until: int) { emit Granted(who, until); emit Note("second"); }
      export fn g_then_fail(who: bytes) { emit Note("lost"); revert("refused"); }
      export fn many(n: int) { let i = 0; while (i < n) { emit Note(bytes(i)); i = i + 1; } }
    `);
  it('are returned in order with their fields; ints as 8 bytes', () => {
    const r = d().call('g', [BOB, 42]);
    expect(r.status).toBe('ok');
    expect(r.events.map((e) => e.name)).toEqual(['Granted', 'Note']);
    expect(r.events[0]!.data[0]).toEqual(BOB);
    expect(decodeInt(r.events[0]!.data[1]!)).toBe(42);
    expect(dec(r.events[1]!.data[0]!)).toBe('second');
  });
  it('are discarded when the call reverts', () => {
    const r = d().call('g_then_fail', [BOB]);
    expect(r).toMatchObject({ status: 'reverted', error: 'refused', events: [] });
  });
  it(`at most ${LIMITS.maxEvents} per call`, () => {
    expect(d().call('many', [LIMITS.maxEvents]).events.length).toBe(LIMITS.maxEvents);
    expect(d().call('many', [LIMITS.maxEvents + 1]).error).toBe('too_many_events');
  });
  it('EMIT pops its fields; underflow is stack_underflow', () => {
    expect(runAsm([['PUSHC', 'a'], ['EMIT', 'E', 2], ['RET']]).error).toBe('stack_underflow');
    const r = runAsm([['PUSHI8', 9], ['PUSHC', 'a'], ['PUSHC', 'b'], ['EMIT', 'E', 2], ['RETV']]);
    expect(decodeInt(r.returnData)).toBe(9);
    expect(r.events).toEqual([
      { name: 'E', data: [new TextEncoder().encode('a'), new TextEncoder().encode('b')] },
    ]);
  });
});
