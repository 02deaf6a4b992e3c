/**
 * Type checking and code generation, one function at a time, into assembler items. Statements
 * are here; expressions and builtins are in expr.ts.
 */
import type { AsmFunction, AsmItem } from '../asm.js';
import { isVmReason } from '../errors.js';
import { LIMITS } from '../isa.js';
import type { Decl, Stmt } from './ast.js';
import { genCond, genExpr, genMapKey } from './expr.js';
import { type GenContext, type Local, mustAssign, unknownVar } from './gen-context.js';
import { CompileFailure, type Pos } from './lexer.js';
import type { FnSym, Symbols, Ty } from './symbols.js';

/** Per-function state of the generator. */
class FnGen implements GenContext {
  readonly items: AsmItem[] = [];
  private readonly scopes: Map<string, Local>[] = [new Map()];
  private nlocals = 0;
  private labels = 0;
  private readonly loops: { brk: string; cont: string }[] = [];

  constructor(
    readonly syms: Symbols,
    readonly fn: FnSym,
  ) {
    fn.decl.params.forEach((p, i) => {
      this.declare(p.name, fn.params[i]!, p.pos);
    });
  }

  get localCount(): number {
    return this.nlocals;
  }

  emit(...items: AsmItem[]): void {
    for (const it of items) this.items.push(it);
  }

  label(): string {
    return `L${this.labels++}`;
  }

  lookup(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const l = this.scopes[i]!.get(name);
      if (l) return l;
    }
    return undefined;
  }

  private declare(name: string, type: Ty, pos: Pos): number {
    if (
      this.lookup(name) ||
      this.syms.consts.has(name) ||
      this.syms.maps.has(name) ||
      this.syms.fns.has(name)
    ) {
      throw new CompileFailure(pos, `'${name}' is already defined`);
    }
    if (this.nlocals === LIMITS.maxLocals) {
      throw new CompileFailure(
        pos,
        `too many local variables in '${this.fn.decl.name}' (max ${LIMITS.maxLocals})`,
      );
    }
    const slot = this.nlocals++;
    this.scopes[this.scopes.length - 1]!.set(name, { slot, type });
    return slot;
  }

  block(stmts: readonly Stmt[]): void {
    this.scopes.push(new Map());
    for (const s of stmts) this.stmt(s);
    this.scopes.pop();
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case 'let': {
        const t = genExpr(this, s.e);
        let type = t;
        if (s.type) {
          type = s.type.name;
          if (type !== 'int' && type !== 'bytes' && !this.syms.structs.has(type)) {
            throw new CompileFailure(s.type.pos, `unknown type '${type}'`);
          }
          mustAssign(t, type, s.e.pos);
        }
        this.emit(['STORE', this.declare(s.name, type, s.pos)]);
        return;
      }
      case 'assign': {
        const l = this.lookup(s.name);
        if (!l) throw new CompileFailure(s.pos, unknownVar(this.syms, s.name));
        mustAssign(genExpr(this, s.e), l.type, s.e.pos);
        this.emit(['STORE', l.slot]);
        return;
      }
      case 'mapset': {
        const m = genMapKey(this, s.map, s.key, s.pos);
        mustAssign(genExpr(this, s.e), m.value, s.e.pos);
        this.emit(['SSET', m.prefix]);
        return;
      }
      case 'delete': {
        const m = genMapKey(this, s.map, s.key, s.pos);
        this.emit(['SDEL', m.prefix]);
        return;
      }
      case 'fieldset': {
        const l = this.lookup(s.name);
        if (!l) throw new CompileFailure(s.pos, unknownVar(this.syms, s.name));
        const st = this.syms.structs.get(l.type);
        if (!st) throw new CompileFailure(s.pos, `'${s.name}' is not a struct (it is ${l.type})`);
        const idx = st.fields.findIndex((f) => f.name === s.field);
        if (idx < 0) throw new CompileFailure(s.pos, `struct ${l.type} has no field '${s.field}'`);
        this.emit(['LOAD', l.slot], ['PUSHI8', idx]);
        mustAssign(genExpr(this, s.e), st.fields[idx]!.type, s.e.pos);
        this.emit(['SETFIELD'], ['STORE', l.slot]);
        return;
      }
      case 'if': {
        const elseL = this.label();
        genCond(this, s.cond);
        this.emit(['JMPF', elseL]);
        this.block(s.then);
        if (!s.else) {
          this.emit({ label: elseL });
          return;
        }
        const endL = this.label();
        if (!terminates(s.then)) this.emit(['JMP', endL]);
        this.emit({ label: elseL });
        this.block(s.else);
        this.emit({ label: endL });
        return;
      }
      case 'while': {
        const top = this.label();
        const end = this.label();
        this.emit({ label: top });
        genCond(this, s.cond);
        this.emit(['JMPF', end]);
        this.loops.push({ brk: end, cont: top });
        this.block(s.body);
        this.loops.pop();
        this.emit(['JMP', top], { label: end });
        return;
      }
      case 'break':
      case 'continue': {
        const loop = this.loops[this.loops.length - 1];
        if (!loop) throw new CompileFailure(s.pos, `'${s.k}' outside a loop`);
        this.emit(['JMP', s.k === 'break' ? loop.brk : loop.cont]);
        return;
      }
      case 'return': {
        const ret = this.fn.ret;
        if (s.e === undefined) {
          if (ret)
            throw new CompileFailure(s.pos, `'${this.fn.decl.name}' must return a value of type ${ret}`);
          this.emit(['RET']);
          return;
        }
        if (!ret) throw new CompileFailure(s.pos, `'${this.fn.decl.name}' does not return a value`);
        mustAssign(genExpr(this, s.e), ret, s.e.pos);
        this.emit(['RETV']);
        return;
      }
      case 'revert':
        checkReason(s.reason, s.pos);
        this.emit(['PUSHC', s.reason], ['REVERT']);
        return;
      case 'require': {
        checkReason(s.reason, s.reasonPos);
        const ok = this.label();
        genCond(this, s.cond);
        this.emit(['JMPT', ok], ['PUSHC', s.reason], ['REVERT'], { label: ok });
        return;
      }
      case 'emit': {
        const ev = this.syms.events.get(s.name);
        if (!ev) throw new CompileFailure(s.pos, `unknown event '${s.name}'`);
        if (s.args.length !== ev.fields.length) {
          throw new CompileFailure(
            s.pos,
            `event '${s.name}' takes ${ev.fields.length} fields, got ${s.args.length}`,
          );
        }
        s.args.forEach((a, i) => {
          const t = genExpr(this, a);
          const want = ev.fields[i]!.type;
          if (want !== '*') mustAssign(t, want, a.pos);
        });
        this.emit(['EMIT', s.name, s.args.length]);
        return;
      }
      case 'expr': {
        const t = genExpr(this, s.e, true);
        if (t !== 'void') this.emit(['POP']);
        return;
      }
    }
  }
}

/** Whether a statement list ends every path with return or revert. */
function terminates(stmts: readonly Stmt[]): boolean {
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (last.k === 'return' || last.k === 'revert') return true;
  if (last.k === 'if') return last.else !== undefined && terminates(last.then) && terminates(last.else);
  return false;
}

function checkReason(reason: string, pos: Pos): void {
  if (!/^[a-z][a-z0-9_]*$/.test(reason) || reason.length > LIMITS.maxRevertReason) {
    throw new CompileFailure(pos, `revert reason '${reason}' must match [a-z][a-z0-9_]* (at most 64 chars)`);
  }
  if (isVmReason(reason)) throw new CompileFailure(pos, `revert reason '${reason}' is reserved for the VM`);
}

/** Generates one function. */
export function genFunction(syms: Symbols, fn: FnSym): AsmFunction {
  const g = new FnGen(syms, fn);
  const d: Extract<Decl, { k: 'fn' }> = fn.decl;
  g.block(d.body);
  if (!terminates(d.body)) {
    if (fn.ret)
      throw new CompileFailure(
        d.pos,
        `function '${d.name}' must return a value of type ${fn.ret} on every path`,
      );
    g.emit(['RET']);
  }
  return {
    name: d.name,
    exported: d.exported,
    returnsValue: fn.ret !== undefined,
    params: fn.params.map((t) => (t === 'int' ? 'int' : 'bytes')),
    locals: g.localCount,
    body: g.items,
  };
}
