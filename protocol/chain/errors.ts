/**
 * Typed errors of the chain formats and the mempool. Every failure a client or peer can cause is a
 * `ChainError` with a stable `code` from the closed set below; the HTTP API maps codes to statuses.
 */

/** The closed set of error codes. Stable: clients match on these strings. */
export const ChainErrorCode = {
  /** Bytes are not the one canonical encoding of a value (truncated, trailing, bad id, int >= 2^53...). */
  BadEncoding: 'bad_encoding',
  /** Over a size or count limit (tx bytes, args, arg bytes, block bytes, block txs). */
  TooLarge: 'too_large',
  /** A key or seed of the wrong size, or a seed that does not match the sender. */
  BadKey: 'bad_key',
  /** The ed25519 signature does not verify. */
  BadSignature: 'bad_signature',
  /** The tx or block is for another chain id. */
  WrongChain: 'wrong_chain',
  /** Nonce below the sender's next committed nonce: a replay or an already used nonce. */
  NonceStale: 'nonce_stale',
  /** Another tx with the same sender and nonce is already pending. */
  NonceDuplicate: 'nonce_duplicate',
  /** Nonce too far ahead of the sender's committed nonce (outside the nonce window). */
  NonceGap: 'nonce_gap',
  /** The same tx (same hash) is already pending. */
  Duplicate: 'duplicate',
  /** The mempool is full and the tx could not fairly displace another; retry later. */
  MempoolFull: 'mempool_full',
  /** The contract id names no registered or deployed contract. */
  UnknownContract: 'unknown_contract',
  /** Gas limit zero or above the per-tx maximum. */
  GasLimit: 'gas_limit',
  /** A block whose tx root, tx count, or tx set does not match its header. */
  BadBlock: 'bad_block',
  /** The node's disk is full: it takes in nothing it cannot persist until space returns; retry later. */
  DiskFull: 'disk_full',
} as const;

/** One of the stable error code strings. */
export type ChainErrorCode = (typeof ChainErrorCode)[keyof typeof ChainErrorCode];

/** Suggested HTTP status per code (503 means: retry later, with Retry-After). */
export const chainErrorHttpStatus: Readonly<Record<ChainErrorCode, number>> = {
  bad_encoding: 400,
  too_large: 413,
  bad_key: 400,
  bad_signature: 401,
  wrong_chain: 400,
  nonce_stale: 409,
  nonce_duplicate: 409,
  nonce_gap: 409,
  duplicate: 409,
  mempool_full: 503,
  unknown_contract: 404,
  gas_limit: 400,
  bad_block: 400,
  disk_full: 503,
};

/** An error with a stable `code`; `details` carries machine-readable context (never secrets). */
export class ChainError extends Error {
  override readonly name = 'ChainError';
  readonly code: ChainErrorCode;
  readonly details: Readonly<Record<string, string | number>>;

  constructor(
    code: ChainErrorCode,
    message: string,
    details: Readonly<Record<string, string | number>> = {},
  ) {
    super(`${code}: ${message}`);
    this.code = code;
    this.details = details;
  }
}

/** True if `e` is a ChainError (optionally with the given code). */
export function isChainError(e: unknown, code?: ChainErrorCode): e is ChainError {
  return e instanceof ChainError && (code === undefined || e.code === code);
}
