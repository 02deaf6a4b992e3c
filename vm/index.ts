/** The VM's public surface for the node and clients. See docs/vm.md and docs/language.md. */
export { decodeInt, encodeInt, packFields, unpackFields } from './abi.js';
export type { CompileError, CompileResult, ContractAbi } from './compiler/index.js';
export { compile, formatCompileError } from './compiler/index.js';
export type { DeployErrorCode, ValidationError, VmReasonCode } from './errors.js';
export { DeployError, isVmReason, ValidationCode, VmReason } from './errors.js';
export { CALL_BASE_GAS, DEPLOY_GAS, GAS_PER_BYTE, LIMITS } from './isa.js';
export type { JournaledState, StateView } from './journal.js';
export { Journal, MemoryState } from './journal.js';
export type { CallParams, CallResult, DeployResult, VmEvent } from './runtime.js';
export {
  callContract,
  contractIdForName,
  deployContract,
  deployNamedContract,
  getContractCode,
  queryContract,
  resolveContract,
  storagePrefix,
  upgradeContract,
} from './runtime.js';
export { validateCode } from './validate.js';
