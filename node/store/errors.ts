/** Typed storage errors: one class, a stable string code, and details. */

/** Every code a `StoreError` can carry. */
export const StoreErrorCode = {
  /** The store is not open (or was closed). */
  NotOpen: 'not_open',
  /** On-disk bytes could not be decoded. */
  Corrupt: 'corrupt',
  /** A Raft write that breaks the log's rules (gap, stale snapshot, compaction out of range). */
  RaftInvalid: 'raft_invalid',
  /** commitBlock out of order (height is not latest + 1). */
  BadHeight: 'bad_height',
  /** commitBlock with receipts that do not match the block's txs. */
  BadReceipts: 'bad_receipts',
  /** commitBlock with a block whose parent hash is not the last block's hash. */
  BadParent: 'bad_parent',
  /** The raft applied index would move backwards. */
  BadAppliedIndex: 'bad_applied_index',
  /** The staged writes were computed against another state. */
  StaleStage: 'stale_stage',
  /** A state snapshot whose entries do not hash to its stated root. */
  SnapshotRootMismatch: 'snapshot_root_mismatch',
  /** A state snapshot not newer than the applied state. */
  SnapshotStale: 'snapshot_stale',
  /** A state snapshot that cannot be parsed (bad magic, version, truncation, order). */
  SnapshotMalformed: 'snapshot_malformed',
  /** The state loaded from disk does not hash to the root in meta. */
  StateRootMismatch: 'state_root_mismatch',
  /** Genesis already written with a different hash. */
  GenesisMismatch: 'genesis_mismatch',
  /** The database directory is locked by another process (the node is already running). */
  Locked: 'locked',
  /** The disk holding the database has no room (at open; while running, writes wait instead). */
  DiskFull: 'disk_full',
  /** An operation that needs genesis before it. */
  NoGenesis: 'no_genesis',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

/** An error from node/store. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code}: ${message}`);
  }
}
