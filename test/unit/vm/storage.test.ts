import { describe, expect, it } from 'vitest';
import { decodeInt, unpackFields } from '../../../vm/abi.js';
import { ALICE, BOB, dec, deployAsm, deploySrc, enc, encodeInt, runAsm } from './helpers.js';

describe('storage', () => {
  const src = `
    map names: bytes -> bytes;
    map counts: int -> int;
    export fn put(k: bytes, v: bytes) { names[k] = v; }
    export fn get(k: bytes) -> bytes { return names[k]; }
    export fn has_(k: bytes) -> int { return has(names, k); }
    export fn del(k: bytes) { delete names[k]; }
    export fn inc(k: int) -> int { counts[k] = counts[k] + 1; return counts[k]; }
  `;
  it('get/set/has/delete round trip; a missing key reads as empty', () => {
    const d = deploySrc(src);
    expect(d.call('get', ['x']).returnData.length).toBe(0);
    expect(decodeInt(d.call('has_', ['x']).returnData)).toBe(0);
    d.call('put', ['x', 'hello']);
    expect(dec(d.call('get', ['x']).returnData)).toBe('hello');
    expect(decodeInt(d.call('has_', ['x']).returnData)).toBe(1);
    d.call('del', ['x']);
    expect(decodeInt(d.call('has_', ['x']).returnData)).toBe(0);
  });
  it('an empty value is present (has) though it reads like a missing one', () => {
    const d = deploySrc(src);
    d.call('put', ['e', new Uint8Array(0)]);
    expect(decodeInt(d.call('has_', ['e']).returnData)).toBe(1);
  });
  it('int maps read 0 when missing and store 8-byte values under int keys', () => {
    const d = deploySrc(src);
    expect(decodeInt(d.call('inc', [3]).returnData)).toBe(1);
    expect(decodeInt(d.call('inc', [3]).returnData)).toBe(2);
    const keys = d.state.entries().map(([k]) => dec(k));
    expect(keys.some((k) => k.endsWith(`counts:${dec(encodeInt(3))}`))).toBe(true);
  });
  it('keys are the map name, ":" and the key, under the contract prefix', () => {
    const d = deploySrc(src);
    d.call('put', ['k1', 'v1']);
    const store = d.state.entries().filter(([k]) => dec(k).startsWith('vm:store:'));
    expect(store.length).toBe(1);
    const [k, v] = store[0]!;
    expect(Array.from(k.subarray(9, 41))).toEqual(Array.from(d.id));
    expect(dec(k.subarray(41))).toBe('names:k1');
    expect(dec(v)).toBe('v1');
  });
  it('SGETI of a value that is not 8 bytes is bad_encoding', () => {
    const r = runAsm([
      ['PUSHC', 'k'],
      ['PUSHC', 'abc'],
      ['SSET', ''],
      ['PUSHC', 'k'],
      ['SGETI', ''],
      ['RETV'],
    ]);
    expect(r.error).toBe('bad_encoding');
  });
  it('keys longer than 1024 bytes revert key_too_long; int keys are a type_mismatch', () => {
    const d = deployAsm([
      { name: 'main', exported: true, params: ['bytes'], body: [['LOAD', 0], ['SGET', 'p'], ['RETV']] },
    ]);
    expect(d.call('main', [new Uint8Array(1025)]).error).toBe('key_too_long');
    expect(d.call('main', [new Uint8Array(1024)]).status).toBe('ok');
    expect(runAsm([['PUSHI8', 1], ['SHAS', ''], ['RETV']]).error).toBe('type_mismatch');
  });
  it('structs are packed values; fields read and update by name', () => {
    const d = deploySrc(`
      struct Grant { grantee: bytes, action: bytes, start: int, end: int, status: int }
      map grants: bytes -> Grant;
      export fn grant(id: bytes, who: bytes, end: int) {
        grants[id] = Grant { status: 1, grantee: who, action: "read", start: time(), end: end };
      }
      export fn revoke(id: bytes) {
        require(has(grants, id), "no_grant");
        let g = grants[id];
        g.status = 0;
        grants[id] = g;
      }
      export fn active(id: bytes, at: int) -> int {
        if (!has(grants, id)) { return 0; }
        let g = grants[id];
        return g.status == 1 && g.start <= at && at < g.end;
      }
      export fn raw(id: bytes) -> bytes { return grants[id]; }
    `);
    d.call('grant', ['g1', BOB, 2_000_000_000_000], { time: 1_000 });
    expect(decodeInt(d.call('active', ['g1', 5_000]).returnData)).toBe(1);
    expect(decodeInt(d.call('active', ['g1', 500]).returnData)).toBe(0);
    const fields = unpackFields(d.call('raw', ['g1']).returnData);
    expect(fields.map((f) => f.length)).toEqual([32, 4, 8, 8, 8]);
    expect(d.call('revoke', ['g1']).status).toBe('ok');
    expect(decodeInt(d.call('active', ['g1', 5_000]).returnData)).toBe(0);
    expect(d.call('revoke', ['nope']).error).toBe('no_grant');
    void ALICE;
  });
  it('pack/field/nfields/setfield builtins and their failures', () => {
    const d = deploySrc(`
      export fn n(v: bytes) -> int { return nfields(v); }
      export fn f(v: bytes, i: int) -> bytes { return field(v, i); }
      export fn s(v: bytes, i: int, x: bytes) -> bytes { return setfield(v, i, x); }
      export fn p() -> bytes { return pack("a", 2, 0x); }
    `);
    const p = d.call('p').returnData;
    expect(Array.from(p)).toEqual([0, 1, 97, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
    expect(decodeInt(d.call('n', [p]).returnData)).toBe(3);
    expect(dec(d.call('f', [p, 0]).returnData)).toBe('a');
    expect(d.call('f', [p, 3]).error).toBe('out_of_range');
    expect(d.call('f', [p, -1]).error).toBe('out_of_range');
    expect(d.call('f', [enc('\x00\x05ab'), 0]).error).toBe('bad_encoding');
    expect(d.call('n', [enc('\x00')]).error).toBe('bad_encoding');
    const q = d.call('s', [p, 1, 'xyz']).returnData;
    expect(unpackFields(q).map(dec)).toEqual(['a', 'xyz', '']);
  });
});
