/**
 * The consent rules as a table: given a history, who asks for what, when and why, and the answer.
 * Run against the reference model (rules.test.ts) and the compiled contract (contract.test.ts).
 * Every world starts from {@link World.standard}: records lab1, img1, mh1 of `pat`, p2lab of `pat2`.
 */
import type { AccessTarget } from '../../vm/consent/access.js';
import type { Reason } from '../../vm/consent/codes.js';
import type { Action, Purpose, Time } from '../../vm/consent/types.js';
import { DAY, HOUR, MIN, type Name, rec, T0, type World } from './world.js';

/** One row: `who` asks about `patient`'s `target` for `action`/`purpose` at `at`. */
export interface AccessScenario {
  readonly name: string;
  readonly given?: (w: World) => void;
  readonly who: Name;
  readonly patient?: Name;
  readonly target?: AccessTarget;
  readonly action?: Action;
  readonly purpose?: Purpose;
  readonly at?: Time;
  readonly expect: Reason;
}

const mentalHealth = { kind: 'category', category: 'mental-health' } as const;
const record = (label: string, version?: number): AccessTarget =>
  version === undefined
    ? { kind: 'record', recordId: rec(label) }
    : { kind: 'record', recordId: rec(label), version };
const END = T0 + 30 * DAY;

/** Grant read of lab to drB1 for TREAT over [T0, END). */
const labToDrB1 = (w: World) =>
  w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'categories', categories: ['lab'] } });
/** drA1 requests break-the-glass at T0+1h for 24h; returns the emergency id. */
const request = (w: World) =>
  w.ok('drA1', T0 + HOUR, {
    op: 'requestEmergency',
    patient: w.id('pat'),
    reason: 'unconscious',
    durationMs: DAY,
  });

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

function denyScenarios(): AccessScenario[] {
  const allButMh = (w: World) =>
    w.grant('pat', { kind: 'org', id: 'hosp-b' }, T0, {
      exceptions: [{ kind: 'category', category: 'mental-health' }],
    });
  return [
    {
      name: 'permit all except mental-health: lab',
      given: allButMh,
      who: 'drB1',
      target: record('lab1'),
      expect: 'granted',
    },
    {
      name: 'permit all except mental-health: mental-health record',
      given: allButMh,
      who: 'drB1',
      target: record('mh1'),
      expect: 'denied_by_exception',
    },
    {
      name: 'permit all except mental-health: category',
      given: allButMh,
      who: 'drB1',
      target: mentalHealth,
      expect: 'denied_by_exception',
    },
    {
      name: 'deny one record inside a category permit',
      given: (w) =>
        w.grant('pat', w.actor('drB1'), T0, {
          scope: { kind: 'categories', categories: ['lab', 'imaging'] },
          exceptions: [{ kind: 'record', recordId: rec('img1') }],
        }),
      who: 'drB1',
      target: record('img1'),
      expect: 'denied_by_exception',
    },
    {
      name: 'another permit without the exception still allows',
      given: (w) => {
        allButMh(w);
        w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'categories', categories: ['mental-health'] } });
      },
      who: 'drB1',
      target: record('mh1'),
      expect: 'granted',
    },
    {
      name: 'versions are judged by their own category: v1 lab stays readable',
      given: (w) => {
        allButMh(w);
        w.grant('pat', w.actor('drA1'), T0, {
          actions: ['write'],
          scope: { kind: 'record', recordId: rec('lab1') },
        });
        w.anchor('drA1', 'pat', 'lab1', 'mental-health', T0 + MIN, 1);
      },
      who: 'drB1',
      target: record('lab1', 1),
      expect: 'granted',
    },
    {
      name: 'versions are judged by their own category: v2 (head) mental-health is denied',
      given: (w) => {
        allButMh(w);
        w.grant('pat', w.actor('drA1'), T0, {
          actions: ['write'],
          scope: { kind: 'record', recordId: rec('lab1') },
        });
        w.anchor('drA1', 'pat', 'lab1', 'mental-health', T0 + MIN, 1);
      },
      who: 'drB1',
      target: record('lab1'),
      expect: 'denied_by_exception',
    },
  ];
}

function revokeScenarios(): AccessScenario[] {
  const grantThenRevoke = (w: World) => {
    const g = labToDrB1(w);
    w.ok('pat', T0 + 2 * HOUR, { op: 'revoke', grantId: g });
  };
  return [
    {
      name: 'revoked: from the revocation time on',
      given: grantThenRevoke,
      who: 'drB1',
      at: T0 + 2 * HOUR,
      expect: 'revoked',
    },
    {
      name: 'revoked: asking about a time before it',
      given: grantThenRevoke,
      who: 'drB1',
      at: T0 + HOUR,
      expect: 'granted',
    },
    {
      name: 'revoke then re-grant',
      given: (w) => {
        grantThenRevoke(w);
        labToDrB1(w);
      },
      who: 'drB1',
      at: T0 + 3 * HOUR,
      expect: 'granted',
    },
    {
      name: 'guardian revokes the grant the child patient gave',
      given: (w) => {
        const g = w.grant('child', w.actor('drB1'));
        w.ok('mum', T0 + MIN, { op: 'revoke', grantId: g });
      },
      who: 'drB1',
      patient: 'child',
      expect: 'revoked',
    },
  ];
}

function statusScenarios(): AccessScenario[] {
  const suspend = (w: World) => {
    labToDrB1(w);
    w.ok('adminB', T0 + MIN, { op: 'suspendActor', actor: w.id('drB1') });
  };
  const licence = T0 + 365 * DAY;
  const longGrant = (w: World) => w.grant('pat', w.actor('drB1'), T0, { end: T0 + 800 * DAY });
  return [
    { name: 'suspended doctor: access stops at once', given: suspend, who: 'drB1', expect: 'suspended' },
    {
      name: 'reinstated doctor: access back',
      given: (w) => {
        suspend(w);
        w.ok('adminB', T0 + 2 * MIN, { op: 'reinstateActor', actor: w.id('drB1') });
      },
      who: 'drB1',
      expect: 'granted',
    },
    {
      name: 'suspended patient cannot read own record',
      given: (w) => w.ok('adminA', T0, { op: 'suspendActor', actor: w.id('pat') }),
      who: 'pat',
      expect: 'suspended',
    },
    {
      name: 'licence valid one ms before expiry',
      given: longGrant,
      who: 'drB1',
      at: licence - 1,
      expect: 'granted',
    },
    {
      name: 'licence expired exactly at expiry',
      given: longGrant,
      who: 'drB1',
      at: licence,
      expect: 'licence_expired',
    },
    {
      name: 'renewed licence',
      given: (w) => {
        longGrant(w);
        const op = {
          op: 'updateLicence',
          actor: w.id('drB1'),
          certHash: '11'.repeat(32),
          licenceExpiry: licence + DAY,
        } as const;
        w.ok('adminB', T0 + DAY, op);
      },
      who: 'drB1',
      at: licence,
      expect: 'granted',
    },
  ];
}

function emergencyScenarios(): AccessScenario[] {
  const cosigned = (by: Name) => (w: World) => {
    const e = request(w);
    w.ok(by, T0 + HOUR + MIN, { op: 'cosignEmergency', emergencyId: e });
  };
  const at = T0 + HOUR + MIN;
  const base = { who: 'drA1', target: record('mh1'), purpose: 'ETREAT', at } as const;
  return [
    {
      ...base,
      name: 'emergency without co-signer: refused',
      given: (w) => void request(w),
      expect: 'no_grant',
    },
    {
      ...base,
      name: 'emergency co-signed by a doctor of the same org',
      given: cosigned('drA2'),
      expect: 'emergency',
    },
    {
      ...base,
      name: 'emergency co-signed by an admin of the same org',
      given: cosigned('adminA'),
      expect: 'emergency',
    },
    {
      ...base,
      name: 'emergency co-sign by another org is refused: no access',
      given: (w) => {
        const e = request(w);
        if (w.run('drB1', at, { op: 'cosignEmergency', emergencyId: e }).ok)
          throw new Error('cosign accepted');
      },
      expect: 'no_grant',
    },
    {
      ...base,
      name: 'emergency: one ms before 24 h',
      given: cosigned('drA2'),
      at: at + DAY - 1,
      expect: 'emergency',
    },
    {
      ...base,
      name: 'emergency: exactly 24 h after co-sign, over',
      given: cosigned('drA2'),
      at: at + DAY,
      expect: 'no_grant',
    },
    {
      ...base,
      name: 'emergency is for ETREAT only',
      given: cosigned('drA2'),
      purpose: 'TREAT',
      expect: 'no_grant',
    },
    { ...base, name: 'emergency is read-only', given: cosigned('drA2'), action: 'write', expect: 'no_grant' },
    {
      ...base,
      name: 'emergency is for the requester only',
      given: cosigned('drA2'),
      who: 'drA2',
      expect: 'no_grant',
    },
    {
      ...base,
      name: 'emergency not before co-signature',
      given: cosigned('drA2'),
      at: at - 1,
      expect: 'no_grant',
    },
    {
      ...base,
      name: 'emergency stops when the doctor is suspended',
      given: (w) => {
        cosigned('drA2')(w);
        w.ok('adminA', at, { op: 'suspendActor', actor: w.id('drA1') });
      },
      expect: 'suspended',
    },
    {
      ...base,
      name: 'a grant that allows wins over emergency (reason granted)',
      given: (w) => {
        cosigned('drA2')(w);
        w.grant('pat', w.actor('drA1'), T0, { purposes: ['ETREAT'] });
      },
      expect: 'granted',
    },
    {
      ...base,
      name: 'emergency overrides a deny exception',
      given: (w) => {
        cosigned('drA2')(w);
        w.grant('pat', w.actor('drA1'), T0, {
          purposes: ['ETREAT'],
          exceptions: [{ kind: 'category', category: 'mental-health' }],
        });
      },
      expect: 'emergency',
    },
  ];
}
