/**
 * Feature activations scheduled by governance, kept in state (under the state root) in the system
 * key space:
 *   0x00 0x06 -> JSON object { name: height }, names sorted (absent until the first activation)
 * Every node reads the same schedule from the same state, whatever names its code knows.
 */
import type { FeatureSchedule } from '../../protocol/chain/features.js';
import { KeySpace } from './keys.js';
import type { ReadonlyStateView, StateView } from './view.js';

const SCHEDULE = new Uint8Array([KeySpace.System, 0x06]);

/** The raw bytes of the schedule (undefined: none), for callers that cache the parsed form. */
export function readScheduleBytes(state: ReadonlyStateView): Uint8Array | undefined {
  return state.get(SCHEDULE);
}

/** Parses what `readScheduleBytes` returned. */
export function parseSchedule(raw: Uint8Array | undefined): FeatureSchedule {
  if (raw === undefined) return {};
  return JSON.parse(new TextDecoder().decode(raw)) as Record<string, number>;
}

/** The scheduled feature activations. */
export function readFeatureSchedule(state: ReadonlyStateView): FeatureSchedule {
  return parseSchedule(readScheduleBytes(state));
}

/** Adds `name` at `height` to the schedule (the caller checked activationProblem). */
export function scheduleFeature(state: StateView, name: string, height: number): void {
  const next: Record<string, number> = { ...readFeatureSchedule(state), [name]: height };
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  state.set(SCHEDULE, new TextEncoder().encode(JSON.stringify(sorted)));
}
