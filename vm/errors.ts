/**
 * The closed sets of failure codes of the VM. Nothing in vm/ throws to report these: run-time
 * failures are returned as a reverted result carrying a `VmReason`, bad bytecode as a
 * `ValidationError` from `validateCode`.
 */

/** Why a call reverted, when the VM (not the contract) stopped it. Stable strings; see docs/vm.md. */
export const VmReason = {
  outOfGas: 'out_of_gas',
  overflow: 'overflow',
  divByZero: 'div_by_zero',
  typeMismatch: 'type_mismatch',
  stackUnderflow: 'stack_underflow',
  stackOverflow: 'stack_overflow',
  callDepth: 'call_depth',
  bytesTooLong: 'bytes_too_long',
  keyTooLong: 'key_too_long',
  outOfRange: 'out_of_range',
  badEncoding: 'bad_encoding',
  badArgs: 'bad_args',
  badRevertReason: 'bad_revert_reason',
  tooManyEvents: 'too_many_events',
  noSuchMethod: 'no_such_method',
  noSuchContract: 'no_such_contract',
} as const;

/** A VM reason code. */
export type VmReasonCode = (typeof VmReason)[keyof typeof VmReason];

const VM_REASONS: ReadonlySet<string> = new Set(Object.values(VmReason));

/** Whether `s` is one of the VM's own reason codes (contracts may not revert with these). */
export function isVmReason(s: string): s is VmReasonCode {
  return VM_REASONS.has(s);
}

/** Why `validateCode` refused a module. */
export const ValidationCode = {
  badHeader: 'bad_header',
  truncated: 'truncated',
  trailingBytes: 'trailing_bytes',
  tooLarge: 'too_large',
  badConstant: 'bad_constant',
  badFunction: 'bad_function',
  badOpcode: 'bad_opcode',
  badImmediate: 'bad_immediate',
  badJump: 'bad_jump',
  fallsThrough: 'falls_through',
} as const;

/** A validation failure code. */
export type ValidationCodeT = (typeof ValidationCode)[keyof typeof ValidationCode];

/** A validation failure: code, byte offset in the module (or code section), and a message. */
export interface ValidationError {
  readonly code: ValidationCodeT;
  readonly offset: number;
  readonly message: string;
}

/** Why a deploy or upgrade was refused, beyond invalid code. */
export const DeployError = {
  invalidCode: 'invalid_code',
  alreadyDeployed: 'already_deployed',
  noSuchContract: 'no_such_contract',
  badName: 'bad_name',
} as const;

/** A deploy/upgrade failure code. */
export type DeployErrorCode = (typeof DeployError)[keyof typeof DeployError];
