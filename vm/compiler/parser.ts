/** Recursive-descent parser: tokens to declarations. Throws `CompileFailure` at the first error. */
import type { Decl, Expr, Param, Stmt, TypeRef } from './ast.js';
import { CompileFailure, type Pos, type Token } from './lexer.js';

/** The type name given to untyped event fields. */
export const ANY_TYPE = '*';

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Parses a whole source file. */
export function parse(tokens: readonly Token[]): Decl[] {
  return new Parser(tokens).file();
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: readonly Token[]) {}

  private peek(ahead = 0): Token {
    return this.toks[Math.min(this.i + ahead, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private is(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
  }
  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }
  private expect(text: string, what?: string): Token {
    const t = this.peek();
    if (!this.is(text))
      throw new CompileFailure(t.pos, `expected '${text}'${what ? ` ${what}` : ''}, found ${describe(t)}`);
    return this.next();
  }
  private ident(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'ident') {
      const extra = t.kind === 'keyword' ? ` ('${t.text}' is a keyword)` : '';
      throw new CompileFailure(t.pos, `expected ${what}, found ${describe(t)}${extra}`);
    }
    return this.next();
  }
  private reasonString(): { reason: string; pos: Pos } {
    const t = this.peek();
    if (t.kind !== 'bytes' || t.str === undefined) {
      throw new CompileFailure(t.pos, `expected a reason string literal, found ${describe(t)}`);
    }
    this.next();
    return { reason: t.str, pos: t.pos };
  }

  file(): Decl[] {
    const out: Decl[] = [];
    while (this.peek().kind !== 'eof') out.push(this.decl());
    return out;
  }

  private type(): TypeRef {
    const t = this.peek();
    if (t.kind === 'ident' || this.is('int') || this.is('bytes')) {
      this.next();
      return { name: t.text, pos: t.pos };
    }
    throw new CompileFailure(t.pos, `expected a type, found ${describe(t)}`);
  }

  private params(close: string, typed: boolean): Param[] {
    const out: Param[] = [];
    if (this.accept(close)) return out;
    do {
      const n = this.ident('a name');
      let type: TypeRef = { name: ANY_TYPE, pos: n.pos };
      if (typed) {
        this.expect(':', 'after the name');
        type = this.type();
      } else if (this.accept(':')) type = this.type();
      out.push({ name: n.text, pos: n.pos, type });
    } while (this.accept(','));
    this.expect(close);
    return out;
  }

  private decl(): Decl {
    const t = this.peek();
    const pos = t.pos;
    if (this.accept('map')) {
      const name = this.ident('a map name').text;
      this.expect(':', 'after the map name');
      const key = this.type();
      this.expect('->', 'between key and value types');
      const value = this.type();
      this.expect(';');
      return { k: 'map', pos, name, key, value };
    }
    if (this.accept('struct')) {
      const name = this.ident('a struct name').text;
      this.expect('{');
      const fields = this.params('}', true);
      return { k: 'struct', pos, name, fields };
    }
    if (this.accept('event')) {
      const name = this.ident('an event name').text;
      this.expect('(');
      const fields = this.params(')', false);
      this.expect(';');
      return { k: 'event', pos, name, fields };
    }
    if (this.accept('const')) {
      const name = this.ident('a constant name').text;
      this.expect('=');
      const e = this.expr();
      this.expect(';');
      return { k: 'const', pos, name, e };
    }
    const exported = this.accept('export');
    if (this.accept('fn')) {
      const name = this.ident('a function name').text;
      this.expect('(');
      const params = this.params(')', true);
      const ret = this.accept('->') ? this.type() : undefined;
      const body = this.block();
      return ret
        ? { k: 'fn', pos, name, exported, params, ret, body }
        : { k: 'fn', pos, name, exported, params, body };
    }
    throw new CompileFailure(
      this.peek().pos,
      `expected a declaration (map, struct, event, const, fn, export fn), found ${describe(this.peek())}`,
    );
  }

  private block(): Stmt[] {
    this.expect('{');
    const out: Stmt[] = [];
    while (!this.is('}')) {
      if (this.peek().kind === 'eof')
        throw new CompileFailure(this.peek().pos, "expected '}', found end of input");
      out.push(this.stmt());
    }
    this.next();
    return out;
  }

  private stmt(): Stmt {
    const t = this.peek();
    const pos = t.pos;
    if (this.accept('let')) {
      const name = this.ident('a variable name').text;
      const type = this.accept(':') ? this.type() : undefined;
      this.expect('=');
      const e = this.expr();
      this.expect(';');
      return type ? { k: 'let', pos, name, type, e } : { k: 'let', pos, name, e };
    }
    if (this.accept('if')) {
      this.expect('(', "after 'if'");
      const cond = this.expr();
      this.expect(')');
      const then = this.block();
      if (!this.accept('else')) return { k: 'if', pos, cond, then };
      const els = this.is('if') ? [this.stmt()] : this.block();
      return { k: 'if', pos, cond, then, else: els };
    }
    if (this.accept('while')) {
      this.expect('(', "after 'while'");
      const cond = this.expr();
      this.expect(')');
      return { k: 'while', pos, cond, body: this.block() };
    }
    if (this.is('break') || this.is('continue')) {
      const k = this.next().text as 'break' | 'continue';
      this.expect(';');
      return { k, pos };
    }
    if (this.accept('return')) {
      if (this.accept(';')) return { k: 'return', pos };
      const e = this.expr();
      this.expect(';');
      return { k: 'return', pos, e };
    }
    if (this.accept('revert')) {
      this.expect('(', "after 'revert'");
      const { reason } = this.reasonString();
      this.expect(')');
      this.expect(';');
      return { k: 'revert', pos, reason };
    }
    if (this.accept('require')) {
      this.expect('(', "after 'require'");
      const cond = this.expr();
      this.expect(',', 'after the condition');
      const { reason, pos: reasonPos } = this.reasonString();
      this.expect(')');
      this.expect(';');
      return { k: 'require', pos, cond, reason, reasonPos };
    }
    if (this.accept('emit')) {
      const name = this.ident('an event name').text;
      this.expect('(');
      const args = this.args();
      this.expect(';');
      return { k: 'emit', pos, name, args };
    }
    if (this.accept('delete')) {
      const map = this.ident('a map name').text;
      this.expect('[');
      const key = this.expr();
      this.expect(']');
      this.expect(';');
      return { k: 'delete', pos, map, key };
    }
    if (t.kind === 'ident' && this.is('=', 1)) {
      this.next();
      this.next();
      const e = this.expr();
      this.expect(';');
      return { k: 'assign', pos, name: t.text, e };
    }
    const e = this.expr();
    if (this.accept('=')) {
      const value = this.expr();
      this.expect(';');
      if (e.k === 'index') return { k: 'mapset', pos, map: e.map, key: e.key, e: value };
      if (e.k === 'field' && e.e.k === 'name')
        return { k: 'fieldset', pos, name: e.e.name, field: e.field, e: value };
      throw new CompileFailure(pos, 'cannot assign to this expression (use a variable, m[k] or s.field)');
    }
    this.expect(';', 'after the expression');
    if (e.k !== 'call') throw new CompileFailure(pos, 'an expression statement must be a function call');
    return { k: 'expr', pos, e };
  }

  private args(): Expr[] {
    const out: Expr[] = [];
    if (this.accept(')')) return out;
    do out.push(this.expr());
    while (this.accept(','));
    this.expect(')');
    return out;
  }

  expr(level = 0): Expr {
    if (level === BINARY_LEVELS.length) return this.unary();
    let l = this.expr(level + 1);
    const ops = BINARY_LEVELS[level]!;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || !ops.includes(t.text)) return l;
      this.next();
      const r = this.expr(level + 1);
      l = { k: 'binary', pos: t.pos, op: t.text, l, r };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.accept('!') || this.accept('-'))
      return { k: 'unary', pos: t.pos, op: t.text as '!' | '-', e: this.unary() };
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    while (this.is('.')) {
      this.next();
      const f = this.ident('a field name');
      e = { k: 'field', pos: f.pos, e, field: f.text };
    }
    return e;
  }

  private primary(): Expr {
    const t = this.next();
    const pos = t.pos;
    if (t.kind === 'int') return { k: 'int', pos, value: t.int! };
    if (t.kind === 'bytes') return { k: 'bytes', pos, value: t.bytes! };
    if (t.kind === 'keyword' && (t.text === 'true' || t.text === 'false')) {
      return { k: 'int', pos, value: t.text === 'true' ? 1 : 0 };
    }
    // `int(...)` and `bytes(...)` are conversions spelled like their types.
    if (
      t.kind === 'ident' ||
      (t.kind === 'keyword' && (t.text === 'int' || t.text === 'bytes') && this.is('('))
    ) {
      if (this.accept('(')) return { k: 'call', pos, name: t.text, args: this.args() };
      if (this.accept('[')) {
        const key = this.expr();
        this.expect(']');
        return { k: 'index', pos, map: t.text, key };
      }
      if (this.is('{') && /^[A-Z]/.test(t.text)) {
        this.next();
        const fields: { name: string; pos: Pos; e: Expr }[] = [];
        if (!this.accept('}')) {
          do {
            const f = this.ident('a field name');
            this.expect(':', 'after the field name');
            fields.push({ name: f.text, pos: f.pos, e: this.expr() });
          } while (this.accept(','));
          this.expect('}');
        }
        return { k: 'struct', pos, name: t.text, fields };
      }
      return { k: 'name', pos, name: t.text };
    }
    if (t.kind === 'punct' && t.text === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    throw new CompileFailure(pos, `expected an expression, found ${describe(t)}`);
  }
}
