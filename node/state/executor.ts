/**
 * The executor interface: what the node calls to apply a block's transactions to state. The VM
 * plugs in as one more `ContractHandler` in the registry (see registry.ts); the node never knows
 * which contract runs. Failures are values (receipts with a typed reason), never exceptions.
 */
import type { Receipt, SignedTx } from '../../protocol/chain/types.js';
import type { JournaledStateView, ReadonlyStateView, StateView } from './view.js';

/** What a block gives its transactions. */
export interface BlockContext {
  readonly height: number;
  /** Block time, ms since the Unix epoch (the proposer's clock). */
  readonly time: number;
  /** The proposer's raw 32-byte ed25519 public key. */
  readonly proposer: Uint8Array;
  readonly chainId: string;
}

/** A part of a block's txs: `txs[from, to)`. */
export interface TxRange {
  readonly from: number;
  readonly to: number;
}

/** What executing a block produced. `receipts[i]` belongs to `txs[i]`. */
export interface BlockExecution {
  readonly receipts: Receipt[];
  readonly gasUsed: number;
}

/** Result of a read-only query. */
export type QueryResult =
  | { readonly ok: true; readonly returnData: Uint8Array; readonly gasUsed?: number }
  | { readonly ok: false; readonly error: string; readonly gasUsed?: number };

/** Applies blocks and answers queries. */
export interface Executor {
  /**
   * Runs `txs` in order against `state`. Every tx gets a receipt; the executor leaves all
   * checkpoints it opened closed. Must be deterministic: same inputs, same receipts and writes.
   * With `range`, runs only `txs[from, to)`, as that part of the block (receipt indexes are positions
   * in `txs`), so a caller can run a block in slices on one journal with the same result.
   */
  executeBlock(
    ctx: BlockContext,
    txs: readonly SignedTx[],
    state: JournaledStateView,
    range?: TxRange,
  ): BlockExecution;
  /** A read-only call against the latest applied state. */
  query(state: ReadonlyStateView, contract: string, method: string, args: readonly Uint8Array[]): QueryResult;
}

/** Typed reasons a tx is reverted. Contracts may add their own codes (snake_case strings). */
export const RevertCode = {
  /** tx.nonce below the sender's next nonce (a replay or a duplicate): nothing changes. */
  NonceTooLow: 'nonce_too_low',
  /** tx.nonce above the sender's next nonce (a gap): nothing changes. */
  NonceTooHigh: 'nonce_too_high',
  /** tx.chainId is not this chain's: nothing changes. */
  WrongChain: 'wrong_chain',
  UnknownContract: 'unknown_contract',
  UnknownMethod: 'unknown_method',
  BadArgs: 'bad_args',
  OutOfGas: 'out_of_gas',
  Unauthorised: 'unauthorised',
  NotFound: 'not_found',
  /** The handler threw: a contract bug, turned into a revert so the node keeps going. */
  ContractPanic: 'contract_panic',
} as const;
export type RevertCode = (typeof RevertCode)[keyof typeof RevertCode];

/** Codes for which the tx had no effect at all, its nonce included. */
export const NON_CONSUMING_CODES: ReadonlySet<string> = new Set([
  RevertCode.NonceTooLow,
  RevertCode.NonceTooHigh,
  RevertCode.WrongChain,
]);

/** What a contract gets for one call. */
export interface ContractCall {
  readonly ctx: BlockContext;
  /** The contract id the tx named (a handler may serve several, e.g. every VM contract). */
  readonly contract: string;
  readonly txHash: Uint8Array;
  /** The signer's public key. */
  readonly sender: Uint8Array;
  readonly method: string;
  readonly args: readonly Uint8Array[];
  readonly gasLimit: number;
  /** The contract's own key space (already prefixed); writes are journaled by the executor. */
  readonly storage: StateView;
}

/** What a contract call returns. Gas above `gasLimit` turns any result into `out_of_gas`. */
export type CallResult =
  | {
      readonly ok: true;
      readonly gasUsed: number;
      readonly returnData?: Uint8Array;
      readonly events?: readonly { readonly name: string; readonly data: readonly Uint8Array[] }[];
    }
  | { readonly ok: false; readonly error: string; readonly gasUsed: number };

/** A contract: native code (kv) or, later, the VM running deployed bytecode. */
export interface ContractHandler {
  /** Name of the key space the handler's storage lives in; defaults to the contract id. */
  readonly space?: string;
  /** A system contract (governance) gets the whole state instead of its own key space. */
  readonly system?: boolean;
  call(call: ContractCall): CallResult;
  query(
    storage: ReadonlyStateView,
    method: string,
    args: readonly Uint8Array[],
    contract: string,
  ): QueryResult;
}
