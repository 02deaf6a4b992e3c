/**
 * The contract-language compiler: source text to a validated module. Errors are returned, never
 * thrown: the first error with its 1-based line and column. See docs/language.md.
 */
import { AsmError, assemble } from '../asm.js';
import { validateCode } from '../validate.js';
import { genFunction } from './codegen.js';
import { type CompileError, CompileFailure, tokenize } from './lexer.js';
import { parse } from './parser.js';
import { collectSymbols, type Symbols } from './symbols.js';

export type { CompileError } from './lexer.js';

/** What callers and clients need to know about a contract's interface. */
export interface ContractAbi {
  readonly methods: readonly {
    readonly name: string;
    readonly params: readonly { readonly name: string; readonly type: string }[];
    readonly returns?: string;
  }[];
  readonly events: readonly { readonly name: string; readonly fields: readonly string[] }[];
  readonly structs: Readonly<Record<string, readonly { readonly name: string; readonly type: string }[]>>;
}

/** Outcome of `compile`. */
export type CompileResult =
  | { readonly ok: true; readonly code: Uint8Array; readonly abi: ContractAbi }
  | { readonly ok: false; readonly errors: readonly CompileError[] };

/** `line:column: message`. */
export function formatCompileError(e: CompileError): string {
  return `${e.line}:${e.column}: ${e.message}`;
}

/** Compiles contract source to a module that `deployContract` accepts. */
export function compile(source: string): CompileResult {
  try {
    const decls = parse(tokenize(source));
    const syms = collectSymbols(decls);
    if (syms.fns.size === 0)
      throw new CompileFailure({ line: 1, column: 1 }, 'a contract needs at least one function');
    const funcs = [...syms.fns.values()].map((f) => genFunction(syms, f));
    const code = assemble(funcs);
    const v = validateCode(code);
    if (!v.ok)
      throw new CompileFailure(
        { line: 1, column: 1 },
        `internal error: generated invalid code (${v.error.message})`,
      );
    return { ok: true, code, abi: abiOf(syms) };
  } catch (e) {
    if (e instanceof CompileFailure) return { ok: false, errors: [{ ...e.pos, message: e.message }] };
    if (e instanceof AsmError)
      return { ok: false, errors: [{ line: 1, column: 1, message: `internal error: ${e.message}` }] };
    throw e;
  }
}

function abiOf(syms: Symbols): ContractAbi {
  const methods = [...syms.fns.values()]
    .filter((f) => f.decl.exported)
    .map((f) => ({
      name: f.decl.name,
      params: f.decl.params.map((p) => ({ name: p.name, type: p.type.name })),
      ...(f.ret ? { returns: f.ret } : {}),
    }));
  const events = [...syms.events].map(([name, ev]) => ({ name, fields: ev.fields.map((f) => f.name) }));
  const structs = Object.fromEntries([...syms.structs].map(([name, s]) => [name, s.fields]));
  return { methods, events, structs };
}
