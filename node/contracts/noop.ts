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
    executeBlock(ctx: BlockContext, txs: readonly SignedTx[]): BlockExecution {
      const receipts: Receipt[] = txs.map((tx, index) => ({
        txHash: tx.hash,
        height: ctx.height,
        index,
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
