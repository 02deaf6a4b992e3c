/**
 * The executor over a registry of contracts (contract id -> handler). Per tx:
 *   1. chain id must match, and tx.nonce must equal the sender's next nonce; otherwise the receipt
 *      is reverted (`wrong_chain`, `nonce_too_low`, `nonce_too_high`) and nothing changes, nonce
 *      included. A block builder never includes such txs, but a follower must not crash on them.
 *   2. the sender's nonce is consumed (outside the tx's checkpoint, so it survives a revert);
 *   3. checkpoint, call the handler on its prefixed storage, then commit on success or revert on
 *      failure (including gas above the limit, unknown contract, or a throwing handler).
 */
import type { Receipt, SignedTx } from '../../protocol/chain/types.js';
import type {
  BlockContext,
  BlockExecution,
  CallResult,
  ContractHandler,
  Executor,
  QueryResult,
  TxRange,
} from './executor.js';
import { RevertCode } from './executor.js';
import { contractPrefix, decodeNonce, encodeNonce, nonceKey } from './keys.js';
import type { JournaledStateView, ReadonlyStateView } from './view.js';
import { getByString, keyString, PrefixedReadView, PrefixedView, setByString } from './view.js';

const EMPTY = new Uint8Array(0);

/** Options of `createExecutor`. */
export interface RegistryExecutorOptions {
  /** Contract id -> handler. */
  readonly contracts: Readonly<Record<string, ContractHandler>>;
  /** Serves every contract id not in `contracts` (deployed VM contracts, named by code hash). */
  readonly fallback?: ContractHandler;
}

/** The next nonce the chain expects from `sender`. */
export function nextNonce(state: ReadonlyStateView, sender: Uint8Array): number {
  return decodeNonce(state.get(nonceKey(sender)));
}

function reverted(tx: SignedTx, ctx: BlockContext, index: number, error: string, gasUsed: number): Receipt {
  return {
    txHash: tx.hash,
    height: ctx.height,
    index,
    status: 'reverted',
    error,
    gasUsed,
    returnData: EMPTY,
    events: [],
  };
}

/** An executor dispatching each tx to its contract's handler. */
export function createExecutor(opts: RegistryExecutorOptions): Executor {
  const handlers = new Map<string, { handler: ContractHandler; prefix: Uint8Array }>();
  for (const [id, handler] of Object.entries(opts.contracts)) {
    handlers.set(id, {
      handler,
      prefix: handler.system === true ? EMPTY : contractPrefix(handler.space ?? id),
    });
  }
  const fallback =
    opts.fallback === undefined
      ? undefined
      : { handler: opts.fallback, prefix: contractPrefix(opts.fallback.space ?? 'fallback') };
  const lookup = (contract: string) => handlers.get(contract) ?? fallback;

  type Entry = NonNullable<ReturnType<typeof lookup>>;

  function runTx(
    ctx: BlockContext,
    tx: SignedTx,
    index: number,
    state: JournaledStateView,
    views: Map<Entry, PrefixedView>,
  ): Receipt {
    const body = tx.body;
    if (body.chainId !== ctx.chainId) return reverted(tx, ctx, index, RevertCode.WrongChain, 0);
    // The nonce key as the overlay's map string, built once for the read and the write.
    const nk = keyString(nonceKey(body.sender));
    const expected = decodeNonce(getByString(state, nk));
    if (body.nonce < expected) return reverted(tx, ctx, index, RevertCode.NonceTooLow, 0);
    if (body.nonce > expected) return reverted(tx, ctx, index, RevertCode.NonceTooHigh, 0);
    setByString(state, nk, encodeNonce(expected + 1));

    const entry = lookup(body.contract);
    if (entry === undefined) return reverted(tx, ctx, index, RevertCode.UnknownContract, 0);
    // One prefixed view per contract space and block: it holds no per-tx state.
    let storage = views.get(entry);
    if (storage === undefined) {
      storage = new PrefixedView(state, entry.prefix);
      views.set(entry, storage);
    }
    state.checkpoint();
    let result: CallResult;
    try {
      result = entry.handler.call({
        ctx,
        contract: body.contract,
        txHash: tx.hash,
        sender: body.sender,
        method: body.method,
        args: body.args,
        gasLimit: body.gasLimit,
        storage,
      });
    } catch {
      result = { ok: false, error: RevertCode.ContractPanic, gasUsed: body.gasLimit };
    }
    if (result.gasUsed > body.gasLimit) {
      result = { ok: false, error: RevertCode.OutOfGas, gasUsed: body.gasLimit };
    }
    if (!result.ok) {
      state.revert();
      return reverted(tx, ctx, index, result.error, result.gasUsed);
    }
    state.commit();
    return {
      txHash: tx.hash,
      height: ctx.height,
      index,
      status: 'ok',
      gasUsed: result.gasUsed,
      returnData: result.returnData ?? EMPTY,
      events: result.events ?? [],
    };
  }

  return {
    executeBlock(
      ctx: BlockContext,
      txs: readonly SignedTx[],
      state: JournaledStateView,
      range?: TxRange,
    ): BlockExecution {
      const receipts: Receipt[] = [];
      const views = new Map<Entry, PrefixedView>();
      let gasUsed = 0;
      const to = Math.min(range?.to ?? txs.length, txs.length);
      for (let i = range?.from ?? 0; i < to; i++) {
        const r = runTx(ctx, txs[i]!, i, state, views);
        gasUsed += r.gasUsed;
        receipts.push(r);
      }
      return { receipts, gasUsed };
    },

    query(
      state: ReadonlyStateView,
      contract: string,
      method: string,
      args: readonly Uint8Array[],
    ): QueryResult {
      const entry = lookup(contract);
      if (entry === undefined) return { ok: false, error: RevertCode.UnknownContract };
      try {
        return entry.handler.query(new PrefixedReadView(state, entry.prefix), method, args, contract);
      } catch {
        return { ok: false, error: RevertCode.ContractPanic };
      }
    },
  };
}
