/**
 * What expression generation (expr.ts) needs from the per-function generator (codegen.ts), and the
 * type checks both use. A file of its own so that the two generators do not import each other:
 * codegen.ts implements `GenContext` and calls expr.ts; expr.ts only knows this interface.
 */
import type { AsmItem } from '../asm.js';
import { CompileFailure, type Pos } from './lexer.js';
import { assignable, type Symbols, type Ty } from './symbols.js';

/** A local variable: its slot and type. */
export interface Local {
  readonly slot: number;
  readonly type: Ty;
}

/** The generator of one function, as expressions see it. */
export interface GenContext {
  readonly syms: Symbols;
  /** Appends assembler items to the function's body. */
  emit(...items: AsmItem[]): void;
  /** A fresh label name. */
  label(): string;
  /** The innermost local of that name, if any. */
  lookup(name: string): Local | undefined;
}

/** Throws unless a value of type `from` can go where `to` is expected. */
export function mustAssign(from: Ty, to: Ty, pos: Pos): void {
  if (from === 'void') throw new CompileFailure(pos, 'this call returns no value');
  if (!assignable(from, to)) throw new CompileFailure(pos, `type mismatch: expected ${to}, got ${from}`);
}

/** The message for an unknown variable name. */
export function unknownVar(syms: Symbols, name: string): string {
  if (syms.maps.has(name)) return `'${name}' is a map; use ${name}[key]`;
  if (syms.consts.has(name)) return `cannot assign to constant '${name}'`;
  return `unknown variable '${name}'`;
}
