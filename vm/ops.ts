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
import { countFields, fieldOffset, PACK_OUT_OF_RANGE, packValues, setField } from './pack.js';

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
// execution; `resetExecCaches` runs at the start of each (args come from outside, the prefix changes).
const KC = 8;
const kcBytes: Uint8Array[] = new Array<Uint8Array>(KC).fill(EMPTY);
const kcImm = new Int32Array(KC).fill(-1);
const kcKey: string[] = new Array<string>(KC).fill('');
let kcNext = 0;

/** Forgets the cached key strings and digest (called before each execution). */
export function resetExecCaches(): void {
  kcBytes.fill(EMPTY);
  kcImm.fill(-1);
  lastHashed = undefined;
  lastDigest = EMPTY;
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

/**
 * Bytes `start .. start + n` of `b`: a view when long, a copy when short. A VM value is never
 * mutated, so a view is safe; but V8 keeps a typed array of at most 64 bytes inside the object, and
 * a view of one moves its bytes out to an ArrayBuffer of their own first (~1-2 µs, where a copy of
 * up to 64 bytes is a small young-generation object). Whatever leaves the call is owned (`own`).
 */
function part(b: Uint8Array, start: number, n: number): Uint8Array {
  return n <= 64 ? b.slice(start, start + n) : b.subarray(start, start + n);
}

// SHA256 through the host's hasher (`ExecInput.sha256Into`): input and digest go through scratch
// arrays of their own buffer, so a native hasher never finds a small on-heap array to move out.
// The last input and its digest, by identity, are kept for the execution: a contract hashes its
// caller's key several times per call (`id_of(caller)`), and values are never mutated.
const hashIn = new Uint8Array(LIMITS.maxBytes);
const hashOut = new Uint8Array(32);
let lastHashed: Uint8Array | undefined;
let lastDigest: Uint8Array = EMPTY;

function hash(input: ExecInput, b: Uint8Array): Uint8Array {
  if (b === lastHashed) return lastDigest;
  let d: Uint8Array;
  const into = input.sha256Into;
  if (into === undefined) d = sha256(b);
  else {
    hashIn.set(b, 0);
    into(hashOut, hashIn.subarray(0, b.length));
    d = hashOut.slice();
  }
  lastHashed = b;
  lastDigest = d;
  return d;
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
    case 0x20: {
      // Op.CONCAT
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
    case 0x21: {
      // Op.SLICE
      if (sp < 3) return R.stackUnderflow;
      const n = stack[sp - 1]!;
      const start = stack[sp - 2]!;
      const b = stack[sp - 3]!;
      if (typeof b === 'number' || typeof start !== 'number' || typeof n !== 'number') return R.typeMismatch;
      if (start < 0 || n < 0 || start + n > b.length) return R.outOfRange;
      regs.gas = words(n) * W.memoryWord;
      stack[sp - 3] = part(b, start, n);
      sp -= 2;
      break;
    }
    case 0x22: {
      // Op.LEN
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      stack[sp - 1] = b.length;
      break;
    }
    case 0x23: {
      // Op.ITOB
      if (sp < 1) return R.stackUnderflow;
      const v = stack[sp - 1]!;
      if (typeof v !== 'number') return R.typeMismatch;
      stack[sp - 1] = intToBytes(v);
      break;
    }
    case 0x24: {
      // Op.BTOI
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      if (b.length !== 8) return R.badEncoding;
      const v = readInt64(b, 0);
      if (Number.isNaN(v)) return R.overflow;
      stack[sp - 1] = v;
      break;
    }
    case 0x25: {
      // Op.SHA256
      if (sp < 1) return R.stackUnderflow;
      const b = stack[sp - 1]!;
      if (typeof b === 'number') return R.typeMismatch;
      regs.gas = b.length * W.hash;
      stack[sp - 1] = hash(input, b);
      break;
    }
    case 0x26: {
      // Op.PACK
      if (sp < imm) return R.stackUnderflow;
      if (imm === 0 && sp === LIMITS.maxStack) return R.stackOverflow;
      let total = 0;
      for (let i = sp - imm; i < sp; i++) {
        const v = stack[i]!;
        total += typeof v === 'number' ? 10 : 2 + v.length;
      }
      if (total > MAXB) return R.bytesTooLong;
      regs.gas = words(total) * W.memoryWord;
      const out = packValues(stack, sp - imm, sp, total);
      sp -= imm;
      stack[sp++] = out;
      break;
    }
    case 0x27: {
      // Op.FIELD
      if (sp < 2) return R.stackUnderflow;
      const i = stack[sp - 1]!;
      const v = stack[sp - 2]!;
      if (typeof v === 'number' || typeof i !== 'number') return R.typeMismatch;
      if (i < 0) return R.outOfRange;
      regs.gas = words(v.length) * W.memoryWord;
      const p = fieldOffset(v, i);
      if (p < 0) return p === PACK_OUT_OF_RANGE ? R.outOfRange : R.badEncoding;
      stack[sp - 2] = part(v, p + 2, (v[p]! << 8) | v[p + 1]!);
      sp--;
      break;
    }
    case 0x28: {
      // Op.NFIELDS
      if (sp < 1) return R.stackUnderflow;
      const v = stack[sp - 1]!;
      if (typeof v === 'number') return R.typeMismatch;
      regs.gas = words(v.length) * W.memoryWord;
      const n = countFields(v);
      if (n < 0) return R.badEncoding;
      stack[sp - 1] = n;
      break;
    }
    case 0x29: {
      // Op.SETFIELD
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
    case 0x40: // Op.SGET
    case 0x41: // Op.SGETI
    case 0x42: // Op.SHAS
    case 0x44: {
      // Op.SDEL
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
    case 0x43: {
      // Op.SSET
      if (sp < 2) return R.stackUnderflow;
      const x = stack[sp - 1]!;
      const k = stack[sp - 2]!;
      if (typeof k === 'number') return R.typeMismatch;
      if (k.length > MAXK) return R.keyTooLong;
      const prefix = input.program.constKeys[imm]!;
      const val = typeof x === 'number' ? intToBytes(x) : own(x);
      regs.gas = (prefix.length + k.length + val.length) * W.storageWrite;
      regs.state.setStr(storageKey(regs, prefix, imm, k), val);
      sp -= 2;
      break;
    }
    case 0x53: {
      // Op.ARG
      if (sp < 1) return R.stackUnderflow;
      const i = stack[sp - 1]!;
      if (typeof i !== 'number') return R.typeMismatch;
      const a = input.args[i];
      if (a === undefined) return R.outOfRange;
      stack[sp - 1] = a;
      break;
    }
    case 0x58: {
      // Op.EMIT
      const n = imm & 0xff;
      if (sp < n) return R.stackUnderflow;
      if (events.length === LIMITS.maxEvents) return R.tooManyEvents;
      const name = input.program.eventNames[imm >>> 8]!;
      const data: Uint8Array[] = [];
      let bytes = name.length;
      for (let i = sp - n; i < sp; i++) {
        const x = stack[i]!;
        const f = typeof x === 'number' ? intToBytes(x) : own(x);
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
