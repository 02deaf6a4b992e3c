/** Stable error codes thrown by the Raft core. Refused proposals are values (ProposeResult), not errors. */
export const RaftErrorCode = {
  /** The requested index is below the first index still held (compacted into a snapshot). */
  Compacted: 'compacted',
  /** The requested index is beyond the last index held. */
  Unavailable: 'unavailable',
  /** A snapshot older than (or as old as) the one already held. */
  SnapshotOutOfDate: 'snapshot_out_of_date',
  /** A membership change that is malformed or cannot be applied to the current configuration. */
  InvalidConfChange: 'invalid_conf_change',
  /** A RaftConfig or stored state that makes no sense. */
  InvalidConfig: 'invalid_config',
  /** The driver broke the Ready contract (e.g. ready() twice without advance()). */
  InvalidReady: 'invalid_ready',
  /** Entries handed to storage or the log would leave a gap or rewrite committed history. */
  InvalidEntries: 'invalid_entries',
} as const;
export type RaftErrorCode = (typeof RaftErrorCode)[keyof typeof RaftErrorCode];

/** The one error class of the consensus core; switch on `code`, never on the message. */
export class RaftError extends Error {
  readonly code: RaftErrorCode;

  constructor(code: RaftErrorCode, message: string) {
    super(message);
    this.name = 'RaftError';
    this.code = code;
  }
}
