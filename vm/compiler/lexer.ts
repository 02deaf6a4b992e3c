/** The lexer of the contract language: source text to tokens with 1-based line and column. */

/** A position in the source. */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** A compile error: where, and what went wrong. */
export interface CompileError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Thrown inside the compiler only; `compile` turns it into a returned `CompileError`. */
export class CompileFailure extends Error {
  override readonly name = 'CompileFailure';
  constructor(
    readonly pos: Pos,
    message: string,
  ) {
    super(message);
  }
}

/** Token kinds. */
export type TokenKind = 'ident' | 'keyword' | 'int' | 'bytes' | 'punct' | 'eof';

/** A token. `text` is the source text (for bytes: the literal as written); `value` decoded literals. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly pos: Pos;
  readonly int?: number;
  readonly bytes?: Uint8Array;
  /** For a string literal: the decoded text (reasons and event names use it). */
  readonly str?: string;
}

/** Reserved words. */
const KEYWORDS: ReadonlySet<string> = new Set([
  'map',
  'struct',
  'event',
  'const',
  'fn',
  'export',
  'let',
  'if',
  'else',
  'while',
  'break',
  'continue',
  'return',
  'revert',
  'require',
  'emit',
  'delete',
  'true',
  'false',
  'int',
  'bytes',
]);

const PUNCT = [
  '->',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  ':',
  '.',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '!',
];

/** Splits `src` into tokens, ending with an `eof` token. Throws `CompileFailure` on a bad token. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const adv = (n: number) => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else col++;
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      adv(1);
      continue;
    }
    const pos = { line, column: col };
    if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') adv(1);
      continue;
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new CompileFailure(pos, 'unterminated comment');
      adv(end + 2 - i);
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      const text = m[0];
      out.push({ kind: KEYWORDS.has(text) ? 'keyword' : 'ident', text, pos });
      adv(text.length);
      continue;
    }
    if (src.startsWith('0x', i) || src.startsWith('0X', i)) {
      const m = /^0[xX][0-9A-Za-z_]*/.exec(src.slice(i))!;
      const digits = m[0].slice(2);
      if (!/^[0-9A-Fa-f]*$/.test(digits)) throw new CompileFailure(pos, `bad hex literal '${m[0]}'`);
      if (digits.length % 2 !== 0)
        throw new CompileFailure(pos, 'hex literal needs an even number of digits');
      const bytes = new Uint8Array(digits.length / 2);
      for (let k = 0; k < bytes.length; k++) bytes[k] = Number.parseInt(digits.slice(2 * k, 2 * k + 2), 16);
      out.push({ kind: 'bytes', text: m[0], pos, bytes });
      adv(m[0].length);
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9_]*[A-Za-z0-9_]*/.exec(src.slice(i))!;
      const text = m[0];
      if (!/^[0-9][0-9_]*$/.test(text) || text.endsWith('_')) {
        throw new CompileFailure(pos, `bad integer literal '${text}'`);
      }
      const digits = text.replaceAll('_', '');
      const v = Number(digits);
      if (!Number.isSafeInteger(v) || BigInt(digits) !== BigInt(v)) {
        throw new CompileFailure(pos, `integer literal '${text}' is larger than 2^53-1`);
      }
      out.push({ kind: 'int', text, pos, int: v });
      adv(text.length);
      continue;
    }
    if (c === '"') {
      const tok = readString(src, i, pos);
      out.push(tok);
      adv(tok.text.length);
      continue;
    }
    const p = PUNCT.find((t) => src.startsWith(t, i));
    if (p === undefined) throw new CompileFailure(pos, `unexpected character '${c}'`);
    out.push({ kind: 'punct', text: p, pos });
    adv(p.length);
  }
  out.push({ kind: 'eof', text: '<end of input>', pos: { line, column: col } });
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  '\\': '\\',
  '"': '"',
};

function readString(src: string, start: number, pos: Pos): Token {
  let j = start + 1;
  let s = '';
  for (;;) {
    const ch = src[j];
    if (ch === undefined || ch === '\n') throw new CompileFailure(pos, 'unterminated string literal');
    if (ch === '"') break;
    if (ch === '\\') {
      const e = src[j + 1] ?? '';
      if (e === 'x') {
        const h = src.slice(j + 2, j + 4);
        if (!/^[0-9A-Fa-f]{2}$/.test(h)) throw new CompileFailure(pos, 'bad \\x escape in string literal');
        s += String.fromCharCode(Number.parseInt(h, 16) + 0xdc00);
        j += 4;
        continue;
      }
      const r = ESCAPES[e];
      if (r === undefined) throw new CompileFailure(pos, `unknown escape '\\${e}' in string literal`);
      s += r;
      j += 2;
      continue;
    }
    s += ch;
    j++;
  }
  const text = src.slice(start, j + 1);
  return { kind: 'bytes', text, pos, bytes: encodeWithRawBytes(s), str: s };
}

// UTF-8 encodes `s`, except that chars U+DC00..U+DCFF (how \xNN escapes are carried) become the raw
// byte NN. Lone surrogates cannot come from source text decoded as UTF-16 from a valid string.
function encodeWithRawBytes(s: string): Uint8Array {
  const out: number[] = [];
  let run = '';
  const flush = () => {
    if (run) out.push(...new TextEncoder().encode(run));
    run = '';
  };
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xdc00 && cp <= 0xdcff) {
      flush();
      out.push(cp - 0xdc00);
    } else run += ch;
  }
  flush();
  return Uint8Array.from(out);
}
