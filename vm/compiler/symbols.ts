/** Top-level symbols of a contract and the type rules of the language. */
import { utf8 } from '../bytes.js';
import { LIMITS } from '../isa.js';
import type { Decl, Expr, Param, TypeRef } from './ast.js';
import { CompileFailure, type Pos } from './lexer.js';
import { ANY_TYPE } from './parser.js';

/** A type: 'int', 'bytes', or a struct name. */
export type Ty = string;

export interface MapSym {
  readonly key: Ty;
  readonly value: Ty;
  /** Storage key prefix: the map's name and ':'. */
  readonly prefix: Uint8Array;
}
export interface StructSym {
  readonly fields: readonly { readonly name: string; readonly type: Ty }[];
}
export interface EventSym {
  readonly fields: readonly { readonly name: string; readonly type: Ty }[];
}
export interface ConstSym {
  readonly type: Ty;
  readonly value: number | Uint8Array;
}
export interface FnSym {
  readonly index: number;
  readonly decl: Extract<Decl, { k: 'fn' }>;
  readonly params: readonly Ty[];
  readonly ret?: Ty;
}

/** Every top-level name of a contract. */
export interface Symbols {
  readonly maps: Map<string, MapSym>;
  readonly structs: Map<string, StructSym>;
  readonly events: Map<string, EventSym>;
  readonly consts: Map<string, ConstSym>;
  readonly fns: Map<string, FnSym>;
}

/** Names reserved for builtins. */
const BUILTINS: ReadonlySet<string> = new Set([
  'caller',
  'height',
  'time',
  'arg',
  'argc',
  'len',
  'concat',
  'slice',
  'int',
  'bytes',
  'sha256',
  'has',
  'pack',
  'field',
  'nfields',
  'setfield',
]);

/** Whether a value of type `from` may be used where `to` is expected (structs widen to bytes). */
export function assignable(from: Ty, to: Ty): boolean {
  return from === to || (to === 'bytes' && from !== 'int');
}

/** Whether `t` is represented as bytes at run time. */
export function isBytesLike(t: Ty): boolean {
  return t !== 'int';
}

/** Collects and checks the declarations. */
export function collectSymbols(decls: readonly Decl[]): Symbols {
  const s: Symbols = {
    maps: new Map(),
    structs: new Map(),
    events: new Map(),
    consts: new Map(),
    fns: new Map(),
  };
  const seen = new Map<string, Pos>();
  const claim = (name: string, pos: Pos) => {
    if (BUILTINS.has(name)) throw new CompileFailure(pos, `'${name}' is a builtin and cannot be redefined`);
    const prev = seen.get(name);
    if (prev) throw new CompileFailure(pos, `'${name}' is already defined at ${prev.line}:${prev.column}`);
    seen.set(name, pos);
  };
  for (const d of decls) {
    claim(d.name, d.pos);
    if (d.k === 'struct') {
      if (!/^[A-Z]/.test(d.name))
        throw new CompileFailure(d.pos, `struct name '${d.name}' must start with a capital letter`);
      if (d.fields.length > LIMITS.maxPackFields) {
        throw new CompileFailure(d.pos, `struct '${d.name}' has more than ${LIMITS.maxPackFields} fields`);
      }
      s.structs.set(d.name, { fields: d.fields.map((f) => ({ name: f.name, type: f.type.name })) });
    }
  }
  const checkType = (t: TypeRef, allowAny = false) => {
    if (t.name === 'int' || t.name === 'bytes' || s.structs.has(t.name) || (allowAny && t.name === ANY_TYPE))
      return;
    throw new CompileFailure(t.pos, `unknown type '${t.name}'`);
  };
  const uniqueFields = (fields: readonly Param[], what: string) => {
    const names = new Set<string>();
    for (const f of fields) {
      if (names.has(f.name)) throw new CompileFailure(f.pos, `duplicate ${what} '${f.name}'`);
      names.add(f.name);
    }
  };
  let fnIndex = 0;
  for (const d of decls) {
    switch (d.k) {
      case 'struct':
        uniqueFields(d.fields, 'field');
        for (const f of d.fields) checkType(f.type);
        break;
      case 'map':
        checkType(d.key);
        checkType(d.value);
        if (d.key.name !== 'int' && d.key.name !== 'bytes') {
          throw new CompileFailure(d.key.pos, 'a map key must be int or bytes');
        }
        s.maps.set(d.name, { key: d.key.name, value: d.value.name, prefix: utf8(`${d.name}:`) });
        break;
      case 'event':
        if (d.fields.length > LIMITS.maxEventFields) {
          throw new CompileFailure(d.pos, `event '${d.name}' has more than ${LIMITS.maxEventFields} fields`);
        }
        uniqueFields(d.fields, 'field');
        for (const f of d.fields) checkType(f.type, true);
        s.events.set(d.name, { fields: d.fields.map((f) => ({ name: f.name, type: f.type.name })) });
        break;
      case 'const':
        s.consts.set(d.name, constValue(d.e));
        break;
      case 'fn':
        if (d.params.length > LIMITS.maxParams) {
          throw new CompileFailure(
            d.pos,
            `function '${d.name}' has more than ${LIMITS.maxParams} parameters`,
          );
        }
        uniqueFields(d.params, 'parameter');
        for (const p of d.params) checkType(p.type);
        if (d.ret) checkType(d.ret);
        s.fns.set(d.name, {
          index: fnIndex++,
          decl: d,
          params: d.params.map((p) => p.type.name),
          ...(d.ret ? { ret: d.ret.name } : {}),
        });
        break;
    }
  }
  return s;
}

function constValue(e: Expr): ConstSym {
  if (e.k === 'int') return { type: 'int', value: e.value };
  if (e.k === 'bytes') return { type: 'bytes', value: e.value };
  if (e.k === 'unary' && e.op === '-' && e.e.k === 'int') return { type: 'int', value: -e.e.value };
  throw new CompileFailure(e.pos, 'a constant must be an int or bytes literal');
}
