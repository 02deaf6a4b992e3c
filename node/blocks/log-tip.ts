/**
 * The last block in this node's Raft log, applied or not: what a new leader's first block extends.
 * Pure over the Raft storage: blocks of the unapplied tail are decoded in order from the applied tip.
 */
import type { Storage } from '../../consensus/types.js';
import { EntryType } from '../../consensus/types.js';
import { decodeBlock } from '../../protocol/chain/block.js';
import type { Block, SignedTx } from '../../protocol/chain/types.js';
import type { ChainTip } from './rules.js';

export interface LogTip {
  readonly tip: ChainTip;
  /** Txs of the blocks in the unapplied tail: already on their way, so out of the mempool. */
  readonly inFlight: readonly (readonly SignedTx[])[];
}

/** Walks the entries after `appliedIndex` from `applied`, the tip of applied state. */
export function findLogTip(storage: Storage, appliedIndex: number, applied: ChainTip): LogTip {
  let tip = applied;
  const inFlight: (readonly SignedTx[])[] = [];
  const last = storage.lastIndex();
  if (last <= appliedIndex) return { tip, inFlight };
  for (const e of storage.entries(Math.max(appliedIndex + 1, storage.firstIndex()), last + 1)) {
    if (e.data.length === 0 || e.type !== EntryType.Normal) continue;
    let b: Block;
    try {
      b = decodeBlock(e.data);
    } catch {
      continue;
    }
    if (b.header.height !== tip.height + 1) continue;
    inFlight.push(b.txs);
    tip = { height: b.header.height, hash: b.hash, time: b.header.time };
  }
  return { tip, inFlight };
}
