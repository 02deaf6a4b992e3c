/**
 * The shapes of one execution: its inputs, the events it emits and its result. Apart from the
 * interpreter so that the interpreter's main loop and its slow instructions (ops.ts) can both use
 * them without importing each other.
 */
import type { StateView } from './journal.js';
import type { Program } from './validate.js';

/** An event as the VM emits it (same shape as the node's ContractEvent). */
export interface VmEvent {
  readonly name: string;
  readonly data: readonly Uint8Array[];
}

/** Outcome of running a method. On revert, `returnData` is empty and `events` is empty. */
export interface ExecResult {
  readonly status: 'ok' | 'reverted';
  /** The reason code when reverted: a `VmReasonCode` or the contract's own reason. */
  readonly error?: string;
  /** Who chose `error`: the VM, or the contract through REVERT. */
  readonly errorKind?: 'vm' | 'contract';
  readonly gasUsed: number;
  readonly returnData: Uint8Array;
  readonly events: readonly VmEvent[];
  /** Instructions executed (for metrics and benchmarks; deterministic like everything else). */
  readonly steps: number;
}

/** Inputs of one execution. */
export interface ExecInput {
  readonly program: Program;
  /** Index of the function to run (its params are bound from `args`). */
  readonly func: number;
  readonly args: readonly Uint8Array[];
  readonly caller: Uint8Array;
  readonly height: number;
  readonly time: number;
  /** Gas available to instructions. */
  readonly gas: number;
  readonly state: StateView;
  /** Prepended to every storage key: the contract's namespace. */
  readonly keyPrefix: Uint8Array;
  /** `bytesKey(keyPrefix)`, when the caller has it cached. */
  readonly keyPrefixString?: string;
  /** The host's sha256 (see `CallParams.sha256Into`); @noble/hashes when absent. */
  readonly sha256Into?: Sha256Into;
}

/**
 * Writes sha256(`data`) into `out` (32 bytes). A host may hand the VM a native one; it must be
 * sha256, so results, gas and state are the same with or without it.
 */
export type Sha256Into = (out: Uint8Array, data: Uint8Array) => void;
