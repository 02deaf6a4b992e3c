/** Options of block production and transaction admission. */
import { defaultTxLimits } from '../../protocol/chain/tx.js';

/** Block production on the leader. */
export interface BlockOptions {
  /** A leader with pending txs cuts a block at least this often. */
  readonly intervalMs: number;
  readonly maxTxs: number;
  readonly maxBytes: number;
  /** Blocks proposed but not yet applied, at most: keeps the pipeline full without unbounded memory. */
  readonly maxInflight: number;
  /**
   * Block time is consent time: a follower refuses a block more than this many ms ahead of its clock,
   * and a leader whose clock is behind the chain, or has stalled, by more than this steps aside
   * (node/raft/block-clock.ts).
   */
  readonly maxClockSkewMs: number;
  /** How long a peer that proposed a block from the future is not followed or voted for. */
  readonly distrustMs: number;
  /**
   * A committed block executes in slices of about this many ms, yielding the event loop between
   * them so Raft messages and ticks do not wait behind a whole block (0: in one piece).
   */
  readonly applySliceMs: number;
}

export const defaultBlockOptions: BlockOptions = {
  intervalMs: 50,
  maxTxs: 1000,
  maxBytes: 4 * 1024 * 1024,
  maxInflight: 8,
  maxClockSkewMs: 5_000,
  distrustMs: 30_000,
  applySliceMs: 10,
};

/** Transaction admission (HTTP and gossip alike). */
export interface TxAdmissionOptions {
  /** Largest signed tx in bytes (`too_large` above). */
  readonly maxTxBytes: number;
  /** Largest gas limit a tx may carry (`gas_limit` above). */
  readonly maxGasLimit: number;
  /** Admitted client txs are gossiped in batches of at most this many txs... */
  readonly gossipBatchTxs: number;
  /**
   * ...or, while txs keep coming, this many ms after the previous batch, whichever first (a tx after
   * a quiet spell of this long goes out at once).
   */
  readonly gossipBatchMs: number;
}

export const defaultTxAdmissionOptions: TxAdmissionOptions = {
  maxTxBytes: defaultTxLimits.maxTxBytes,
  maxGasLimit: 10_000_000,
  gossipBatchTxs: 256,
  gossipBatchMs: 20,
};
