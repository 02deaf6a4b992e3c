/**
 * The instruction set of the ehrchain VM: opcodes, their immediates, their gas, and the limits.
 * docs/vm.md is the reference; this file is the single source of the numbers.
 */

/** Opcodes. One byte each in the bytecode, followed by the immediates given in `IMMEDIATES`. */
export const Op = {
  // constants, stack, locals
  PUSHI8: 0x01,
  PUSHI32: 0x02,
  PUSHI64: 0x03,
  PUSHC: 0x04,
  POP: 0x05,
  DUP: 0x06,
  SWAP: 0x07,
  LOAD: 0x08,
  STORE: 0x09,
  // integer arithmetic
  ADD: 0x10,
  SUB: 0x11,
  MUL: 0x12,
  DIV: 0x13,
  MOD: 0x14,
  NEG: 0x15,
  // comparison and boolean
  EQ: 0x18,
  NE: 0x19,
  LT: 0x1a,
  LE: 0x1b,
  GT: 0x1c,
  GE: 0x1d,
  NOT: 0x1e,
  // byte strings
  CONCAT: 0x20,
  SLICE: 0x21,
  LEN: 0x22,
  ITOB: 0x23,
  BTOI: 0x24,
  SHA256: 0x25,
  PACK: 0x26,
  FIELD: 0x27,
  NFIELDS: 0x28,
  SETFIELD: 0x29,
  // control
  JMP: 0x30,
  JMPT: 0x31,
  JMPF: 0x32,
  CALL: 0x33,
  RET: 0x34,
  RETV: 0x35,
  REVERT: 0x36,
  // storage (immediate: constant index of a key prefix)
  SGET: 0x40,
  SGETI: 0x41,
  SHAS: 0x42,
  SSET: 0x43,
  SDEL: 0x44,
  // environment
  CALLER: 0x50,
  HEIGHT: 0x51,
  TIME: 0x52,
  ARG: 0x53,
  ARGC: 0x54,
  EMIT: 0x58,
} as const;

/** An opcode number. */
export type Opcode = (typeof Op)[keyof typeof Op];

/** Immediate layouts. `u16c` is a constant-pool index; `i64` must be a safe integer. */
export const Imm = {
  none: 0,
  i8: 1,
  i32: 2,
  i64: 3,
  u8: 4,
  u16c: 5,
  u32jump: 6,
  u16func: 7,
  emit: 8,
} as const;

/** An immediate layout. */
export type ImmKind = (typeof Imm)[keyof typeof Imm];

/** Bytes taken by each immediate layout after the opcode byte. */
export const IMM_SIZE: Readonly<Record<ImmKind, number>> = {
  0: 0,
  1: 1,
  2: 4,
  3: 8,
  4: 1,
  5: 2,
  6: 4,
  7: 2,
  8: 3, // u16 name constant, u8 field count
};

interface OpInfo {
  readonly name: string;
  readonly imm: ImmKind;
  readonly gas: number;
}

const I = Imm;
/** Static facts per opcode: mnemonic, immediate layout, base gas. */
export const OPS: ReadonlyMap<number, OpInfo> = new Map<number, OpInfo>([
  [Op.PUSHI8, { name: 'PUSHI8', imm: I.i8, gas: 1 }],
  [Op.PUSHI32, { name: 'PUSHI32', imm: I.i32, gas: 1 }],
  [Op.PUSHI64, { name: 'PUSHI64', imm: I.i64, gas: 1 }],
  [Op.PUSHC, { name: 'PUSHC', imm: I.u16c, gas: 1 }],
  [Op.POP, { name: 'POP', imm: I.none, gas: 1 }],
  [Op.DUP, { name: 'DUP', imm: I.none, gas: 1 }],
  [Op.SWAP, { name: 'SWAP', imm: I.none, gas: 1 }],
  [Op.LOAD, { name: 'LOAD', imm: I.u8, gas: 1 }],
  [Op.STORE, { name: 'STORE', imm: I.u8, gas: 1 }],
  [Op.ADD, { name: 'ADD', imm: I.none, gas: 1 }],
  [Op.SUB, { name: 'SUB', imm: I.none, gas: 1 }],
  [Op.MUL, { name: 'MUL', imm: I.none, gas: 2 }],
  [Op.DIV, { name: 'DIV', imm: I.none, gas: 2 }],
  [Op.MOD, { name: 'MOD', imm: I.none, gas: 2 }],
  [Op.NEG, { name: 'NEG', imm: I.none, gas: 1 }],
  [Op.EQ, { name: 'EQ', imm: I.none, gas: 1 }],
  [Op.NE, { name: 'NE', imm: I.none, gas: 1 }],
  [Op.LT, { name: 'LT', imm: I.none, gas: 1 }],
  [Op.LE, { name: 'LE', imm: I.none, gas: 1 }],
  [Op.GT, { name: 'GT', imm: I.none, gas: 1 }],
  [Op.GE, { name: 'GE', imm: I.none, gas: 1 }],
  [Op.NOT, { name: 'NOT', imm: I.none, gas: 1 }],
  [Op.CONCAT, { name: 'CONCAT', imm: I.none, gas: 3 }],
  [Op.SLICE, { name: 'SLICE', imm: I.none, gas: 3 }],
  [Op.LEN, { name: 'LEN', imm: I.none, gas: 1 }],
  [Op.ITOB, { name: 'ITOB', imm: I.none, gas: 3 }],
  [Op.BTOI, { name: 'BTOI', imm: I.none, gas: 3 }],
  [Op.SHA256, { name: 'SHA256', imm: I.none, gas: 40 }],
  [Op.PACK, { name: 'PACK', imm: I.u8, gas: 5 }],
  [Op.FIELD, { name: 'FIELD', imm: I.none, gas: 5 }],
  [Op.NFIELDS, { name: 'NFIELDS', imm: I.none, gas: 5 }],
  [Op.SETFIELD, { name: 'SETFIELD', imm: I.none, gas: 8 }],
  [Op.JMP, { name: 'JMP', imm: I.u32jump, gas: 1 }],
  [Op.JMPT, { name: 'JMPT', imm: I.u32jump, gas: 2 }],
  [Op.JMPF, { name: 'JMPF', imm: I.u32jump, gas: 2 }],
  [Op.CALL, { name: 'CALL', imm: I.u16func, gas: 10 }],
  [Op.RET, { name: 'RET', imm: I.none, gas: 2 }],
  [Op.RETV, { name: 'RETV', imm: I.none, gas: 2 }],
  [Op.REVERT, { name: 'REVERT', imm: I.none, gas: 2 }],
  [Op.SGET, { name: 'SGET', imm: I.u16c, gas: 100 }],
  [Op.SGETI, { name: 'SGETI', imm: I.u16c, gas: 100 }],
  [Op.SHAS, { name: 'SHAS', imm: I.u16c, gas: 80 }],
  [Op.SSET, { name: 'SSET', imm: I.u16c, gas: 200 }],
  [Op.SDEL, { name: 'SDEL', imm: I.u16c, gas: 100 }],
  [Op.CALLER, { name: 'CALLER', imm: I.none, gas: 2 }],
  [Op.HEIGHT, { name: 'HEIGHT', imm: I.none, gas: 2 }],
  [Op.TIME, { name: 'TIME', imm: I.none, gas: 2 }],
  [Op.ARG, { name: 'ARG', imm: I.none, gas: 2 }],
  [Op.ARGC, { name: 'ARGC', imm: I.none, gas: 2 }],
  [Op.EMIT, { name: 'EMIT', imm: I.emit, gas: 50 }],
]);

/** Base gas per opcode, indexed by opcode number (0 for invalid opcodes, which never run). */
export const BASE_GAS: Int32Array = (() => {
  const t = new Int32Array(256);
  for (const [op, info] of OPS) t[op] = info.gas;
  return t;
})();

/** Per-byte gas, charged on top of the base gas. */
export const GAS_PER_BYTE = {
  /** Bytes produced by CONCAT, SLICE, PACK, FIELD, SETFIELD: 1 gas per started 32 bytes. */
  memoryWord: 1,
  /** Key and value bytes read by SGET/SGETI/SHAS (key only for SHAS). */
  storageRead: 1,
  /** Key and value bytes written by SSET; key bytes of SDEL. */
  storageWrite: 5,
  /** Bytes hashed by SHA256. */
  hash: 1,
  /** Name and field bytes of an event. */
  event: 2,
  /** Bytes of the return data. */
  returnData: 1,
  /** Method name and arg bytes of a call, charged before the first instruction. */
  callData: 1,
} as const;

/** Gas charged by the runtime before the first instruction of a call. */
export const CALL_BASE_GAS = 200;
/** Gas a deployment or upgrade costs: base plus per byte of code (reported, charged by the node). */
export const DEPLOY_GAS = { base: 10_000, perByte: 10 } as const;

/** Hard limits. Exceeding one at run time reverts with a reason code; at deploy time, invalid code. */
export const LIMITS = {
  /** Longest byte string any instruction may produce or receive. */
  maxBytes: 65_535,
  /** Operand stack slots. */
  maxStack: 1024,
  /** Nested internal calls (the method itself is depth 1). */
  maxCallDepth: 64,
  /** Parameters plus locals per function. */
  maxLocals: 255,
  maxParams: 16,
  /** Events per call, and fields per event. */
  maxEvents: 256,
  maxEventFields: 16,
  /** Event names: 1..64 bytes of [A-Za-z0-9_]. */
  maxEventName: 64,
  /** Storage key bytes after the map prefix. */
  maxKey: 1024,
  /** Fields in one PACK. */
  maxPackFields: 32,
  maxArgs: 32,
  maxRevertReason: 64,
  maxCodeBytes: 256 * 1024,
  maxModuleBytes: 512 * 1024,
  maxFunctions: 4096,
  maxConstants: 65_535,
} as const;

/** Highest and lowest integer value (JS safe integers). */
export const INT_MAX = Number.MAX_SAFE_INTEGER;
export const INT_MIN = -Number.MAX_SAFE_INTEGER;

/** The 5-byte header of a module: "EHRV" and format version 1. */
export const MODULE_MAGIC = new Uint8Array([0x45, 0x48, 0x52, 0x56, 0x01]);

/** Parameter type codes in the function table. */
export const ParamType = { bytes: 0, int: 1 } as const;

/** Function flags in the function table. */
export const FuncFlag = { exported: 1, returnsValue: 2 } as const;
