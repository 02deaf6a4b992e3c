/**
 * The interpreter: one loop, a switch over numeric opcodes, preallocated stack and locals, and no
 * exceptions for control flow. It runs a validated `Program` and returns a result; it never throws
 * for anything the program does. It does not journal: the runtime wraps it in a checkpoint.
 */
import { bytesEqual, bytesKey, EMPTY, intToBytes, own, readInt64 } from './bytes.js';
import { isVmReason, VmReason, type VmReasonCode } from './errors.js';
import type { ExecInput, ExecResult, VmEvent } from './exec-types.js';
import { BASE_GAS, GAS_PER_BYTE, INT_MAX, INT_MIN, LIMITS, Op, ParamType } from './isa.js';
import { keyedState, MemoryState } from './journal.js';
import { type Regs, resetExecCaches, runSlowOp } from './ops.js';

export type { ExecInput, ExecResult, VmEvent } from './exec-types.js';

type Value = number | Uint8Array;

const MAXS = LIMITS.maxStack;
const MAXB = LIMITS.maxBytes;
const W = GAS_PER_BYTE;
const REASON_RE = /^[a-z][a-z0-9_]*$/;
const R = VmReason;

// Scratch space reused by every execution (the interpreter is synchronous and not re-entrant).
const stack: Value[] = new Array<Value>(MAXS).fill(0);
const locals: Value[] = new Array<Value>(LIMITS.maxCallDepth * LIMITS.maxLocals).fill(0);
const frames = new Int32Array(LIMITS.maxCallDepth * 4);
const NO_STATE = new MemoryState();
const regs: Regs = { sp: 0, gas: 0, state: NO_STATE, keyPrefix: '' };

function reverted(error: string, kind: 'vm' | 'contract', gasUsed: number, steps = 0): ExecResult {
  return { status: 'reverted', error, errorKind: kind, gasUsed, returnData: EMPTY, events: [], steps };
}

/** Runs `input.func` of `input.program`. Never throws on any program or args. */
export function execute(input: ExecInput): ExecResult {
  const { program, args } = input;
  const gasLimit = input.gas;
  const fn = program.funcs[input.func];
  if (fn === undefined) return reverted(R.noSuchMethod, 'vm', 0);
  // Bind the method's parameters from the call args.
  if (args.length !== fn.nparams) return reverted(R.badArgs, 'vm', 0);
  for (let i = 0; i < fn.nparams; i++) {
    const a = args[i]!;
    if (a.length > MAXB) return reverted(R.badArgs, 'vm', 0);
    if (fn.paramTypes[i] === ParamType.int) {
      const v = a.length === 8 ? readInt64(a, 0) : Number.NaN;
      if (Number.isNaN(v)) return reverted(R.badArgs, 'vm', 0);
      locals[i] = v;
    } else locals[i] = a;
  }
  for (let i = fn.nparams; i < fn.nlocals; i++) locals[i] = 0;

  regs.state = keyedState(input.state);
  regs.keyPrefix = input.keyPrefixString ?? bytesKey(input.keyPrefix);
  resetExecCaches();
  const ins = program.ins;
  const consts = program.consts;
  let gas = gasLimit;
  let ip = fn.entry;
  let steps = 0;
  let sp = 0;
  let bp = 0;
  let nl = fn.nlocals;
  let depth = 1;
  let err: VmReasonCode | undefined;
  let reason = '';
  let ret: Uint8Array = EMPTY;
  const events: VmEvent[] = [];

  run: for (;;) {
    const op = ins[ip]!;
    const imm = ins[ip + 1]!;
    ip += 2;
    steps++;
    gas -= BASE_GAS[op]!;
    if (gas < 0) {
      err = R.outOfGas;
      break;
    }
    switch (op) {
      // The most frequent instructions first, each a case of its own (LOAD, PUSHI8 and the jumps
      // are ~70 % of a consent call's).
      case 0x08: // Op.LOAD
        if (sp === MAXS) {
          err = R.stackOverflow;
          break run;
        }
        stack[sp++] = locals[bp + imm]!;
        break;
      case 0x01: // Op.PUSHI8
      case 0x02: // Op.PUSHI32
        if (sp === MAXS) {
          err = R.stackOverflow;
          break run;
        }
        stack[sp++] = imm;
        break;
      case 0x32: {
        // Op.JMPF
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        const c = stack[--sp]!;
        if (typeof c !== 'number') {
          err = R.typeMismatch;
          break run;
        }
        if (c === 0) ip = imm;
        break;
      }
      case 0x31: {
        // Op.JMPT
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        const c = stack[--sp]!;
        if (typeof c !== 'number') {
          err = R.typeMismatch;
          break run;
        }
        if (c !== 0) ip = imm;
        break;
      }
      case 0x30: // Op.JMP
        ip = imm;
        break;
      case 0x09: // Op.STORE
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        locals[bp + imm] = stack[--sp]!;
        break;
      case 0x05: // Op.POP
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        sp--;
        break;
      case 0x03: // Op.PUSHI64
      case 0x04: // Op.PUSHC
      case 0x06: // Op.DUP
      case 0x50: // Op.CALLER
      case 0x51: // Op.HEIGHT
      case 0x52: // Op.TIME
      case 0x54: {
        // Op.ARGC
        if (sp === MAXS) {
          err = R.stackOverflow;
          break run;
        }
        let v: Value;
        if (op === Op.PUSHC) v = consts[imm]!;
        else if (op === Op.PUSHI64) v = program.nums[imm]!;
        else if (op === Op.DUP) {
          if (sp === 0) {
            err = R.stackUnderflow;
            break run;
          }
          v = stack[sp - 1]!;
        } else if (op === Op.CALLER) v = input.caller;
        else if (op === Op.HEIGHT) v = input.height;
        else if (op === Op.TIME) v = input.time;
        else v = args.length;
        stack[sp++] = v;
        break;
      }
      case 0x07: {
        // Op.SWAP
        if (sp < 2) {
          err = R.stackUnderflow;
          break run;
        }
        const t = stack[sp - 1]!;
        stack[sp - 1] = stack[sp - 2]!;
        stack[sp - 2] = t;
        break;
      }
      case 0x10: // Op.ADD
      case 0x11: // Op.SUB
      case 0x12: // Op.MUL
      case 0x13: // Op.DIV
      case 0x14: // Op.MOD
      case 0x1a: // Op.LT
      case 0x1b: // Op.LE
      case 0x1c: // Op.GT
      case 0x1d: {
        // Op.GE
        if (sp < 2) {
          err = R.stackUnderflow;
          break run;
        }
        const b = stack[--sp]!;
        const a = stack[sp - 1]!;
        if (typeof a !== 'number' || typeof b !== 'number') {
          err = R.typeMismatch;
          break run;
        }
        let r: number;
        switch (op) {
          case 0x10: // Op.ADD
            r = a + b;
            break;
          case 0x11: // Op.SUB
            r = a - b;
            break;
          case 0x12: // Op.MUL
            r = a * b;
            break;
          case 0x13: // Op.DIV
          case 0x14: // Op.MOD
            if (b === 0) {
              err = R.divByZero;
              break run;
            }
            // `+ 0` turns -0 into 0 so that results compare and encode the same everywhere.
            r = (op === Op.DIV ? Math.trunc(a / b) : a % b) + 0;
            break;
          case 0x1a: // Op.LT
            r = a < b ? 1 : 0;
            break;
          case 0x1b: // Op.LE
            r = a <= b ? 1 : 0;
            break;
          case 0x1c: // Op.GT
            r = a > b ? 1 : 0;
            break;
          default:
            r = a >= b ? 1 : 0;
        }
        if (r > INT_MAX || r < INT_MIN) {
          err = R.overflow;
          break run;
        }
        stack[sp - 1] = r;
        break;
      }
      case 0x15: // Op.NEG
      case 0x1e: {
        // Op.NOT
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        const a = stack[sp - 1]!;
        if (typeof a !== 'number') {
          err = R.typeMismatch;
          break run;
        }
        stack[sp - 1] = op === Op.NEG ? 0 - a : a === 0 ? 1 : 0;
        break;
      }
      case 0x18: // Op.EQ
      case 0x19: {
        // Op.NE
        if (sp < 2) {
          err = R.stackUnderflow;
          break run;
        }
        const b = stack[--sp]!;
        const a = stack[sp - 1]!;
        let eq: boolean;
        if (typeof a === 'number' && typeof b === 'number') eq = a === b;
        else if (typeof a !== 'number' && typeof b !== 'number') {
          gas -= (a.length + 31) >>> 5;
          if (gas < 0) {
            err = R.outOfGas;
            break run;
          }
          eq = bytesEqual(a, b);
        } else {
          err = R.typeMismatch;
          break run;
        }
        stack[sp - 1] = eq === (op === Op.EQ) ? 1 : 0;
        break;
      }
      case 0x33: {
        // Op.CALL
        const f = program.funcs[imm]!;
        if (depth === LIMITS.maxCallDepth) {
          err = R.callDepth;
          break run;
        }
        if (sp < f.nparams) {
          err = R.stackUnderflow;
          break run;
        }
        const fr = depth * 4;
        sp -= f.nparams;
        frames[fr] = ip;
        frames[fr + 1] = bp;
        frames[fr + 2] = sp;
        frames[fr + 3] = nl;
        bp += nl;
        for (let i = 0; i < f.nparams; i++) locals[bp + i] = stack[sp + i]!;
        for (let i = f.nparams; i < f.nlocals; i++) locals[bp + i] = 0;
        nl = f.nlocals;
        ip = f.entry;
        depth++;
        break;
      }
      case 0x34: // Op.RET
      case 0x35: {
        // Op.RETV
        let v: Value = 0;
        if (op === Op.RETV) {
          if (sp === 0) {
            err = R.stackUnderflow;
            break run;
          }
          v = stack[--sp]!;
        }
        if (depth === 1) {
          if (op === Op.RETV) ret = typeof v === 'number' ? intToBytes(v) : own(v);
          gas -= ret.length * W.returnData;
          if (gas < 0) err = R.outOfGas;
          break run;
        }
        depth--;
        const fr = depth * 4;
        ip = frames[fr]!;
        bp = frames[fr + 1]!;
        sp = frames[fr + 2]!;
        nl = frames[fr + 3]!;
        if (op === Op.RETV) {
          if (sp === MAXS) {
            err = R.stackOverflow;
            break run;
          }
          stack[sp++] = v;
        }
        break;
      }
      case 0x36: {
        // Op.REVERT
        if (sp === 0) {
          err = R.stackUnderflow;
          break run;
        }
        const v = stack[--sp]!;
        if (typeof v === 'number' || v.length === 0 || v.length > LIMITS.maxRevertReason) {
          err = R.badRevertReason;
          break run;
        }
        let s = '';
        for (let i = 0; i < v.length; i++) s += String.fromCharCode(v[i]!);
        if (!REASON_RE.test(s) || isVmReason(s)) err = R.badRevertReason;
        else reason = s;
        break run;
      }
      default: {
        // Everything else works on byte strings, storage, events or args: see ops.ts.
        regs.sp = sp;
        regs.gas = 0;
        const e = runSlowOp(op, imm, input, events, stack, regs);
        if (e !== undefined) {
          err = e;
          break run;
        }
        sp = regs.sp;
        gas -= regs.gas;
        if (gas < 0) {
          err = R.outOfGas;
          break run;
        }
      }
    }
  }
  regs.state = NO_STATE; // hold no reference to the caller's state between calls
  const used = err === R.outOfGas ? gasLimit : gasLimit - gas;
  if (err !== undefined) return reverted(err, 'vm', used, steps);
  if (reason !== '') return reverted(reason, 'contract', used, steps);
  return { status: 'ok', gasUsed: used, returnData: ret, events, steps };
}
