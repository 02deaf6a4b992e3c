/** Stable error codes of the records layer (client and node). Callers switch on `code`. */
export const RecordErrorCode = {
  /** Bytes that do not decode to a well-formed envelope, wrapped key or request. */
  BadEncoding: 'bad_encoding',
  /** An envelope or wrapped key of a format version this code does not know. */
  UnsupportedVersion: 'unsupported_version',
  /** Authentication failed: wrong key, tampered ciphertext, or another record's key. */
  DecryptFailed: 'decrypt_failed',
  /** Bytes that do not hash to the CID they were fetched or stored under. */
  HashMismatch: 'hash_mismatch',
  /** The resource is not valid FHIR R4; `path` names the field at fault. */
  InvalidFhir: 'invalid_fhir',
  /** A request whose signature does not verify. */
  BadSignature: 'bad_signature',
  /** A request outside the accepted time window. */
  StaleRequest: 'stale_request',
  /** A request nonce seen before. */
  ReplayedRequest: 'replayed_request',
  /** Bigger than the configured limit. */
  TooLarge: 'too_large',
  /** The uploader's stored bytes would exceed its quota. */
  QuotaExceeded: 'quota_exceeded',
  /** The uploader is not a registered, active actor. */
  NotRegistered: 'not_registered',
  /** No key is wrapped for this reader on chain. */
  NoKey: 'no_key',
  /** The record was erased. */
  Erased: 'erased',
  /** No such record or version on chain. */
  UnknownRecord: 'unknown_record',
  /** No node holds the blob (or none could be reached). */
  NotFound: 'not_found',
  /** The consent contract refused the read; `detail` holds its reason (revoked, no_grant, ...). */
  AccessDenied: 'access_denied',
  /** The request's CID is not the one the chain anchored for that version. */
  CidMismatch: 'cid_mismatch',
  /** A chain transaction was reverted; `detail` holds the contract's code. */
  TxReverted: 'tx_reverted',
} as const;
export type RecordErrorCode = (typeof RecordErrorCode)[keyof typeof RecordErrorCode];

/** The one error type of `node/records` and the records client. */
export class RecordError extends Error {
  override readonly name = 'RecordError';
  constructor(
    readonly code: RecordErrorCode,
    message: string,
    /** For invalid_fhir: the FHIR path at fault; for tx_reverted: the contract's code. */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** True when `err` is a RecordError (optionally with the given code). */
export function isRecordError(err: unknown, code?: RecordErrorCode): err is RecordError {
  return err instanceof RecordError && (code === undefined || err.code === code);
}
