/**
 * The consent rules as a table: given a history, who asks for what, when and why, and the answer.
 * Run against the reference model (rules.test.ts) and the compiled contract (contract.test.ts).
 * Every world starts from {@link World.standard}: records lab1, img1, mh1 of `pat`, p2lab of `pat2`.
 */
import type { AccessScenario } from './scenario-types.js';
import {
  denyScenarios,
  END,
  emergencyScenarios,
  labToDrB1,
  mentalHealth,
  record,
  revokeScenarios,
  statusScenarios,
} from './scenarios-more.js';
import { DAY, HOUR, MIN, rec, T0 } from './world.js';

export type { AccessScenario } from './scenario-types.js';

/** The access table. Defaults: patient `pat`, target category lab, read, TREAT, at T0 + 1 hour. */
export const ACCESS_SCENARIOS: readonly AccessScenario[] = [
  // The patient and the guardian
  { name: 'patient reads own record', who: 'pat', target: record('lab1'), expect: 'own_record' },
  {
    name: 'patient reads own category, any purpose',
    who: 'pat',
    target: mentalHealth,
    purpose: 'HRESCH',
    expect: 'own_record',
  },
  {
    name: 'patient cannot write own record (only doctors write)',
    who: 'pat',
    action: 'write',
    expect: 'role_mismatch',
  },
  { name: 'patient cannot read another patient', who: 'pat2', expect: 'role_mismatch' },
  { name: 'linked guardian reads the child', who: 'mum', patient: 'child', expect: 'guardian' },
  { name: 'guardian does not read an unlinked patient', who: 'mum', patient: 'pat', expect: 'role_mismatch' },
  {
    name: 'unlinked guardian loses access',
    given: (w) =>
      w.ok('adminA', T0 + MIN, { op: 'unlinkGuardian', guardian: w.id('mum'), patient: w.id('child') }),
    who: 'mum',
    patient: 'child',
    expect: 'role_mismatch',
  },
  {
    name: 'guardian grants for the child; the doctor reads',
    given: (w) => w.grant('child', w.actor('drB1'), T0, { by: 'mum' }),
    who: 'drB1',
    patient: 'child',
    expect: 'granted',
  },
  // Grants, scope and purpose
  { name: 'no grant', who: 'drB1', expect: 'no_grant' },
  { name: 'category grant covers the category', given: labToDrB1, who: 'drB1', expect: 'granted' },
  {
    name: 'category grant covers a record of it',
    given: labToDrB1,
    who: 'drB1',
    target: record('lab1'),
    expect: 'granted',
  },
  {
    name: 'category grant: other category',
    given: labToDrB1,
    who: 'drB1',
    target: record('img1'),
    expect: 'scope_mismatch',
  },
  {
    name: 'read grant does not allow write',
    given: labToDrB1,
    who: 'drB1',
    action: 'write',
    expect: 'scope_mismatch',
  },
  {
    name: 'purpose not in the grant',
    given: labToDrB1,
    who: 'drB1',
    purpose: 'ETREAT',
    expect: 'purpose_mismatch',
  },
  {
    name: 'doctor may never use HPAYMT',
    given: labToDrB1,
    who: 'drB1',
    purpose: 'HPAYMT',
    expect: 'role_mismatch',
  },
  {
    name: 'record grant covers that record',
    given: (w) => w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'record', recordId: rec('lab1') } }),
    who: 'drB1',
    target: record('lab1'),
    expect: 'granted',
  },
  {
    name: 'record grant: another record of the same category',
    given: (w) => w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'record', recordId: rec('img1') } }),
    who: 'drB1',
    target: record('lab1'),
    expect: 'scope_mismatch',
  },
  {
    name: 'record grant does not cover the category in general',
    given: (w) => w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'record', recordId: rec('lab1') } }),
    who: 'drB1',
    expect: 'scope_mismatch',
  },
  {
    name: 'grant of one patient does not cover another',
    given: labToDrB1,
    who: 'drB1',
    patient: 'pat2',
    target: record('p2lab'),
    expect: 'no_grant',
  },
  {
    name: 'grant to an org: its doctor',
    given: (w) => w.grant('pat', { kind: 'org', id: 'hosp-b' }),
    who: 'drB2',
    expect: 'granted',
  },
  {
    name: 'grant to an org: other org',
    given: (w) => w.grant('pat', { kind: 'org', id: 'hosp-b' }),
    who: 'drA1',
    expect: 'no_grant',
  },
  {
    name: 'grant to a role: any insurer, for payment',
    given: (w) => w.grant('pat', { kind: 'role', id: 'insurer' }, T0, { purposes: ['HPAYMT'] }),
    who: 'ins1',
    purpose: 'HPAYMT',
    expect: 'granted',
  },
  {
    name: 'grant to a role: other role',
    given: (w) => w.grant('pat', { kind: 'role', id: 'insurer' }),
    who: 'drB1',
    expect: 'no_grant',
  },
  {
    name: 'insurer may never use TREAT',
    given: (w) => w.grant('pat', w.actor('ins1')),
    who: 'ins1',
    expect: 'role_mismatch',
  },
  {
    name: 'researcher with an HRESCH grant',
    given: (w) => w.grant('pat', w.actor('res1'), T0, { purposes: ['HRESCH'] }),
    who: 'res1',
    purpose: 'HRESCH',
    expect: 'granted',
  },
  {
    name: 'insurer may never write',
    given: (w) => w.grant('pat', w.actor('ins1'), T0, { actions: ['read', 'write'], purposes: ['HPAYMT'] }),
    who: 'ins1',
    action: 'write',
    purpose: 'HPAYMT',
    expect: 'role_mismatch',
  },
  {
    name: 'write grant allows a doctor to write',
    given: (w) => w.grant('pat', w.actor('drB1'), T0, { actions: ['write'] }),
    who: 'drB1',
    action: 'write',
    expect: 'granted',
  },
  // Deny exceptions inside a permit (FHIR nested provision type deny)
  ...denyScenarios(),
  // Periods: [start, end), end exclusive
  { name: 'at start: in force', given: labToDrB1, who: 'drB1', at: T0, expect: 'granted' },
  { name: 'one ms before end: in force', given: labToDrB1, who: 'drB1', at: END - 1, expect: 'granted' },
  { name: 'exactly at end: expired', given: labToDrB1, who: 'drB1', at: END, expect: 'expired' },
  {
    name: 'one ms before start: not yet valid',
    given: (w) => w.grant('pat', w.actor('drB1'), T0, { start: T0 + DAY }),
    who: 'drB1',
    at: T0 + DAY - 1,
    expect: 'not_yet_valid',
  },
  {
    name: 'a failing permit that got further wins: expired over scope_mismatch',
    given: (w) => {
      w.grant('pat', w.actor('drB1'), T0, { end: T0 + HOUR });
      w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'categories', categories: ['imaging'] } });
    },
    who: 'drB1',
    at: T0 + HOUR,
    expect: 'expired',
  },
  // Revocation
  ...revokeScenarios(),
  // Actor status
  ...statusScenarios(),
  // Emergency access
  ...emergencyScenarios(),
  // Unknowns
  { name: 'unknown actor', who: 'stranger', expect: 'unknown_actor' },
  { name: 'asking about a non-patient', who: 'drB1', patient: 'drA1', expect: 'unknown_patient' },
  { name: 'unknown record', who: 'pat', target: record('nope'), expect: 'unknown_record' },
  { name: 'record of another patient', who: 'pat', target: record('p2lab'), expect: 'unknown_record' },
  { name: 'unknown version', who: 'pat', target: record('lab1', 2), expect: 'unknown_record' },
];
