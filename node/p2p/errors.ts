/** Stable error codes raised by the p2p layer. Callers switch on `code`, never on `message`. */
export const P2PErrorCode = {
  /** Untrusted bytes that do not decode to a well-formed value. */
  BadMessage: 'bad_message',
  /** A frame, array or string over its configured limit. */
  TooLarge: 'too_large',
  /** A Raft message whose `from` is not the authenticated remote peer. */
  ForgedSender: 'forged_sender',
  /** A key or peer id that is not a valid ed25519 identity. */
  BadKey: 'bad_key',
  /** The peer is outside the allow-list. */
  NotAllowed: 'not_allowed',
  /** The host is not running. */
  NotStarted: 'not_started',
  /** An operation ran out of time (its own timeout, not the caller's signal). */
  Timeout: 'timeout',
  /** The caller's AbortSignal fired. */
  Aborted: 'aborted',
  /** The remote handler answered with an error; `message` carries its code. */
  RemoteError: 'remote_error',
  /** The peer could not be dialled or the stream failed. */
  Unreachable: 'unreachable',
  /** No peer to reach at all (e.g. a DHT announce while the routing table is empty). */
  NoPeers: 'no_peers',
  /** Host options out of range (e.g. a protocol version range that is empty). */
  BadOptions: 'bad_options',
  /** A handler for this protocol is already registered. */
  AlreadyHandled: 'already_handled',
} as const;
export type P2PErrorCode = (typeof P2PErrorCode)[keyof typeof P2PErrorCode];

/** The one error type thrown by `node/p2p`. */
export class P2PError extends Error {
  override readonly name = 'P2PError';
  /** For 'remote_error': the code the remote handler refused with (see `RequestRefusal`). */
  readonly remoteCode: string | undefined;
  constructor(
    readonly code: P2PErrorCode,
    message: string,
    options?: { cause?: unknown; remoteCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.remoteCode = options?.remoteCode;
  }
}

/** True when `err` is a P2PError (optionally with the given code). */
export function isP2PError(err: unknown, code?: P2PErrorCode): err is P2PError {
  return err instanceof P2PError && (code === undefined || err.code === code);
}
