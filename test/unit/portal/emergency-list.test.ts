/**
 * The doctor's list of open emergencies, as the care stream's events fold into it: one row per
 * request of the organisation, its co-signature joined, and its state judged at a time (open within
 * the hour, co-signed, expired), as a scenario table.
 */
import { describe, expect, it } from 'vitest';
import {
  COSIGN_WINDOW_MS,
  type EmergencyRow,
  emergencyRows,
  emergencyState,
} from '../../../portal/src/emergency-list.js';
import type { ActorEvent } from '../../../protocol/notify.js';

const DOCTOR = 'c'.repeat(64);
const COLLEAGUE = 'e'.repeat(64);
const PATIENT = 'a'.repeat(64);
let n = 0;
const event = (over: Partial<ActorEvent>): ActorEvent => ({
  id: `${++n}-0`,
  type: 'emergency.requested',
  actor: 'org:hosp-a',
  as: 'organisation',
  height: n,
  time: 0,
  at: 1_000,
  patient: PATIENT,
  by: DOCTOR,
  ...over,
});

describe('emergencyRows', () => {
  it('joins a co-signature to its request, newest request first', () => {
    const rows = emergencyRows([
      event({ emergencyId: 1, reason: 'unconscious' }),
      event({ emergencyId: 2, reason: 'trauma', at: 2_000 }),
      event({ type: 'emergency.cosigned', emergencyId: 1, by: COLLEAGUE, at: 1_500, requester: DOCTOR }),
    ]);
    expect(rows.map((r) => [r.id, r.reason, r.cosigner, r.cosignedAt])).toEqual([
      [2, 'trauma', null, null],
      [1, 'unconscious', COLLEAGUE, 1_500],
    ]);
  });

  it('ignores the patient-side copies and grant events', () => {
    expect(
      emergencyRows([
        event({ emergencyId: 3, actor: PATIENT, as: 'patient' }),
        event({ type: 'grant.given', grantId: 4, as: 'grantee' }),
      ]),
    ).toEqual([]);
  });
});

describe('emergencyState', () => {
  const row: EmergencyRow = {
    id: 1,
    patient: PATIENT,
    requester: DOCTOR,
    reason: 'unconscious',
    requestedAt: 1_000,
    cosigner: null,
    cosignedAt: null,
  };
  const cases: [string, EmergencyRow, number, string][] = [
    ['open at the request', row, 1_000, 'open'],
    ['open a moment before the hour is up', row, 1_000 + COSIGN_WINDOW_MS - 1, 'open'],
    ['expired at the hour (end exclusive)', row, 1_000 + COSIGN_WINDOW_MS, 'expired'],
    ['co-signed, whatever the time', { ...row, cosigner: COLLEAGUE, cosignedAt: 2_000 }, 9e12, 'co-signed'],
  ];
  it.each(cases)('%s', (_name, r, now, want) => {
    expect(emergencyState(r, now)).toBe(want);
  });
});
