import { describe, expect, it } from 'vitest';
import { decodeInt } from '../../../vm/abi.js';
import { compile, formatCompileError } from '../../../vm/compiler/index.js';
import { deploySrc, runFn } from './helpers.js';

function err(src: string): string {
  const r = compile(src);
  if (r.ok) throw new Error('expected a compile error');
  return formatCompileError(r.errors[0]!);
}

describe('compiler: good programs', () => {
  it('compiles the example of docs/language.md', async () => {
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(new URL('../../../docs/language.md', import.meta.url), 'utf8');
    const src = md.split('```')[3]!;
    const r = compile(src);
    expect(r.ok ? r.abi.methods.map((m) => m.name) : r.errors).toEqual([
      'claim',
      'transfer',
      'owner_of',
      'count',
    ]);
  });
  it('literals: strings with escapes, hex, true/false, separators, constants', () => {
    expect(Array.from(runFn('bytes', 'return "a\\n\\x00\\"";').returnData)).toEqual([97, 10, 0, 34]);
    expect(Array.from(runFn('bytes', 'return 0xDEad;').returnData)).toEqual([0xde, 0xad]);
    expect(runFn('bytes', 'return 0x;').returnData.length).toBe(0);
    expect(Array.from(runFn('bytes', 'return "é";').returnData)).toEqual([0xc3, 0xa9]);
    expect(decodeInt(runFn('int', 'return true + true + false + 1_000;').returnData)).toBe(1002);
    expect(
      decodeInt(runFn('int', 'return N * 2 + len(S);', 'const N = -21; const S = "abc";').returnData),
    ).toBe(-39);
  });
  it('comments are ignored', () => {
    expect(decodeInt(runFn('int', '// one\n /* two \n lines */ return 3; // end').returnData)).toBe(3);
  });
  it('bytes builtins', () => {
    expect(new TextDecoder().decode(runFn('bytes', 'return concat("a", "b", "c");').returnData)).toBe('abc');
    expect(new TextDecoder().decode(runFn('bytes', 'return slice("hello", 1, 3);').returnData)).toBe('ell');
    expect(runFn('bytes', 'return slice("hello", 3, 3);').error).toBe('out_of_range');
    expect(runFn('bytes', 'return sha256("abc");').returnData[0]).toBe(0xba);
    expect(decodeInt(runFn('int', 'return "ab" == concat("a", "b");').returnData)).toBe(1);
  });
  it('typed let and struct widening to bytes', () => {
    const d = deploySrc(`
      struct P { a: int, b: bytes }
      fn size(x: bytes) -> int { return len(x); }
      export fn main() -> int { let p: P = P { b: "xy", a: 3 }; let raw: bytes = p; return size(p) + len(raw) + p.a; }`);
    expect(decodeInt(d.call('main').returnData)).toBe(14 + 14 + 3);
  });
});

describe('compiler: errors with line:column', () => {
  const cases: [string, string][] = [
    ['export fn f() -> int { return x; }', "1:31: unknown variable 'x'"],
    ['export fn f() -> int {\n  return 1 + "a";\n}', '2:14: type mismatch: expected int, got bytes'],
    ['export fn f() -> int {\n  let a = 1;\n  let a = 2;\n  return a;\n}', "3:3: 'a' is already defined"],
    [
      'export fn f() -> int { if (1) { return 1; } }',
      "1:1: function 'f' must return a value of type int on every path",
    ],
    ['export fn f() { return 1; }', "1:17: 'f' does not return a value"],
    [
      'export fn f() { revert("Bad"); }',
      "1:17: revert reason 'Bad' must match [a-z][a-z0-9_]* (at most 64 chars)",
    ],
    ['export fn f() { require(1, "overflow"); }', "1:28: revert reason 'overflow' is reserved for the VM"],
    ['export fn f() { let x = 1 }', "1:27: expected ';', found '}'"],
    ['export fn f() { emit E(1); }', "1:17: unknown event 'E'"],
    ['event E(a, b);\nexport fn f() { emit E(1); }', "2:17: event 'E' takes 2 fields, got 1"],
    ['map m: bytes -> int;\nexport fn f() { m["a"] = "b"; }', '2:26: type mismatch: expected int, got bytes'],
    ['map m: bytes -> int;\nexport fn f() { m[1] = 2; }', '2:19: type mismatch: expected bytes, got int'],
    ['export fn f() { let x = "a"; if (x) {} }', '1:34: a condition must be int, got bytes'],
    ['export fn f() { break; }', "1:17: 'break' outside a loop"],
    ['fn len(a: bytes) {}', "1:1: 'len' is a builtin and cannot be redefined"],
    ['fn f() {}\nfn f() {}', "2:1: 'f' is already defined at 1:1"],
    [
      'export fn f() { let x = 99999999999999999; }',
      "1:25: integer literal '99999999999999999' is larger than 2^53-1",
    ],
    ['export fn f() { let x = 0xabc; }', '1:25: hex literal needs an even number of digits'],
    ['export fn f() { let x = "abc; }', '1:25: unterminated string literal'],
    ['export fn f() { let x = 1 @ 2; }', "1:27: unexpected character '@'"],
    ['export fn f() { /* never closed', '1:17: unterminated comment'],
    ['struct S { a: int }\nexport fn f() { let s = S { a: 1, b: 2 }; }', "2:35: struct S has no field 'b'"],
    [
      'struct S { a: int, b: int }\nexport fn f() { let s = S { a: 1 }; }',
      "2:25: missing field 'b' in S literal",
    ],
    ['struct s { a: int }', "1:1: struct name 's' must start with a capital letter"],
    [
      'struct S { a: int }\nexport fn f() { let s = S { a: 1 }; s.c = 2; }',
      "2:37: struct S has no field 'c'",
    ],
    ['map m: S -> int;', "1:8: unknown type 'S'"],
    ['export fn f(a: int) {}\nexport fn g() { f(); }', "2:17: 'f' takes 1 arguments, got 0"],
    ['fn v() {}\nexport fn g() -> int { return v(); }', "2:31: 'v' returns no value"],
    ['export fn f() { 1 + 2; }', '1:17: an expression statement must be a function call'],
    [
      'export fn f() { len("a") = 2; }',
      '1:17: cannot assign to this expression (use a variable, m[k] or s.field)',
    ],
    ['export fn f() { let x = has(1, 2); }', "1:29: the first argument of 'has' must be a map name"],
    ['export fn f() { let x = concat("a"); }', "1:25: 'concat' takes 2 or more arguments, got 1"],
    ['const X = 1;\nexport fn f() { X = 2; }', "2:17: cannot assign to constant 'X'"],
    ['const X = 1 + 2;', '1:13: a constant must be an int or bytes literal'],
    ['map m: bytes -> int;', '1:1: a contract needs at least one function'],
    ['export fn f() { let x = "a" < "b"; }', '1:25: type mismatch: expected int, got bytes'],
    ['export fn f() { let x = 1 == "b"; }', '1:27: cannot compare int with bytes'],
    ['let x = 1;', "1:1: expected a declaration (map, struct, event, const, fn, export fn), found 'let'"],
    ['export fn f(let: int) {}', "1:13: expected a name, found 'let' ('let' is a keyword)"],
  ];
  for (const [src, msg] of cases) {
    it(msg, () => expect(err(src)).toBe(msg));
  }
});
