/**
 * What can go wrong reading or writing the shared binary primitives. The core never builds an
 * error itself: each owner (chain, store, records) passes a factory that turns a fault into its own
 * typed error, with its own code and message.
 */
export type ByteFault = ReadFault | WriteFault;

/** A fault of `BinaryReader`. */
export type ReadFault =
  /** Fewer than the needed bytes remain at `at`. */
  | { readonly kind: 'truncated'; readonly field: string; readonly at: number }
  /** A u64 read at `at` is >= 2^53. */
  | { readonly kind: 'u64_range'; readonly field: string; readonly at: number }
  /** A length prefix above its limit. */
  | { readonly kind: 'too_large'; readonly field: string; readonly length: number; readonly limit: number }
  /** `count` bytes left unread after `what`, from `at`. */
  | { readonly kind: 'trailing'; readonly what: string; readonly at: number; readonly count: number };

/** A fault of `BinaryWriter`. */
export type WriteFault =
  /** A u64 to write that is not an integer in [0, 2^53). */
  | { readonly kind: 'bad_u64'; readonly field: string; readonly value: number }
  /** Fixed-size bytes to write that are not bytes of exactly `size`. */
  | { readonly kind: 'bad_size'; readonly field: string; readonly size: number };

/** Turns a fault into the owner's error (which the core then throws). */
export type FaultFactory<F extends ByteFault = ByteFault> = (fault: F) => Error;
