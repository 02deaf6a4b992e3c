/** The syntax tree of the contract language. Every node carries the position of its first token. */
import type { Pos } from './lexer.js';

/** A written type: `int`, `bytes`, or a struct name. */
export interface TypeRef {
  readonly name: string;
  readonly pos: Pos;
}

/** Expressions. */
export type Expr =
  | { readonly k: 'int'; readonly pos: Pos; readonly value: number }
  | { readonly k: 'bytes'; readonly pos: Pos; readonly value: Uint8Array }
  | { readonly k: 'name'; readonly pos: Pos; readonly name: string }
  | { readonly k: 'unary'; readonly pos: Pos; readonly op: '!' | '-'; readonly e: Expr }
  | { readonly k: 'binary'; readonly pos: Pos; readonly op: string; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'call'; readonly pos: Pos; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: 'index'; readonly pos: Pos; readonly map: string; readonly key: Expr }
  | { readonly k: 'field'; readonly pos: Pos; readonly e: Expr; readonly field: string }
  | {
      readonly k: 'struct';
      readonly pos: Pos;
      readonly name: string;
      readonly fields: readonly { readonly name: string; readonly pos: Pos; readonly e: Expr }[];
    };

/** Statements. */
export type Stmt =
  | { readonly k: 'let'; readonly pos: Pos; readonly name: string; readonly type?: TypeRef; readonly e: Expr }
  | { readonly k: 'assign'; readonly pos: Pos; readonly name: string; readonly e: Expr }
  | { readonly k: 'mapset'; readonly pos: Pos; readonly map: string; readonly key: Expr; readonly e: Expr }
  | {
      readonly k: 'fieldset';
      readonly pos: Pos;
      readonly name: string;
      readonly field: string;
      readonly e: Expr;
    }
  | { readonly k: 'delete'; readonly pos: Pos; readonly map: string; readonly key: Expr }
  | {
      readonly k: 'if';
      readonly pos: Pos;
      readonly cond: Expr;
      readonly then: readonly Stmt[];
      readonly else?: readonly Stmt[];
    }
  | { readonly k: 'while'; readonly pos: Pos; readonly cond: Expr; readonly body: readonly Stmt[] }
  | { readonly k: 'break' | 'continue'; readonly pos: Pos }
  | { readonly k: 'return'; readonly pos: Pos; readonly e?: Expr }
  | { readonly k: 'revert'; readonly pos: Pos; readonly reason: string }
  | {
      readonly k: 'require';
      readonly pos: Pos;
      readonly cond: Expr;
      readonly reason: string;
      readonly reasonPos: Pos;
    }
  | { readonly k: 'emit'; readonly pos: Pos; readonly name: string; readonly args: readonly Expr[] }
  | { readonly k: 'expr'; readonly pos: Pos; readonly e: Expr };

/** A parameter or struct field declaration. */
export interface Param {
  readonly name: string;
  readonly pos: Pos;
  readonly type: TypeRef;
}

/** Top-level declarations. */
export type Decl =
  | {
      readonly k: 'map';
      readonly pos: Pos;
      readonly name: string;
      readonly key: TypeRef;
      readonly value: TypeRef;
    }
  | { readonly k: 'struct'; readonly pos: Pos; readonly name: string; readonly fields: readonly Param[] }
  | { readonly k: 'event'; readonly pos: Pos; readonly name: string; readonly fields: readonly Param[] }
  | { readonly k: 'const'; readonly pos: Pos; readonly name: string; readonly e: Expr }
  | {
      readonly k: 'fn';
      readonly pos: Pos;
      readonly name: string;
      readonly exported: boolean;
      readonly params: readonly Param[];
      readonly ret?: TypeRef;
      readonly body: readonly Stmt[];
    };
