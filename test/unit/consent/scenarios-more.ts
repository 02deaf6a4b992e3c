/**
 * More rows of the access table (scenarios.ts): deny exceptions, revocation, actor status and
 * emergency access.
 */
import type { AccessTarget } from '../../../vm/consent/access.js';
import type { AccessScenario } from './scenario-types.js';
import { DAY, HOUR, MIN, type Name, rec, T0, type World } from './world.js';

export const mentalHealth = { kind: 'category', category: 'mental-health' } as const;
export const record = (label: string, version?: number): AccessTarget =>
  version === undefined
    ? { kind: 'record', recordId: rec(label) }
    : { kind: 'record', recordId: rec(label), version };
export const END = T0 + 30 * DAY;

/** Grant read of lab to drB1 for TREAT over [T0, END). */
export const labToDrB1 = (w: World) =>
  w.grant('pat', w.actor('drB1'), T0, { scope: { kind: 'categories', categories: ['lab'] } });
/** drA1 requests break-the-glass at T0+1h for 24h; returns the emergency id. */
const request = (w: World) =>
  w.ok('drA1', T0 + HOUR, {
    op: 'requestEmergency',
    patient: w.id('pat'),
    reason: 'unconscious',
    durationMs: DAY,
  });

export function denyScenarios(): AccessScenario[] {
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

export function revokeScenarios(): AccessScenario[] {
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

export function statusScenarios(): AccessScenario[] {
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

export function emergencyScenarios(): AccessScenario[] {
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
