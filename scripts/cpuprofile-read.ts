/**
 * The parts of a V8 `.cpuprofile` (`node --cpu-prof`) that the profile summarisers read
 * (scripts/cpuprofile-top.ts: self time by function and source; scripts/cpuprofile-summary.ts: what
 * a validator does, per tx).
 */
import { readFileSync } from 'node:fs';

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
export interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Reads a `.cpuprofile` file. */
export function readProfile(file: string): Profile {
  return JSON.parse(readFileSync(file, 'utf8')) as Profile;
}
