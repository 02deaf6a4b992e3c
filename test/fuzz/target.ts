/** What a fuzz target is, and how it tells an expected refusal from a crash. */
import type { Rand } from './gen.js';

/** One thing the campaign throws inputs at. */
export interface FuzzTarget {
  readonly name: string;
  /** Share of the campaign's inputs and time (relative to the other targets). */
  readonly weight: number;
  /**
   * Draws one input from `r` and runs it: true if accepted, false if refused the documented way.
   * Anything else (an unexpected exception, a broken invariant) throws: a crash.
   */
  run(r: Rand): boolean | Promise<boolean>;
  /** Releases what the target set up. */
  close?(): Promise<void>;
}

/** An invariant a target checks did not hold for an input. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** false when `err` is one of the expected error classes; rethrows anything else (a crash). */
export function refused(err: unknown, ...expected: readonly ErrorClass[]): false {
  if (expected.some((c) => err instanceof c)) return false;
  throw err;
}

/** Throws InvariantError unless `ok`. */
export function invariant(ok: boolean, what: string): void {
  if (!ok) throw new InvariantError(what);
}
