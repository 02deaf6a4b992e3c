/**
 * Who may do what: every mutating operation with callers that must be refused (and one that may),
 * as a table over {@link World.standard}. Run against the model and the contract.
 */

import type { ConsentOp } from '../../../vm/consent/ops.js';
import { keyRows, NOW, recordRows, suspend } from './op-scenarios-records.js';
import type { OpScenario } from './scenario-types.js';
import { DAY, hashOf, keyOf, MIN, type Name, T0, type World } from './world.js';

export type { OpScenario } from './scenario-types.js';

const register =
  (name: string, role: 'doctor' | 'patient' | 'researcher', licenceExpiry = T0 + DAY) =>
  () =>
    ({ op: 'registerActor', publicKey: keyOf(name), role, certHash: hashOf(name), licenceExpiry }) as const;
const grantOp =
  (patient: Name, grantee: Name, more: Partial<Extract<ConsentOp, { op: 'grant' }>> = {}) =>
  (w: World) =>
    ({
      op: 'grant',
      patient: w.id(patient),
      grantee: w.actor(grantee),
      actions: ['read'],
      scope: { kind: 'all' },
      purposes: ['TREAT'],
      start: T0,
      end: T0 + DAY,
      exceptions: [],
      ...more,
    }) as const;

/** The authorisation table. */
export const OP_SCENARIOS: readonly OpScenario[] = [
  // addOrg: governance only
  { name: 'governance adds an org', who: 'gov', op: () => addOrg('hosp-c'), expect: 'ok' },
  { name: 'an admin cannot add an org', who: 'adminA', op: () => addOrg('hosp-c'), expect: 'not_governance' },
  { name: 'org codes are unique', who: 'gov', op: () => addOrg('hosp-a'), expect: 'org_exists' },
  { name: 'org code shape', who: 'gov', op: () => addOrg('Hosp C'), expect: 'invalid_argument' },
  // registerActor: an admin, for the admin's own org kind
  { name: 'admin registers a doctor', who: 'adminA', op: register('drA9', 'doctor'), expect: 'ok' },
  {
    name: 'a patient cannot register actors',
    who: 'pat',
    op: register('drA9', 'doctor'),
    expect: 'unauthorised',
  },
  {
    name: 'a doctor cannot register actors',
    who: 'drA1',
    op: register('drA9', 'doctor'),
    expect: 'unauthorised',
  },
  {
    name: 'an unknown key cannot register',
    who: 'stranger',
    op: register('drA9', 'doctor'),
    expect: 'unknown_caller',
  },
  {
    name: 'a suspended admin cannot register',
    given: (w) => {
      w.ok('gov', T0, addOrg('hosp-c'));
      w.ok('adminC', T0, {
        op: 'registerActor',
        publicKey: keyOf('adminC2'),
        role: 'admin',
        certHash: hashOf('c2'),
        licenceExpiry: 0,
      });
      w.ok('adminC2', T0, { op: 'suspendActor', actor: w.id('adminC') });
    },
    who: 'adminC',
    op: register('drC9', 'doctor'),
    expect: 'caller_suspended',
  },
  {
    name: 'a hospital cannot register a researcher',
    who: 'adminA',
    op: register('r9', 'researcher'),
    expect: 'role_not_allowed',
  },
  { name: 'keys are registered once', who: 'adminB', op: register('drA1', 'doctor'), expect: 'actor_exists' },
  {
    name: 'a doctor needs a licence expiry',
    who: 'adminA',
    op: register('drA9', 'doctor', 0),
    expect: 'invalid_argument',
  },
  {
    name: 'an expired licence is refused',
    who: 'adminA',
    op: register('drA9', 'doctor', NOW),
    expect: 'invalid_argument',
  },
  // suspend / reinstate / updateLicence: an admin of the actor's org
  {
    name: 'admin suspends own doctor',
    who: 'adminA',
    op: (w) => ({ op: 'suspendActor', actor: w.id('drA1') }),
    expect: 'ok',
  },
  {
    name: 'admin of B cannot suspend a doctor of A',
    who: 'adminB',
    op: (w) => ({ op: 'suspendActor', actor: w.id('drA1') }),
    expect: 'unauthorised',
  },
  {
    name: 'a doctor cannot suspend',
    who: 'drA2',
    op: (w) => ({ op: 'suspendActor', actor: w.id('drA1') }),
    expect: 'unauthorised',
  },
  {
    name: 'an admin cannot suspend themself',
    who: 'adminA',
    op: (w) => ({ op: 'suspendActor', actor: w.id('adminA') }),
    expect: 'unauthorised',
  },
  {
    name: 'suspend unknown',
    who: 'adminA',
    op: () => ({ op: 'suspendActor', actor: hashOf('x') }),
    expect: 'unknown_actor',
  },
  {
    name: 'suspend twice',
    given: suspend('drA1', 'adminA'),
    who: 'adminA',
    op: (w) => ({ op: 'suspendActor', actor: w.id('drA1') }),
    expect: 'already_suspended',
  },
  {
    name: 'admin of B cannot reinstate a doctor of A',
    given: suspend('drA1', 'adminA'),
    who: 'adminB',
    op: (w) => ({ op: 'reinstateActor', actor: w.id('drA1') }),
    expect: 'unauthorised',
  },
  {
    name: 'reinstate an active actor',
    who: 'adminA',
    op: (w) => ({ op: 'reinstateActor', actor: w.id('drA1') }),
    expect: 'not_suspended',
  },
  {
    name: 'admin of B cannot renew a licence in A',
    who: 'adminB',
    op: (w) => ({
      op: 'updateLicence',
      actor: w.id('drA1'),
      certHash: hashOf('n'),
      licenceExpiry: T0 + 9 * DAY,
    }),
    expect: 'unauthorised',
  },
  // guardians: an admin of the patient's and guardian's org
  {
    name: 'admin of B cannot link a guardian in A',
    who: 'adminB',
    op: (w) => link(w, 'pat'),
    expect: 'unauthorised',
  },
  { name: 'a patient cannot link a guardian', who: 'pat', op: (w) => link(w, 'pat'), expect: 'unauthorised' },
  { name: 'link twice', who: 'adminA', op: (w) => link(w, 'child'), expect: 'already_linked' },
  {
    name: 'only a guardian can be linked',
    who: 'adminA',
    op: (w) => ({ op: 'linkGuardian', guardian: w.id('drA1'), patient: w.id('pat') }),
    expect: 'unknown_actor',
  },
  {
    name: 'unlink what is not linked',
    who: 'adminA',
    op: (w) => link(w, 'pat', 'unlinkGuardian'),
    expect: 'not_linked',
  },
  // grant: the patient or a linked guardian
  { name: 'patient grants', who: 'pat', op: grantOp('pat', 'drB1'), expect: 'ok' },
  {
    name: 'a doctor cannot grant on the patient’s behalf',
    who: 'drB1',
    op: grantOp('pat', 'drB1'),
    expect: 'unauthorised',
  },
  {
    name: 'an admin cannot grant on the patient’s behalf',
    who: 'adminA',
    op: grantOp('pat', 'drB1'),
    expect: 'unauthorised',
  },
  {
    name: 'another patient cannot grant for pat',
    who: 'pat2',
    op: grantOp('pat', 'drB1'),
    expect: 'unauthorised',
  },
  {
    name: 'a guardian cannot grant for an unlinked patient',
    who: 'mum',
    op: grantOp('pat', 'drB1'),
    expect: 'unauthorised',
  },
  { name: 'a linked guardian grants for the child', who: 'mum', op: grantOp('child', 'drB1'), expect: 'ok' },
  {
    name: 'grant to a patient is refused',
    who: 'pat',
    op: grantOp('pat', 'pat2'),
    expect: 'invalid_grantee',
  },
  {
    name: 'grant to an unknown org',
    who: 'pat',
    op: (w) => ({ ...grantOp('pat', 'drB1')(w), grantee: { kind: 'org', id: 'nope' } }),
    expect: 'unknown_org',
  },
  {
    name: 'grant with start = end',
    who: 'pat',
    op: grantOp('pat', 'drB1', { start: T0 + DAY }),
    expect: 'invalid_period',
  },
  {
    name: 'grant already ended',
    who: 'pat',
    at: T0 + DAY,
    op: grantOp('pat', 'drB1'),
    expect: 'invalid_period',
  },
  {
    name: 'grant with no purpose',
    who: 'pat',
    op: grantOp('pat', 'drB1', { purposes: [] }),
    expect: 'invalid_argument',
  },
  {
    name: 'grant for an unknown patient',
    who: 'pat',
    op: grantOp('drA1', 'drB1'),
    expect: 'unknown_patient',
  },
  // revoke: the grant's patient or their linked guardian
  ...revokeRows(),
  ...recordRows(),
  // shareKey, erase: the patient or a linked guardian
  ...keyRows(),
];

function addOrg(org: string): ConsentOp {
  const admin = org === 'hosp-c' ? 'adminC' : 'adminZ';
  return { op: 'addOrg', org, kind: 'hospital', adminKey: keyOf(admin), adminCertHash: hashOf(admin) };
}

function link(w: World, patient: Name, op: 'linkGuardian' | 'unlinkGuardian' = 'linkGuardian'): ConsentOp {
  return { op, guardian: w.id('mum'), patient: w.id(patient) };
}

function revokeRows(): OpScenario[] {
  const given = (w: World) => void w.grant('pat', w.actor('drB1'));
  const childGrant = (w: World) => void w.grant('child', w.actor('drB1'));
  // Grant ids: the standard world made 4 (seeded records); the next is 5.
  const op = () => ({ op: 'revoke', grantId: 5 }) as const;
  return [
    { name: 'patient revokes', given, who: 'pat', op, expect: 'ok' },
    { name: 'a doctor cannot revoke', given, who: 'drB1', op, expect: 'unauthorised' },
    { name: 'another patient cannot revoke', given, who: 'pat2', op, expect: 'unauthorised' },
    { name: 'an admin cannot revoke', given, who: 'adminA', op, expect: 'unauthorised' },
    { name: 'a linked guardian revokes for the child', given: childGrant, who: 'mum', op, expect: 'ok' },
    {
      name: 'revoke twice',
      given: (w) => {
        given(w);
        w.ok('pat', T0 + MIN, op());
      },
      who: 'pat',
      op,
      expect: 'already_revoked',
    },
    { name: 'revoke unknown', who: 'pat', op, expect: 'unknown_grant' },
  ];
}
