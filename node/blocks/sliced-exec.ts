/**
 * Runs a committed block's txs in time slices, yielding the event loop between them. A 1,000-tx
 * block executes for 100-300 ms on a loaded 2-core machine; in one piece it holds back every Raft
 * message, heartbeat and tick that arrives meanwhile (docs/raft.md, "Needless elections"). Yielding
 * changes nothing in the result: the slices run in order on one journal, which nothing else writes,
 * and the world state changes only when the applier commits the whole block.
 */
import type { Receipt, SignedTx } from '../../protocol/chain/types.js';
import type { BlockContext, BlockExecution, Executor } from '../state/executor.js';
import type { JournaledStateView } from '../state/view.js';

/** Txs run between two looks at the clock. */
const STEP_TXS = 16;

/** Resolves after the I/O waiting behind the current task (sockets, timers) has run. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Something to wait on at a slice boundary (raft/leaderless-hold.ts), or null to go on. */
export type SliceHold = () => Promise<void> | null;

/**
 * Executes `txs` like `executor.executeBlock`, yielding whenever `sliceMs` of execution have passed
 * since the last yield (0: one piece, never yields), and before the block and after each yield
 * waiting while `hold` says so. `now` is a monotonic clock in ms.
 */
export async function executeSliced(
  executor: Executor,
  ctx: BlockContext,
  txs: readonly SignedTx[],
  state: JournaledStateView,
  sliceMs: number,
  now: () => number = () => performance.now(),
  hold: SliceHold = () => null,
): Promise<BlockExecution> {
  const held = hold();
  if (held !== null) await held;
  if (sliceMs <= 0 || txs.length <= STEP_TXS) return executor.executeBlock(ctx, txs, state);
  const receipts: Receipt[] = [];
  let gasUsed = 0;
  let sliceStart = now();
  for (let from = 0; from < txs.length; from += STEP_TXS) {
    const part = executor.executeBlock(ctx, txs, state, { from, to: from + STEP_TXS });
    for (const r of part.receipts) receipts.push(r);
    gasUsed += part.gasUsed;
    if (from + STEP_TXS < txs.length && now() - sliceStart >= sliceMs) {
      await yieldToLoop();
      const h = hold();
      if (h !== null) await h;
      sliceStart = now();
    }
  }
  return { receipts, gasUsed };
}
