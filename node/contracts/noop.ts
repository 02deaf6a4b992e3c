/**
 * The `noop` executor: every tx succeeds with no gas and no state access at all, nonces included.
 * For consensus-only benchmarks, where execution must cost nothing.
 */
import type { Receipt, SignedTx } from '../../protocol/chain/types.js';
import type {
  BlockContext,
  BlockExecution,
  ContractHandler,
  Executor,
  QueryResult,
  TxRange,
} from '../state/executor.js';
import { RevertCode } from '../state/executor.js';

const EMPTY = new Uint8Array(0);

/**
 * The `noop` contract: a signed tx that does nothing but consume its nonce (gas 1). Unlike the noop
 * executor, it runs through the real executor, so a consensus benchmark keeps nonce and replay rules.
 */
export function createNoopContract(): ContractHandler {
  return {
    call: () => ({ ok: true, gasUsed: 1 }),
    query: () => ({ ok: true, returnData: EMPTY }),
  };
}

/** Creates the noop executor. */
export function createNoopExecutor(): Executor {
  return {
    executeBlock(
      ctx: BlockContext,
      txs: readonly SignedTx[],
      _state: unknown,
      range?: TxRange,
    ): BlockExecution {
      const from = range?.from ?? 0;
      const part = txs.slice(from, Math.min(range?.to ?? txs.length, txs.length));
      const receipts: Receipt[] = part.map((tx, i) => ({
        txHash: tx.hash,
        height: ctx.height,
        index: from + i,
        status: 'ok',
        gasUsed: 0,
        returnData: EMPTY,
        events: [],
      }));
      return { receipts, gasUsed: 0 };
    },
    query(): QueryResult {
      return { ok: false, error: RevertCode.UnknownContract };
    },
  };
}
