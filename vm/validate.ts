/**
 * Deploy-time validation: decodes a module and proves the properties the interpreter relies on
 * (known opcodes, whole immediates, jumps to instruction starts within the same function, locals
 * and constants in range, every function ending in a terminator). The result is a `Program`, the
 * pre-decoded form the interpreter runs.
 */
import { ascii, bytesKey, readInt64 } from './bytes.js';
import { ValidationCode, type ValidationCodeT, type ValidationError } from './errors.js';
import { FuncFlag, IMM_SIZE, Imm, LIMITS, MODULE_MAGIC, OPS, Op } from './isa.js';

/** One function of a validated program. */
export interface FuncInfo {
  readonly name: string;
  readonly exported: boolean;
  readonly returnsValue: boolean;
  readonly nparams: number;
  readonly nlocals: number;
  /** Parameter types (`ParamType`), used to decode call args of exported functions. */
  readonly paramTypes: Uint8Array;
  /** Index in `Program.ins` (an even number) of the first instruction. */
  readonly entry: number;
}

/**
 * A validated, pre-decoded program. `ins` holds pairs `[opcode, immediate]`: for jumps the
 * immediate is the target's index in `ins`; PUSHI64 an index in `nums`; EMIT `constIndex << 8 | n`.
 */
export interface Program {
  readonly ins: Int32Array;
  readonly consts: readonly Uint8Array[];
  /** `bytesKey` of each constant: storage instructions use them as key prefixes. */
  readonly constKeys: readonly string[];
  /** Constant `i` as an ASCII string when it is a valid event name, else undefined. */
  readonly eventNames: readonly (string | undefined)[];
  readonly nums: readonly number[];
  readonly funcs: readonly FuncInfo[];
  /** Exported function index by method name. */
  readonly exports: ReadonlyMap<string, number>;
}

/** Outcome of `validateCode`. */
export type ValidateResult = { ok: true; program: Program } | { ok: false; error: ValidationError };

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const EVENT_RE = /^[A-Za-z0-9_]{1,64}$/;
const TERMINATORS: ReadonlySet<number> = new Set([Op.JMP, Op.RET, Op.RETV, Op.REVERT]);

class Fail {
  constructor(readonly error: ValidationError) {}
}

function fail(code: ValidationCodeT, offset: number, message: string): Fail {
  return new Fail({ code, offset, message });
}

class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array) {}
  need(n: number, what: string): Fail | undefined {
    return this.pos + n > this.b.length
      ? fail(ValidationCode.truncated, this.pos, `truncated ${what}`)
      : undefined;
  }
  u8(): number {
    return this.b[this.pos++]!;
  }
  u16(): number {
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u32(): number {
    const b = this.b;
    const p = this.pos;
    this.pos += 4;
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }
  take(n: number): Uint8Array {
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

interface RawFunc {
  name: string;
  flags: number;
  nparams: number;
  nlocals: number;
  entry: number;
  paramTypes: Uint8Array;
}

/** Decodes and checks a module. Never throws; a refusal carries a `ValidationError`. */
export function validateCode(module: Uint8Array): ValidateResult {
  try {
    return { ok: true, program: decode(module) };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    // Defensive: a bug here must not crash the node; report it as a bad module.
    return { ok: false, error: { code: ValidationCode.badHeader, offset: 0, message: String(e) } };
  }
}

function check(f: Fail | undefined): void {
  if (f) throw f;
}

function decode(module: Uint8Array): Program {
  if (module.length > LIMITS.maxModuleBytes) throw fail(ValidationCode.tooLarge, 0, 'module too large');
  const r = new Reader(module);
  check(r.need(MODULE_MAGIC.length, 'header'));
  for (let i = 0; i < MODULE_MAGIC.length; i++) {
    if (r.u8() !== MODULE_MAGIC[i]) throw fail(ValidationCode.badHeader, i, 'bad magic or version');
  }
  // constants
  check(r.need(2, 'constant count'));
  const nconsts = r.u16();
  const consts: Uint8Array[] = [];
  const eventNames: (string | undefined)[] = [];
  for (let i = 0; i < nconsts; i++) {
    check(r.need(2, 'constant length'));
    const len = r.u16();
    check(r.need(len, 'constant'));
    const c = r.take(len);
    consts.push(c);
    const s = ascii(c);
    eventNames.push(EVENT_RE.test(s) ? s : undefined);
  }
  // functions
  check(r.need(2, 'function count'));
  const nfuncs = r.u16();
  if (nfuncs === 0 || nfuncs > LIMITS.maxFunctions) {
    throw fail(ValidationCode.badFunction, r.pos - 2, `function count ${nfuncs} out of range`);
  }
  const raw: RawFunc[] = [];
  const exportsMap = new Map<string, number>();
  for (let i = 0; i < nfuncs; i++) {
    const at = r.pos;
    check(r.need(2, 'function'));
    const flags = r.u8();
    const nameLen = r.u8();
    check(r.need(nameLen + 6, 'function'));
    const name = ascii(r.take(nameLen));
    const nparams = r.u8();
    const nlocals = r.u8();
    const entry = r.u32();
    check(r.need(nparams, 'parameter types'));
    const paramTypes = r.take(nparams);
    const bad = (m: string) => fail(ValidationCode.badFunction, at, `function ${i}: ${m}`);
    if ((flags & ~(FuncFlag.exported | FuncFlag.returnsValue)) !== 0) throw bad('unknown flags');
    if (nameLen > 0 && !NAME_RE.test(name)) throw bad('bad name');
    const exported = (flags & FuncFlag.exported) !== 0;
    if (exported) {
      if (nameLen === 0) throw bad('exported function without a name');
      if (exportsMap.has(name)) throw bad(`duplicate export '${name}'`);
      exportsMap.set(name, i);
    }
    if (nparams > LIMITS.maxParams) throw bad('too many parameters');
    if (nlocals < nparams) throw bad('fewer locals than parameters');
    for (const t of paramTypes) if (t > 1) throw bad('bad parameter type');
    if (i === 0 ? entry !== 0 : entry <= raw[i - 1]!.entry) throw bad('entries must start at 0 and increase');
    raw.push({ name, flags, nparams, nlocals, entry, paramTypes });
  }
  // code
  check(r.need(4, 'code length'));
  const codeLen = r.u32();
  if (codeLen > LIMITS.maxCodeBytes) throw fail(ValidationCode.tooLarge, r.pos - 4, 'code too large');
  check(r.need(codeLen, 'code'));
  const codeStart = r.pos;
  const code = module.subarray(codeStart, codeStart + codeLen);
  r.pos += codeLen;
  if (r.pos !== module.length) throw fail(ValidationCode.trailingBytes, r.pos, 'bytes after the code');
  if (raw[raw.length - 1]!.entry >= codeLen) {
    throw fail(ValidationCode.badFunction, codeStart, 'function entry beyond the code');
  }
  return decodeCode(code, raw, consts, eventNames, exportsMap);
}

function decodeCode(
  code: Uint8Array,
  raw: readonly RawFunc[],
  consts: readonly Uint8Array[],
  eventNames: readonly (string | undefined)[],
  exportsMap: ReadonlyMap<string, number>,
): Program {
  // Pass 1: instruction starts, and the function each byte belongs to.
  const insIndex = new Int32Array(code.length + 1).fill(-1);
  let count = 0;
  for (let pc = 0; pc < code.length; ) {
    const info = OPS.get(code[pc]!);
    if (!info) throw fail(ValidationCode.badOpcode, pc, `unknown opcode 0x${code[pc]!.toString(16)}`);
    const size = IMM_SIZE[info.imm];
    if (pc + 1 + size > code.length) throw fail(ValidationCode.truncated, pc, `truncated ${info.name}`);
    insIndex[pc] = count++;
    pc += 1 + size;
  }
  const ins = new Int32Array(count * 2);
  const nums: number[] = [];
  const funcs: FuncInfo[] = [];
  for (let f = 0; f < raw.length; f++) {
    const rf = raw[f]!;
    const start = rf.entry;
    const end = f + 1 < raw.length ? raw[f + 1]!.entry : code.length;
    if (insIndex[start]! < 0)
      throw fail(ValidationCode.badFunction, start, `function ${f} entry inside an instruction`);
    let last = -1;
    for (let pc = start; pc < end; ) {
      const op = code[pc]!;
      const info = OPS.get(op)!;
      const at = insIndex[pc]! * 2;
      const p = pc + 1;
      let imm = 0;
      switch (info.imm) {
        case Imm.none:
          break;
        case Imm.i8:
          imm = (code[p]! << 24) >> 24;
          break;
        case Imm.u8:
          imm = code[p]!;
          if ((op === Op.LOAD || op === Op.STORE) && imm >= rf.nlocals) {
            throw fail(
              ValidationCode.badImmediate,
              pc,
              `local ${imm} out of range (function has ${rf.nlocals})`,
            );
          }
          if (op === Op.PACK && imm > LIMITS.maxPackFields)
            throw fail(ValidationCode.badImmediate, pc, 'too many pack fields');
          break;
        case Imm.i32:
          imm = (code[p]! << 24) | (code[p + 1]! << 16) | (code[p + 2]! << 8) | code[p + 3]!;
          break;
        case Imm.i64: {
          const v = readInt64(code, p);
          if (Number.isNaN(v))
            throw fail(ValidationCode.badImmediate, pc, 'PUSHI64 value is not a safe integer');
          imm = nums.length;
          nums.push(v);
          break;
        }
        case Imm.u16c:
          imm = (code[p]! << 8) | code[p + 1]!;
          if (imm >= consts.length)
            throw fail(ValidationCode.badImmediate, pc, `constant ${imm} out of range`);
          break;
        case Imm.u16func:
          imm = (code[p]! << 8) | code[p + 1]!;
          if (imm >= raw.length) throw fail(ValidationCode.badImmediate, pc, `function ${imm} out of range`);
          break;
        case Imm.u32jump: {
          const t = ((code[p]! << 24) | (code[p + 1]! << 16) | (code[p + 2]! << 8) | code[p + 3]!) >>> 0;
          if (t < start || t >= end || insIndex[t]! < 0) {
            throw fail(ValidationCode.badJump, pc, `jump to ${t} is not an instruction of the same function`);
          }
          imm = insIndex[t]! * 2;
          break;
        }
        case Imm.emit: {
          const c = (code[p]! << 8) | code[p + 1]!;
          const n = code[p + 2]!;
          if (c >= consts.length || eventNames[c] === undefined) {
            throw fail(ValidationCode.badImmediate, pc, 'EMIT name is not a valid event name constant');
          }
          if (n > LIMITS.maxEventFields) throw fail(ValidationCode.badImmediate, pc, 'too many event fields');
          imm = (c << 8) | n;
          break;
        }
      }
      ins[at] = op;
      ins[at + 1] = imm;
      last = op;
      pc = p + IMM_SIZE[info.imm];
      if (pc > end)
        throw fail(ValidationCode.badFunction, pc, `instruction crosses the end of function ${f}`);
    }
    if (!TERMINATORS.has(last)) {
      throw fail(
        ValidationCode.fallsThrough,
        end,
        `function ${f} does not end with JMP, RET, RETV or REVERT`,
      );
    }
    funcs.push({
      name: rf.name,
      exported: (rf.flags & FuncFlag.exported) !== 0,
      returnsValue: (rf.flags & FuncFlag.returnsValue) !== 0,
      nparams: rf.nparams,
      nlocals: rf.nlocals,
      paramTypes: rf.paramTypes,
      entry: insIndex[start]! * 2,
    });
  }
  return { ins, consts, constKeys: consts.map(bytesKey), eventNames, nums, funcs, exports: exportsMap };
}
