/**
 * Module encoding and a structured assembler. `encodeModule` writes the binary module format of
 * docs/vm.md from raw parts; `assemble` builds one from functions given as instruction tuples with
 * labels, collecting byte constants into the pool. The compiler emits through `assemble`; tests use
 * both. The assembler throws `AsmError` on misuse (unknown label, bad operand): it is a build tool,
 * never on the execution path.
 */
import { intToBytes, utf8 } from './bytes.js';
import { FuncFlag, IMM_SIZE, Imm, MODULE_MAGIC, OPS, ParamType } from './isa.js';

/** A function-table entry in raw form. */
export interface RawFunction {
  readonly flags: number;
  readonly name: string;
  readonly nparams: number;
  readonly nlocals: number;
  /** Byte offset in the code section. */
  readonly entry: number;
  readonly paramTypes: readonly number[];
}

/** Encodes a module from its parts, without checking them (see `validateCode`). */
export function encodeModule(
  consts: readonly Uint8Array[],
  funcs: readonly RawFunction[],
  code: Uint8Array,
): Uint8Array {
  const out: number[] = [...MODULE_MAGIC];
  const u16 = (n: number) => out.push((n >>> 8) & 0xff, n & 0xff);
  const u32 = (n: number) => out.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  u16(consts.length);
  for (const c of consts) {
    u16(c.length);
    for (const b of c) out.push(b);
  }
  u16(funcs.length);
  for (const f of funcs) {
    const name = utf8(f.name);
    out.push(f.flags, name.length, ...name, f.nparams, f.nlocals);
    u32(f.entry);
    out.push(...f.paramTypes);
  }
  u32(code.length);
  const head = Uint8Array.from(out);
  const m = new Uint8Array(head.length + code.length);
  m.set(head, 0);
  m.set(code, head.length);
  return m;
}

/** A label definition, or an instruction with its operand. */
export type AsmItem =
  | { readonly label: string }
  | readonly [mnemonic: string]
  | readonly [mnemonic: string, operand: number | string | Uint8Array]
  | readonly [mnemonic: 'EMIT', name: string, fields: number];

/** A function for `assemble`. */
export interface AsmFunction {
  readonly name: string;
  readonly exported?: boolean;
  readonly returnsValue?: boolean;
  readonly params?: readonly ('int' | 'bytes')[];
  /** Total locals including params (default: number of params). */
  readonly locals?: number;
  readonly body: readonly AsmItem[];
}

/** Misuse of the assembler. */
export class AsmError extends Error {
  override readonly name = 'AsmError';
}

const BY_NAME = new Map([...OPS].map(([op, info]) => [info.name, { op, ...info }]));

/** Assembles functions into a module. Function i's code follows function i-1's. */
export function assemble(funcs: readonly AsmFunction[]): Uint8Array {
  const consts: Uint8Array[] = [];
  const constIndex = new Map<string, number>();
  const constant = (b: Uint8Array): number => {
    const k = Array.from(b).join(',');
    let i = constIndex.get(k);
    if (i === undefined) {
      i = consts.length;
      consts.push(b);
      constIndex.set(k, i);
    }
    return i;
  };
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const code: number[] = [];
  const table: RawFunction[] = [];
  for (const f of funcs) {
    const entry = code.length;
    const labels = new Map<string, number>();
    const fixups: { at: number; label: string }[] = [];
    for (const item of f.body) {
      if ('label' in item) {
        labels.set(item.label, code.length);
        continue;
      }
      const [mn, operand] = item;
      const info = BY_NAME.get(mn);
      if (!info) throw new AsmError(`unknown mnemonic ${mn}`);
      code.push(info.op);
      const at = code.length;
      const size = IMM_SIZE[info.imm];
      let v = 0;
      switch (info.imm) {
        case Imm.none:
          break;
        case Imm.i64:
          code.push(...intToBytes(num(operand, mn)));
          continue;
        case Imm.u16c:
          v = constant(typeof operand === 'string' ? utf8(operand) : bytesOf(operand, mn));
          break;
        case Imm.u16func: {
          const fi = typeof operand === 'string' ? funcIndex.get(operand) : operand;
          if (typeof fi !== 'number') throw new AsmError(`unknown function ${String(operand)}`);
          v = fi;
          break;
        }
        case Imm.u32jump:
          if (typeof operand !== 'string') throw new AsmError(`${mn} needs a label`);
          fixups.push({ at, label: operand });
          break;
        case Imm.emit: {
          const n = item[2];
          if (typeof operand !== 'string' || typeof n !== 'number') throw new AsmError('EMIT name fields');
          v = constant(utf8(operand)) * 256 + n;
          break;
        }
        default:
          v = num(operand, mn);
      }
      for (let i = size - 1; i >= 0; i--) code.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    }
    for (const fx of fixups) {
      const t = labels.get(fx.label);
      if (t === undefined) throw new AsmError(`unknown label ${fx.label} in ${f.name}`);
      code[fx.at] = (t >>> 24) & 0xff;
      code[fx.at + 1] = (t >>> 16) & 0xff;
      code[fx.at + 2] = (t >>> 8) & 0xff;
      code[fx.at + 3] = t & 0xff;
    }
    const params = f.params ?? [];
    table.push({
      flags: (f.exported ? FuncFlag.exported : 0) | (f.returnsValue ? FuncFlag.returnsValue : 0),
      name: f.name,
      nparams: params.length,
      nlocals: f.locals ?? params.length,
      entry,
      paramTypes: params.map((p) => ParamType[p]),
    });
  }
  return encodeModule(consts, table, Uint8Array.from(code));
}

function num(v: unknown, mn: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new AsmError(`${mn} needs an integer`);
  return v;
}

function bytesOf(v: unknown, mn: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new AsmError(`${mn} needs bytes or a string`);
  return v;
}
