/**
 * The interpreter's less frequent instructions: byte strings, packing, hashing, storage, args and
 * events. Each reads and writes the shared stack, reports extra gas in `regs.gas`, and returns a
 * reason code on failure (never throws).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { alloc, bytesKey, EMPTY, intToBytes, own, readInt64 } from './bytes.js';
import { VmReason, type VmReasonCode } from './errors.js';
import type { ExecInput, VmEvent } from './exec-types.js';
import { GAS_PER_BYTE, LIMITS, Op } from './isa.js';
import type { KeyedState } from './journal.js';
import { countFields, fieldAt, PACK_OUT_OF_RANGE, packFields, setField } from './pack.js';

/**
 * Registers shared with the main loop: stack pointer in and out, extra gas out; and, per
 * execution, the state with string keys and the contract's key prefix as a string.
 */
export interface Regs {
  sp: number;
  gas: number;
  state: KeyedState;
  keyPrefix: string;
}

// Storage key strings of the last few (key bytes, map prefix constant) pairs, by identity. A method
// tends to use one key (an arg, a field) for several accesses: `has(m, k)`, `m[k]`, `m[k] = v`.
// Reusing the string object saves building it and, as V8 caches a string's hash and flattens it in
// place on the first Map lookup, hashing and copying it again. Values are immutable within an
// execution; `resetKeyCache` runs at the start of each (args come from outside, the prefix changes).
const KC = 8;
const kcBytes: Uint8Array[] = new Array<Uint8Array>(KC).fill(EMPTY);
const kcImm = new Int32Array(KC).fill(-1);
const kcKey: string[] = new Array<string>(KC).fill('');
let kcNext = 0;

/** Forgets the cached key strings (called before each execution). */
export function resetKeyCache(): void {
  kcBytes.fill(EMPTY);
  kcImm.fill(-1);
}

/** The full state key string of map prefix constant `imm` and key `k`. */
function storageKey(regs: Regs, prefix: string, imm: number, k: Uint8Array): string {
  for (let i = 0; i < KC; i++) if (kcBytes[i] === k && kcImm[i] === imm) return kcKey[i]!;
  const s = regs.keyPrefix + prefix + bytesKey(k);
  const i = kcNext;
  kcNext = (kcNext + 1) % KC;
  kcBytes[i] = k;
  kcImm[i] = imm;
  kcKey[i] = s;
  return s;
}

type Value = number | Uint8Array;

const R = VmReason;
const W = GAS_PER_BYTE;
const MAXB = LIMITS.maxBytes;
const MAXK = LIMITS.maxKey;

function words(n: number): number {
  return (n + 31) >>> 5;
}

function asBytes(v: Value): Uint8Array {
  return typeof v === 'number' ? intToBytes(v) : v;
}

/** Executes one of the instructions not inlined in the main loop. */
export function runSlowOp(
  op: number,
  imm: number,
  input: ExecInput,
  events: VmEvent[],
  stack: Value[],
  regs: Regs,
): VmReasonCode | undefined {
  let sp = regs.sp;
  switch (op) {
    case Op.CONCAT: {
      if (sp < 2) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      const a = stack[sp - 2]!;
      if (typeof a === 'number' || typeof b === 'number') return R.typeMismatch;
      const n = a.length + b.length;
      if (n > MAXB) return R.bytesTooLong;
      regs.gas = words(n) * W.memoryWord;
      const out = alloc(n);
      out.set(a, 0);
      out.set(b, a.length);
      stack[sp - 2] = out;
      sp--;
      break;
    }
    case Op.SLICE: {
      if (sp < 3) return R.stackUnderflow;
      const n = stack[sp - 1]!;
      const start = stack[sp - 2]!;
      const b = stack[sp - 3]!;
      if (typeof b === 'number' || typeof start !== 'number' || typeof n !== 'number') return R.typeMismatch;
      if (start < 0 || n < 0 || start + n > b.length) return R.outOfRange;
      regs.gas = words(n) * W.memoryWord;
      // A view, not a copy: no VM value is ever mutated, and whatever leaves the call is owned.
      stack[sp - 3] = b.subarray(start, start + n);
      sp -= 2;
      break;
    }
    case Op.LEN: {
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      stack[sp - 1] = b.length;
      break;
    }
    case Op.ITOB: {
      if (sp < 1) return R.stackUnderflow;
      const v = stack[sp - 1]!;
      if (typeof v !== 'number') return R.typeMismatch;
      stack[sp - 1] = intToBytes(v);
      break;
    }
    case Op.BTOI: {
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      if (b.length !== 8) return R.badEncoding;
      const v = readInt64(b, 0);
      if (Number.isNaN(v)) return R.overflow;
      stack[sp - 1] = v;
      break;
    }
    case Op.SHA256: {
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      regs.gas = b.length * W.hash;
      stack[sp - 1] = sha256(b);
      break;
    }
    case Op.PACK: {
      if (sp < imm) return R.stackUnderflow;
      if (imm === 0 && sp === LIMITS.maxStack) return R.stackOverflow;
      const fields: Uint8Array[] = [];
      let total = 0;
      for (let i = sp - imm; i < sp; i++) {
        const f = asBytes(stack[i]!);
        total += 2 + f.length;
        fields.push(f);
      }
      if (total > MAXB) return R.bytesTooLong;
      regs.gas = words(total) * W.memoryWord;
      sp -= imm;
      stack[sp++] = packFields(fields);
      break;
    }
    case Op.FIELD: {
      if (sp < 2) return R.stackUnderflow;
      const i = stack[sp - 1]!;
      const v = stack[sp - 2]!;
      if (typeof v === 'number' || typeof i !== 'number') return R.typeMismatch;
      if (i < 0) return R.outOfRange;
      regs.gas = words(v.length) * W.memoryWord;
      const f = fieldAt(v, i);
      if (typeof f === 'number') return f === PACK_OUT_OF_RANGE ? R.outOfRange : R.badEncoding;
      stack[sp - 2] = f;
      sp--;
      break;
    }
    case Op.NFIELDS: {
      if (sp < 1) return R.stackUnderflow;
      const v = stack[sp - 1]!;
      if (typeof v === 'number') return R.typeMismatch;
      regs.gas = words(v.length) * W.memoryWord;
      const n = countFields(v);
      if (n < 0) return R.badEncoding;
      stack[sp - 1] = n;
      break;
    }
    case Op.SETFIELD: {
      if (sp < 3) return R.stackUnderflow;
      const x = asBytes(stack[sp - 1]!);
      const i = stack[sp - 2]!;
      const v = stack[sp - 3]!;
      if (typeof v === 'number' || typeof i !== 'number') return R.typeMismatch;
      if (i < 0) return R.outOfRange;
      if (v.length + x.length > MAXB) return R.bytesTooLong;
      regs.gas = words(v.length + x.length) * W.memoryWord;
      const out = setField(v, i, x);
      if (typeof out === 'number') return out === PACK_OUT_OF_RANGE ? R.outOfRange : R.badEncoding;
      if (out.length > MAXB) return R.bytesTooLong;
      stack[sp - 3] = out;
      sp -= 2;
      break;
    }
    case Op.SGET:
    case Op.SGETI:
    case Op.SHAS:
    case Op.SDEL: {
      if (sp < 1) return R.stackUnderflow;
      const k = stack[sp - 1]!;
      if (typeof k === 'number') return R.typeMismatch;
      if (k.length > MAXK) return R.keyTooLong;
      const prefix = input.program.constKeys[imm]!;
      const klen = prefix.length + k.length;
      const key = storageKey(regs, prefix, imm, k);
      if (op === Op.SDEL) {
        regs.gas = klen * W.storageWrite;
        regs.state.deleteStr(key);
        sp--;
        break;
      }
      const v = regs.state.getStr(key);
      if (op === Op.SHAS) {
        regs.gas = klen * W.storageRead;
        stack[sp - 1] = v === undefined ? 0 : 1;
      } else if (op === Op.SGET) {
        regs.gas = (klen + (v === undefined ? 0 : v.length)) * W.storageRead;
        stack[sp - 1] = v ?? EMPTY;
      } else {
        regs.gas = (klen + (v === undefined ? 0 : v.length)) * W.storageRead;
        if (v === undefined) stack[sp - 1] = 0;
        else {
          if (v.length !== 8) return R.badEncoding;
          const n = readInt64(v, 0);
          if (Number.isNaN(n)) return R.overflow;
          stack[sp - 1] = n;
        }
      }
      break;
    }
    case Op.SSET: {
      if (sp < 2) return R.stackUnderflow;
      const val = asBytes(stack[sp - 1]!);
      const k = stack[sp - 2]!;
      if (typeof k === 'number') return R.typeMismatch;
      if (k.length > MAXK) return R.keyTooLong;
      const prefix = input.program.constKeys[imm]!;
      regs.gas = (prefix.length + k.length + val.length) * W.storageWrite;
      regs.state.setStr(storageKey(regs, prefix, imm, k), own(val));
      sp -= 2;
      break;
    }
    case Op.ARG: {
      if (sp < 1) return R.stackUnderflow;
      const i = stack[sp - 1]!;
      if (typeof i !== 'number') return R.typeMismatch;
      const a = input.args[i];
      if (a === undefined) return R.outOfRange;
      stack[sp - 1] = a;
      break;
    }
    case Op.EMIT: {
      const n = imm & 0xff;
      if (sp < n) return R.stackUnderflow;
      if (events.length === LIMITS.maxEvents) return R.tooManyEvents;
      const name = input.program.eventNames[imm >>> 8]!;
      const data: Uint8Array[] = [];
      let bytes = name.length;
      for (let i = sp - n; i < sp; i++) {
        const f = own(asBytes(stack[i]!));
        bytes += f.length;
        data.push(f);
      }
      regs.gas = bytes * W.event;
      events.push({ name, data });
      sp -= n;
      break;
    }
    default:
      // Unreachable for validated programs; treated as a type error rather than thrown.
      return R.typeMismatch;
  }
  regs.sp = sp;
  return undefined;
}
