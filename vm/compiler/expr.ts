/** Expressions and builtins: type checking and code generation. */
import type { AsmItem } from '../asm.js';
import { LIMITS } from '../isa.js';
import type { Expr } from './ast.js';
import { type GenContext, mustAssign, unknownVar } from './gen-context.js';
import { CompileFailure, type Pos } from './lexer.js';
import { isBytesLike, type MapSym, type Ty } from './symbols.js';

const ARITH: Readonly<Record<string, string>> = {
  '+': 'ADD',
  '-': 'SUB',
  '*': 'MUL',
  '/': 'DIV',
  '%': 'MOD',
};
const COMPARE: Readonly<Record<string, string>> = { '<': 'LT', '<=': 'LE', '>': 'GT', '>=': 'GE' };

/** Pushes an int constant with the shortest instruction. */
function pushInt(v: number): AsmItem {
  if (v >= -128 && v <= 127) return ['PUSHI8', v];
  if (v >= -2147483648 && v <= 2147483647) return ['PUSHI32', v];
  return ['PUSHI64', v];
}

/** Generates a condition (must be int). */
export function genCond(g: GenContext, e: Expr): void {
  const t = genExpr(g, e);
  if (t !== 'int') throw new CompileFailure(e.pos, `a condition must be int, got ${t}`);
}

/** Generates a map's key (converting an int key to bytes); returns the map. */
export function genMapKey(g: GenContext, name: string, key: Expr, pos: Pos): MapSym {
  const m = g.syms.maps.get(name);
  if (!m) throw new CompileFailure(pos, `unknown map '${name}'`);
  const kt = genExpr(g, key);
  mustAssign(kt, m.key, key.pos);
  if (m.key === 'int') g.emit(['ITOB']);
  return m;
}

function expectType(g: GenContext, e: Expr, want: 'int' | 'bytes'): void {
  const t = genExpr(g, e);
  if (t === 'void') throw new CompileFailure(e.pos, 'this call returns no value');
  if (want === 'int' ? t !== 'int' : !isBytesLike(t)) {
    throw new CompileFailure(e.pos, `type mismatch: expected ${want}, got ${t}`);
  }
}

/** Generates `e`; returns its type ('void' only when `allowVoid`, for calls used as statements). */
export function genExpr(g: GenContext, e: Expr, allowVoid = false): Ty {
  switch (e.k) {
    case 'int':
      g.emit(pushInt(e.value));
      return 'int';
    case 'bytes':
      if (e.value.length > LIMITS.maxBytes) throw new CompileFailure(e.pos, 'byte literal too long');
      g.emit(['PUSHC', e.value]);
      return 'bytes';
    case 'name': {
      const l = g.lookup(e.name);
      if (l) {
        g.emit(['LOAD', l.slot]);
        return l.type;
      }
      const c = g.syms.consts.get(e.name);
      if (c) {
        g.emit(typeof c.value === 'number' ? pushInt(c.value) : ['PUSHC', c.value]);
        return c.type;
      }
      throw new CompileFailure(e.pos, unknownVar(g.syms, e.name));
    }
    case 'unary':
      // Fold `-literal` so that -(2^53-1) .. -1 are plain constants.
      if (e.op === '-' && e.e.k === 'int') {
        g.emit(pushInt(-e.e.value));
        return 'int';
      }
      expectType(g, e.e, 'int');
      g.emit([e.op === '!' ? 'NOT' : 'NEG']);
      return 'int';
    case 'binary':
      return genBinary(g, e);
    case 'index': {
      const m = genMapKey(g, e.map, e.key, e.pos);
      g.emit([m.value === 'int' ? 'SGETI' : 'SGET', m.prefix]);
      return m.value;
    }
    case 'field': {
      const t = genExpr(g, e.e);
      const st = g.syms.structs.get(t);
      if (!st) throw new CompileFailure(e.pos, `cannot read field '${e.field}' of a value of type ${t}`);
      const idx = st.fields.findIndex((f) => f.name === e.field);
      if (idx < 0) throw new CompileFailure(e.pos, `struct ${t} has no field '${e.field}'`);
      const ft = st.fields[idx]!.type;
      g.emit(pushInt(idx), ['FIELD']);
      if (ft === 'int') g.emit(['BTOI']);
      return ft;
    }
    case 'struct': {
      const st = g.syms.structs.get(e.name);
      if (!st) throw new CompileFailure(e.pos, `unknown struct '${e.name}'`);
      const given = new Map<string, (typeof e.fields)[number]>();
      for (const f of e.fields) {
        if (!st.fields.some((d) => d.name === f.name)) {
          throw new CompileFailure(f.pos, `struct ${e.name} has no field '${f.name}'`);
        }
        if (given.has(f.name)) throw new CompileFailure(f.pos, `field '${f.name}' given twice`);
        given.set(f.name, f);
      }
      for (const d of st.fields) {
        const f = given.get(d.name);
        if (!f) throw new CompileFailure(e.pos, `missing field '${d.name}' in ${e.name} literal`);
        mustAssign(genExpr(g, f.e), d.type, f.e.pos);
      }
      g.emit(['PACK', st.fields.length]);
      return e.name;
    }
    case 'call':
      return genCall(g, e, allowVoid);
  }
}

function genBinary(g: GenContext, e: Extract<Expr, { k: 'binary' }>): Ty {
  const op = e.op;
  if (op === '&&' || op === '||') {
    const short = g.label();
    const end = g.label();
    const jump = op === '&&' ? 'JMPF' : 'JMPT';
    genCond(g, e.l);
    g.emit([jump, short]);
    genCond(g, e.r);
    g.emit([jump, short], pushInt(op === '&&' ? 1 : 0), ['JMP', end]);
    g.emit({ label: short }, pushInt(op === '&&' ? 0 : 1), { label: end });
    return 'int';
  }
  if (op === '==' || op === '!=') {
    const lt = genExpr(g, e.l);
    const rt = genExpr(g, e.r);
    if (lt === 'void' || rt === 'void') throw new CompileFailure(e.pos, 'this call returns no value');
    if ((lt === 'int') !== (rt === 'int')) {
      throw new CompileFailure(e.pos, `cannot compare ${lt} with ${rt}`);
    }
    g.emit([op === '==' ? 'EQ' : 'NE']);
    return 'int';
  }
  const mn = ARITH[op] ?? COMPARE[op];
  if (!mn) throw new CompileFailure(e.pos, `unknown operator '${op}'`);
  expectType(g, e.l, 'int');
  expectType(g, e.r, 'int');
  g.emit([mn]);
  return 'int';
}

// Builtins with a fixed signature: argument types, result type, instruction.
const SIMPLE: Readonly<Record<string, { args: readonly ('int' | 'bytes')[]; ret: Ty; op: string }>> = {
  caller: { args: [], ret: 'bytes', op: 'CALLER' },
  height: { args: [], ret: 'int', op: 'HEIGHT' },
  time: { args: [], ret: 'int', op: 'TIME' },
  argc: { args: [], ret: 'int', op: 'ARGC' },
  arg: { args: ['int'], ret: 'bytes', op: 'ARG' },
  len: { args: ['bytes'], ret: 'int', op: 'LEN' },
  slice: { args: ['bytes', 'int', 'int'], ret: 'bytes', op: 'SLICE' },
  int: { args: ['bytes'], ret: 'int', op: 'BTOI' },
  bytes: { args: ['int'], ret: 'bytes', op: 'ITOB' },
  sha256: { args: ['bytes'], ret: 'bytes', op: 'SHA256' },
  field: { args: ['bytes', 'int'], ret: 'bytes', op: 'FIELD' },
  nfields: { args: ['bytes'], ret: 'int', op: 'NFIELDS' },
};

function arity(e: Extract<Expr, { k: 'call' }>, n: number | string): void {
  const ok = typeof n === 'number' ? e.args.length === n : e.args.length >= 2;
  if (!ok)
    throw new CompileFailure(
      e.pos,
      `'${e.name}' takes ${n} argument${n === 1 ? '' : 's'}, got ${e.args.length}`,
    );
}

function genCall(g: GenContext, e: Extract<Expr, { k: 'call' }>, allowVoid: boolean): Ty {
  const simple = SIMPLE[e.name];
  if (simple) {
    arity(e, simple.args.length);
    e.args.forEach((a, i) => {
      expectType(g, a, simple.args[i]!);
    });
    g.emit([simple.op]);
    return simple.ret;
  }
  switch (e.name) {
    case 'concat':
      arity(e, '2 or more');
      e.args.forEach((a, i) => {
        expectType(g, a, 'bytes');
        if (i > 0) g.emit(['CONCAT']);
      });
      return 'bytes';
    case 'has': {
      arity(e, 2);
      const m = e.args[0]!;
      if (m.k !== 'name') throw new CompileFailure(m.pos, "the first argument of 'has' must be a map name");
      const sym = genMapKey(g, m.name, e.args[1]!, m.pos);
      g.emit(['SHAS', sym.prefix]);
      return 'int';
    }
    case 'pack':
      if (e.args.length > LIMITS.maxPackFields) {
        throw new CompileFailure(e.pos, `'pack' takes at most ${LIMITS.maxPackFields} fields`);
      }
      for (const a of e.args) {
        if (genExpr(g, a) === 'void') throw new CompileFailure(a.pos, 'this call returns no value');
      }
      g.emit(['PACK', e.args.length]);
      return 'bytes';
    case 'setfield': {
      arity(e, 3);
      expectType(g, e.args[0]!, 'bytes');
      expectType(g, e.args[1]!, 'int');
      if (genExpr(g, e.args[2]!) === 'void')
        throw new CompileFailure(e.args[2]!.pos, 'this call returns no value');
      g.emit(['SETFIELD']);
      return 'bytes';
    }
  }
  const fn = g.syms.fns.get(e.name);
  if (!fn) {
    if (g.syms.structs.has(e.name))
      throw new CompileFailure(e.pos, `build a struct with ${e.name} { field: value, ... }`);
    throw new CompileFailure(e.pos, `unknown function '${e.name}'`);
  }
  if (e.args.length !== fn.params.length) {
    throw new CompileFailure(e.pos, `'${e.name}' takes ${fn.params.length} arguments, got ${e.args.length}`);
  }
  e.args.forEach((a, i) => {
    mustAssign(genExpr(g, a), fn.params[i]!, a.pos);
  });
  g.emit(['CALL', e.name]);
  if (fn.ret) return fn.ret;
  if (!allowVoid) throw new CompileFailure(e.pos, `'${e.name}' returns no value`);
  return 'void';
}
