/**
 * Random VM modules for fuzzing (test/unit/vm/fuzz.test.ts and the `vm-*` campaign targets).
 *
 * - `rawProgram`: instructions drawn at random (any opcode, any operand in range), structurally
 *   valid but mostly trapping at once (stack underflow, type mismatch): good at the verifier and
 *   at the interpreter's first checks.
 * - `typedProgram`: well-typed programs that run deep. The generator tracks the operand stack's
 *   types (int / bytes) and each local's type, and emits only instructions whose operands are
 *   there with the right types; loops are counted down from at most 4 in a local (nested at most
 *   twice) and a function calls only functions after it (no recursion, so depth <= functions). So
 *   a call runs to its end (ok) or stops on what the values do at run time (overflow, div_by_zero,
 *   out_of_range, bad_encoding, bytes_too_long, out_of_gas), never on a malformed program.
 *
 * Both are pure functions of the PRNG they are given.
 */
import type { AsmFunction, AsmItem } from '../../vm/asm.js';
import { Imm, OPS } from '../../vm/isa.js';

/** A PRNG: uniform in [0, 1). */
export type Rand = () => number;

/** mulberry32 over a 32-bit seed. */
export function rng(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A module to call: its functions, the method to call and args matching its parameters. */
export interface GeneratedProgram {
  readonly funcs: AsmFunction[];
  readonly method: string;
  readonly args: Uint8Array[];
}

const ALL = [...OPS.values()];
const enc = new TextEncoder();
/** Byte constants programs push (and use as storage prefixes). */
export const PROGRAM_CONSTS: readonly Uint8Array[] = [
  new Uint8Array(0),
  enc.encode('Ev'),
  enc.encode('some_reason'),
  Uint8Array.from([0, 1, 7, 0, 2, 1, 2]),
  new Uint8Array(8).fill(0xff),
  new Uint8Array(300).fill(3),
];

const tools = (r: Rand) => ({
  pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!,
  int: (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1)),
});

/** Args a function with these parameters accepts (ints as 8 bytes), sometimes odd bytes values. */
function argsFor(r: Rand, params: readonly ('int' | 'bytes')[]): Uint8Array[] {
  const { pick, int } = tools(r);
  return params.map((p) => {
    if (p === 'int') {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(pick([0, 1, 5, -1, int(-1000, 1000), 2 ** 40])));
      return b;
    }
    return pick([new Uint8Array(0), new Uint8Array(3), ...PROGRAM_CONSTS.slice(1, 5)]);
  });
}

/** Random instructions: structurally valid most of the time, rarely running far. */
export function rawProgram(r: Rand): GeneratedProgram {
  const { pick, int } = tools(r);
  const nfuncs = int(1, 3);
  const funcs: AsmFunction[] = [];
  for (let f = 0; f < nfuncs; f++) {
    const nparams = int(0, 2);
    const locals = nparams + int(0, 3);
    const len = int(1, 40);
    const body: AsmItem[] = [];
    for (let i = 0; i < len; i++) {
      body.push({ label: `i${i}` });
      const info = pick(ALL);
      switch (info.imm) {
        case Imm.none:
          body.push([info.name]);
          break;
        case Imm.i8:
          body.push([info.name, int(-128, 127)]);
          break;
        case Imm.i32:
          body.push([info.name, pick([0, 1, -1, 8, 2 ** 31 - 1, -(2 ** 31), int(-1000, 1000)])]);
          break;
        case Imm.i64:
          body.push([
            info.name,
            pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 40, int(-9, 9)]),
          ]);
          break;
        case Imm.u8:
          // LOAD/STORE with no locals: no instruction (u8 -1 is not encodable).
          if (info.name === 'PACK') body.push([info.name, int(0, 4)]);
          else if (locals > 0) body.push([info.name, int(0, locals - 1)]);
          break;
        case Imm.u16c:
          body.push([info.name, pick(PROGRAM_CONSTS)]);
          break;
        case Imm.u16func:
          body.push([info.name, int(0, nfuncs - 1)]);
          break;
        case Imm.u32jump:
          body.push([info.name, `i${int(0, len - 1)}`]);
          break;
        case Imm.emit:
          body.push(['EMIT', 'Ev', int(0, 3)]);
          break;
      }
    }
    const end = pick(['RET', 'RETV', 'REVERT', 'JMP']);
    body.push(end === 'JMP' ? ['JMP', 'i0'] : [end]);
    funcs.push({
      name: `f${f}`,
      exported: true,
      params: Array.from({ length: nparams }, () => pick(['int', 'bytes'] as const)),
      locals,
      body,
    });
  }
  return { funcs, method: 'f0', args: argsFor(r, funcs[0]!.params ?? []) };
}

type T = 'int' | 'bytes';
/** Loops nest at most this deep (each level has its own counter local). */
const MAX_LOOP_DEPTH = 2;
interface Sig {
  readonly params: readonly T[];
  readonly ret: T | null;
}

/** Emits one function's body, keeping the abstract stack and local types. */
class BodyGen {
  readonly body: AsmItem[] = [];
  readonly stack: T[] = [];
  /** Types of the value locals (params first); loop counters live after them. */
  readonly localTypes: T[];
  #labels = 0;
  #loopDepth = 0;
  /** The enclosing block's entry depth: instructions take no operand from below it. */
  #floor = 0;
  readonly #pick;
  readonly #int;

  constructor(
    r: Rand,
    private readonly self: number,
    private readonly sigs: readonly Sig[],
    params: readonly T[],
    nlocals: number,
  ) {
    ({ pick: this.#pick, int: this.#int } = tools(r));
    // Locals beyond the params start as int 0 (the interpreter's initial value).
    this.localTypes = [...params, ...Array.from({ length: nlocals - params.length }, (): T => 'int')];
  }

  /** Appends an instruction and its effect on the stack; true, so a case can `return` it. */
  #emit(item: AsmItem, pops: number, push: T | null): true {
    this.body.push(item);
    this.stack.length -= pops;
    if (push !== null) this.stack.push(push);
    return true;
  }
  #top(n = 0): T | undefined {
    const i = this.stack.length - 1 - n;
    return i >= this.#floor ? this.stack[i] : undefined;
  }
  /** Operands available to this block. */
  #avail(): number {
    return this.stack.length - this.#floor;
  }
  /** Locals in all: the value locals and one counter per loop nesting level. */
  get nlocals(): number {
    return this.localTypes.length + MAX_LOOP_DEPTH;
  }
  #label(): string {
    return `L${this.#labels++}`;
  }

  pushInt(): true {
    const p = this.#pick;
    switch (this.#int(0, 5)) {
      case 0:
        return this.#emit(['PUSHI8', this.#int(-3, 9)], 0, 'int');
      case 1:
        return this.#emit(['PUSHI32', p([0, 1, 2, 8, 31, 100, -(2 ** 31), 2 ** 31 - 1])], 0, 'int');
      case 2:
        return this.#emit(
          ['PUSHI64', p([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 40])],
          0,
          'int',
        );
      case 3:
        return this.#emit([p(['HEIGHT', 'TIME', 'ARGC'])], 0, 'int');
      default:
        return this.#emit(['PUSHI8', this.#int(0, 3)], 0, 'int');
    }
  }

  pushBytes(): true {
    if (this.#int(0, 4) === 0) return this.#emit(['CALLER'], 0, 'bytes');
    return this.#emit(['PUSHC', this.#pick(PROGRAM_CONSTS)], 0, 'bytes');
  }

  /** Pushes a value of type `t`. */
  push(t: T): true {
    const withLocal = this.localTypes.flatMap((lt, i) => (lt === t ? [i] : []));
    if (withLocal.length > 0 && this.#int(0, 2) === 0)
      return this.#emit(['LOAD', this.#pick(withLocal)], 0, t);
    return t === 'int' ? this.pushInt() : this.pushBytes();
  }

  /** Makes sure the stack ends with the types `ts` (last = top), pushing what is missing. */
  need(...ts: T[]): void {
    const n = ts.length;
    const ok = ts.every((t, i) => this.#top(n - 1 - i) === t);
    if (ok) return;
    for (const t of ts) this.push(t);
  }

  /** Pops until the stack is `depth` deep. */
  dropTo(depth: number): void {
    while (this.stack.length > depth) this.#emit(['POP'], 1, null);
  }

  /** One instruction (or a small well-formed group). */
  step(budget: number): boolean {
    const p = this.#pick;
    // Keep the stack shallow: long stacks only make the same programs slower.
    if (this.stack.length > 12) return this.#emit(['POP'], 1, null);
    const k = this.#int(0, 26);
    switch (k) {
      case 0:
      case 1:
        return this.push(p(['int', 'bytes'] as const));
      case 2:
        this.need('int', 'int');
        return this.#emit([p(['ADD', 'SUB', 'MUL', 'DIV', 'MOD'])], 2, 'int');
      case 3:
        this.need('int', 'int');
        return this.#emit([p(['LT', 'LE', 'GT', 'GE', 'EQ', 'NE'])], 2, 'int');
      case 4: {
        const t = p(['int', 'bytes'] as const);
        this.need(t, t);
        return this.#emit([p(['EQ', 'NE'])], 2, 'int');
      }
      case 5:
        this.need('int');
        return this.#emit([p(['NEG', 'NOT'])], 1, 'int');
      case 6:
        this.need('bytes', 'bytes');
        return this.#emit(['CONCAT'], 2, 'bytes');
      case 7:
        // Mostly in range (a prefix of at most one byte), now and then anything.
        if (this.#int(0, 4) === 0) this.need('bytes', 'int', 'int');
        else {
          this.need('bytes');
          this.#emit(['PUSHI8', 0], 0, 'int');
          this.#emit(['PUSHI8', this.#int(0, 1)], 0, 'int');
        }
        return this.#emit(['SLICE'], 3, 'bytes');
      case 8:
        this.need('bytes');
        return this.#emit(['LEN'], 1, 'int');
      case 9:
        this.need('int');
        this.#emit(['ITOB'], 1, 'bytes');
        return this.#int(0, 1) === 0 && this.#emit(['BTOI'], 1, 'int');
      case 10: {
        // BTOI of anything but 8 bytes is bad_encoding: rarely.
        this.need('bytes');
        const op = this.#int(0, 9) === 0 ? 'BTOI' : 'SHA256';
        return this.#emit([op], 1, op === 'BTOI' ? 'int' : 'bytes');
      }
      case 11:
      case 12:
      case 13:
        return this.packed(k);
      case 14: {
        this.need('bytes');
        const op = p(['SGET', 'SGETI', 'SHAS'] as const);
        return this.#emit([op, p(PROGRAM_CONSTS)], 1, op === 'SGET' ? 'bytes' : 'int');
      }
      case 15: {
        this.need('bytes');
        this.push(p(['int', 'bytes'] as const));
        return this.#emit(['SSET', p(PROGRAM_CONSTS)], 2, null);
      }
      case 16:
        this.need('bytes');
        return this.#emit(['SDEL', p(PROGRAM_CONSTS)], 1, null);
      case 17: {
        const n = Math.min(this.#int(0, 3), this.#avail());
        return this.#emit(['EMIT', 'Ev', n], n, null);
      }
      case 18:
        if (this.#avail() === 0) return this.push('int');
        return this.#emit(['DUP'], 0, this.#top()!);
      case 19:
        if (this.#avail() < 2) return this.push('bytes');
        {
          const a = this.stack.pop()!;
          const b = this.stack.pop()!;
          this.stack.push(a, b);
          this.body.push(['SWAP']);
        }
        return true;
      case 20: {
        if (this.localTypes.length === 0) return this.push('int');
        const i = this.#int(0, this.localTypes.length - 1);
        this.need(this.localTypes[i]!);
        return this.#emit(['STORE', i], 1, null);
      }
      case 21:
        this.need('int');
        this.#emit(['PUSHI8', 0], 0, 'int');
        this.#emit(['PUSHI8', 1], 0, 'int');
        this.#emit(['ARGC'], 0, 'int');
        this.#emit([p(['LT', 'GE'])], 2, 'int');
        this.#emit(['POP'], 1, null);
        return this.#emit(['POP'], 1, null);
      case 22:
      case 23: {
        const callees = this.sigs.flatMap((_s, i) => (i > this.self ? [i] : []));
        if (callees.length === 0) return this.push('int');
        const f = p(callees);
        const sig = this.sigs[f]!;
        for (const t of sig.params) this.push(t);
        return this.#emit(['CALL', f], sig.params.length, sig.ret);
      }
      case 24:
        if (budget < 6) return this.push('int');
        return this.ifElse(budget);
      default:
        if (budget < 8 || this.#loopDepth >= MAX_LOOP_DEPTH) return this.push('bytes');
        return this.loop(budget);
    }
  }

  /** PACK of what this block has (1..4 values), then FIELD, NFIELDS or SETFIELD at an index in range. */
  packed(k: number): true {
    if (this.#avail() === 0) this.push(this.#pick(['int', 'bytes'] as const));
    const n = Math.min(this.#int(1, 4), this.#avail());
    this.#emit(['PACK', n], n, 'bytes');
    if (k === 11) return true;
    if (k === 12 && this.#int(0, 1) === 0) return this.#emit(['NFIELDS'], 1, 'int');
    // Now and then an index out of range.
    this.#emit(['PUSHI8', this.#int(0, 9) === 0 ? n : this.#int(0, n - 1)], 0, 'int');
    if (k === 12) return this.#emit(['FIELD'], 2, 'bytes');
    this.push(this.#pick(['int', 'bytes'] as const));
    return this.#emit(['SETFIELD'], 3, 'bytes');
  }

  /** `budget` steps at the current depth, leaving the stack as deep as it found it. */
  block(budget: number): void {
    const depth = this.stack.length;
    const floor = this.#floor;
    this.#floor = depth;
    for (let i = 0; i < budget; i++) this.step(budget - i);
    this.dropTo(depth);
    this.#floor = floor;
  }

  /** if (int) { block } else { block }: both arms stack-neutral. */
  ifElse(budget: number): true {
    const els = this.#label();
    const end = this.#label();
    this.need('int');
    this.#emit([this.#pick(['JMPF', 'JMPT'])], 1, null);
    this.body[this.body.length - 1] = [(this.body[this.body.length - 1] as [string])[0], els];
    const saved = [...this.stack];
    this.block(this.#int(1, Math.floor(budget / 3)));
    this.body.push(['JMP', end], { label: els });
    this.stack.splice(0, this.stack.length, ...saved);
    this.block(this.#int(1, Math.floor(budget / 3)));
    this.body.push({ label: end });
    return true;
  }

  /** A counted loop: its level's counter local from 1..4 down to 0, around a stack-neutral block. */
  loop(budget: number): true {
    // The block never stores into a counter: counters are not among the value locals.
    const c = this.localTypes.length + this.#loopDepth;
    const top = this.#label();
    this.#emit(['PUSHI8', this.#int(1, 4)], 0, 'int');
    this.#emit(['STORE', c], 1, null);
    this.body.push({ label: top });
    this.#loopDepth++;
    this.block(this.#int(1, Math.floor(budget / 3)));
    this.#loopDepth--;
    this.#emit(['LOAD', c], 0, 'int');
    this.#emit(['PUSHI8', 1], 0, 'int');
    this.#emit(['SUB'], 2, 'int');
    this.#emit(['DUP'], 0, 'int');
    this.#emit(['STORE', c], 1, null);
    return this.#emit(['JMPT', top], 1, null);
  }

  /** The function's end: a value of its type and RETV, or RET, or now and then a REVERT. */
  end(ret: T | null): void {
    if (this.#int(0, 15) === 0) {
      this.#emit(['PUSHC', enc.encode('some_reason')], 0, 'bytes');
      this.#emit(['REVERT'], 1, null);
      return;
    }
    if (ret === null) {
      this.body.push(['RET']);
      return;
    }
    this.need(ret);
    this.#emit(['RETV'], 1, null);
  }
}

/** A well-typed program of 1..4 functions that runs to its end or a run-time trap. */
export function typedProgram(r: Rand, size = 24): GeneratedProgram {
  const { pick, int } = tools(r);
  const nfuncs = int(1, 4);
  const sigs: Sig[] = Array.from({ length: nfuncs }, () => ({
    params: Array.from({ length: int(0, 3) }, () => pick(['int', 'bytes'] as const)),
    ret: pick(['int', 'bytes', null] as const),
  }));
  const funcs: AsmFunction[] = sigs.map((sig, f) => {
    const g = new BodyGen(r, f, sigs, sig.params, sig.params.length + int(0, 2));
    g.block(int(1, size));
    g.end(sig.ret);
    return {
      name: `f${f}`,
      exported: f === 0 || r() < 0.5,
      returnsValue: sig.ret !== null,
      params: sig.params,
      locals: g.nlocals,
      body: g.body,
    };
  });
  return { funcs, method: 'f0', args: argsFor(r, sigs[0]!.params) };
}
