/**
 * The mapping from one consent `Audit` entry to the actor events it means, as a scenario table:
 * who hears about it, as what, with which type; then the timers (lapse, expiry) and when they fire.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  auditOfEvent,
  auditToActorEvents,
  type GrantFacts,
  type MapContext,
  type RequestFacts,
  timerToActorEvents,
} from '../../../node/notify/map.js';
import { encodeInt } from '../../../vm/abi.js';

const id = (c: string) => c.repeat(64);
const PATIENT = id('a');
const GUARDIAN = id('b');
const DOCTOR = id('c');
const NODE = id('d');
const OTHER = id('e');
const RECORD = id('f');
const enc = new TextEncoder();
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const versionRef = (v: number) => cat(hex(RECORD), encodeInt(v));

const request: RequestFacts = { patient: PATIENT, requester: DOCTOR, expiresAt: 5_000, open: true };
const grant: GrantFacts = { patient: PATIENT, granteeActor: DOCTOR, end: 200_000_000, revoked: false };

function ctx(
  over: Partial<{
    guardians: string[];
    request: RequestFacts | null;
    grant: GrantFacts | null;
    orgs: Record<string, string>;
  }> = {},
): MapContext {
  return {
    guardiansOf: (p) => (p === PATIENT ? (over.guardians ?? []) : []),
    request: () => (over.request === undefined ? request : over.request),
    grant: () => (over.grant === undefined ? grant : over.grant),
    orgOf: (a) => over.orgs?.[a] ?? null,
  };
}

function entry(
  op: string,
  by: string,
  subject: Uint8Array,
  detail: Uint8Array = new Uint8Array(0),
  purpose = 0,
  via = '',
): AuditEntry {
  return { op, at: 1_000, by, patient: PATIENT, subject, purpose, detail, via };
}

type Row = [string, AuditEntry, MapContext, [type: string, actor: string, as: string][]];

const rows: Row[] = [
  [
    'a request reaches the patient',
    entry('requestAccess', DOCTOR, encodeInt(1), enc.encode('referral')),
    ctx(),
    [['request.received', PATIENT, 'patient']],
  ],
  [
    'a request reaches linked guardians too',
    entry('requestAccess', DOCTOR, encodeInt(1)),
    ctx({ guardians: [GUARDIAN] }),
    [
      ['request.received', PATIENT, 'patient'],
      ['request.received', GUARDIAN, 'guardian'],
    ],
  ],
  [
    'an approval reaches the requester, not the patient',
    entry('approveRequest', PATIENT, encodeInt(1), encodeInt(7)),
    ctx(),
    [['request.approved', DOCTOR, 'requester']],
  ],
  [
    'a denial reaches the requester',
    entry('denyRequest', GUARDIAN, encodeInt(1), enc.encode('no')),
    ctx(),
    [['request.denied', DOCTOR, 'requester']],
  ],
  [
    'an answer to an unknown request reaches nobody',
    entry('denyRequest', PATIENT, encodeInt(9)),
    ctx({ request: null }),
    [],
  ],
  [
    'a withdrawal reaches the patient',
    entry('withdrawRequest', DOCTOR, encodeInt(1)),
    ctx(),
    [['request.withdrawn', PATIENT, 'patient']],
  ],
  [
    'a grant to an actor reaches the patient and the grantee',
    entry('grant', PATIENT, encodeInt(3), cat(encodeInt(1), hex(DOCTOR))),
    ctx(),
    [
      ['grant.given', PATIENT, 'patient'],
      ['grant.given', DOCTOR, 'grantee'],
    ],
  ],
  [
    "a grant to an org reaches the patient and the org's key",
    entry('grant', PATIENT, encodeInt(3), cat(encodeInt(2), enc.encode('hosp-a'))),
    ctx({ grant: { ...grant, granteeActor: null, granteeGroup: 'org:hosp-a' } }),
    [
      ['grant.given', PATIENT, 'patient'],
      ['grant.given', 'org:hosp-a', 'grantee'],
    ],
  ],
  [
    "a grant to a role reaches the patient and the role's key",
    entry('grant', PATIENT, encodeInt(3), cat(encodeInt(3), encodeInt(2))),
    ctx({ grant: { ...grant, granteeActor: null, granteeGroup: 'role:doctor' } }),
    [
      ['grant.given', PATIENT, 'patient'],
      ['grant.given', 'role:doctor', 'grantee'],
    ],
  ],
  [
    "a revocation of an org grant reaches the org's key (from state)",
    entry('revoke', PATIENT, encodeInt(3)),
    ctx({ grant: { ...grant, granteeActor: null, granteeGroup: 'org:hosp-a' } }),
    [
      ['grant.revoked', PATIENT, 'patient'],
      ['grant.revoked', 'org:hosp-a', 'grantee'],
    ],
  ],
  [
    'a revocation reaches the patient and the grantee',
    entry('revoke', PATIENT, encodeInt(3)),
    ctx(),
    [
      ['grant.revoked', PATIENT, 'patient'],
      ['grant.revoked', DOCTOR, 'grantee'],
    ],
  ],
  [
    'a read reaches the patient and guardians',
    entry('read', DOCTOR, versionRef(1), enc.encode('granted'), 1, NODE),
    ctx({ guardians: [GUARDIAN] }),
    [
      ['record.read', PATIENT, 'patient'],
      ['record.read', GUARDIAN, 'guardian'],
    ],
  ],
  [
    'a break-the-glass read is an emergency read',
    entry('read', DOCTOR, versionRef(1), enc.encode('emergency'), 8, NODE),
    ctx(),
    [['emergency.read', PATIENT, 'patient']],
  ],
  [
    'an emergency request reaches the patient',
    entry('requestEmergency', DOCTOR, encodeInt(2), enc.encode('unconscious'), 8),
    ctx(),
    [['emergency.requested', PATIENT, 'patient']],
  ],
  [
    "an emergency request reaches the requester's organisation, whose members may co-sign",
    entry('requestEmergency', DOCTOR, encodeInt(2), enc.encode('unconscious'), 8),
    ctx({ orgs: { [DOCTOR]: 'hosp-a' } }),
    [
      ['emergency.requested', PATIENT, 'patient'],
      ['emergency.requested', 'org:hosp-a', 'organisation'],
    ],
  ],
  [
    "an emergency co-signature reaches the patient and the requester's organisation",
    entry('cosignEmergency', OTHER, encodeInt(2), hex(DOCTOR), 8),
    ctx({ orgs: { [DOCTOR]: 'hosp-a', [OTHER]: 'hosp-b' } }),
    [
      ['emergency.cosigned', PATIENT, 'patient'],
      ['emergency.cosigned', 'org:hosp-a', 'organisation'],
    ],
  ],
  [
    'a new version reaches the patient',
    entry('anchor', DOCTOR, versionRef(2), enc.encode('lab'), 1),
    ctx(),
    [['record.version', PATIENT, 'patient']],
  ],
  [
    'an attestation reaches the patient',
    entry('attest', OTHER, versionRef(2), enc.encode('co-signed')),
    ctx(),
    [['record.attested', PATIENT, 'patient']],
  ],
  [
    'a consult reaches the patient and guardians',
    entry('consult', DOCTOR, enc.encode('lab'), enc.encode('read:granted'), 1, NODE),
    ctx({ guardians: [GUARDIAN] }),
    [
      ['consent.consulted', PATIENT, 'patient'],
      ['consent.consulted', GUARDIAN, 'guardian'],
    ],
  ],
  [
    'a research disclosure reaches the patient',
    entry('disclose', OTHER, hex(RECORD), hex(DOCTOR), 4),
    ctx(),
    [['research.disclosed', PATIENT, 'patient']],
  ],
  ['key sharing is not announced', entry('shareKey', PATIENT, versionRef(1), hex(DOCTOR)), ctx(), []],
  [
    'a guardian link is no event (it changes who hears)',
    entry('linkGuardian', OTHER, hex(GUARDIAN)),
    ctx(),
    [],
  ],
];

describe('auditToActorEvents', () => {
  it.each(rows)('%s', (_name, e, c, expected) => {
    const got = auditToActorEvents(e, c).events.map((d) => [d.type, d.actor, d.as]);
    expect(got).toEqual(expected);
  });

  it('a read carries who, which record, the purpose and the serving node', () => {
    const [d] = auditToActorEvents(
      entry('read', DOCTOR, versionRef(3), enc.encode('granted'), 1, NODE),
      ctx(),
    ).events;
    expect(d).toMatchObject({
      by: DOCTOR,
      recordId: RECORD,
      version: 3,
      purpose: 'TREAT',
      reason: 'granted',
      via: NODE,
    });
  });

  it('a consult carries who was asked about, the target, action, purpose, answer and node', () => {
    const ask = (subject: Uint8Array, detail: string) =>
      auditToActorEvents(entry('consult', DOCTOR, subject, enc.encode(detail), 4, NODE), ctx()).events[0];
    expect(ask(enc.encode('lab'), 'read:no_grant')).toMatchObject({
      type: 'consent.consulted',
      by: DOCTOR,
      category: 'lab',
      action: 'read',
      purpose: 'HRESCH',
      reason: 'no_grant',
      via: NODE,
    });
    expect(ask(versionRef(0), 'write:granted')).toMatchObject({
      recordId: RECORD,
      version: 0,
      action: 'write',
    });
  });

  it('a request schedules its lapse at its expiry', () => {
    expect(auditToActorEvents(entry('requestAccess', DOCTOR, encodeInt(1)), ctx()).timers).toEqual([
      { kind: 'lapse', due: 5_000, id: 1 },
    ]);
  });

  it('a grant schedules its expiry notice 24 h before its end', () => {
    const m = auditToActorEvents(
      entry('grant', PATIENT, encodeInt(3), cat(encodeInt(1), hex(DOCTOR))),
      ctx(),
    );
    expect(m.timers).toEqual([{ kind: 'expiring', due: 200_000_000 - 86_400_000, id: 3 }]);
  });

  it('a guardian link and unlink are reported as changes', () => {
    expect(auditToActorEvents(entry('unlinkGuardian', OTHER, hex(GUARDIAN)), ctx()).guardians).toEqual([
      { guardian: GUARDIAN, patient: PATIENT, linked: false },
    ]);
  });

  it('decodes an Audit event and ignores any other event', () => {
    const data = [
      enc.encode('revoke'),
      encodeInt(5),
      hex(PATIENT),
      hex(PATIENT),
      encodeInt(3),
      encodeInt(0),
      new Uint8Array(0),
      new Uint8Array(0),
    ];
    expect(auditOfEvent({ name: 'Audit', data })).toMatchObject({
      op: 'revoke',
      at: 5,
      by: PATIENT,
      patient: PATIENT,
      via: '',
    });
    expect(auditOfEvent({ name: 'validator_added', data })).toBeNull();
  });
});

describe('timerToActorEvents', () => {
  type TimerRow = [string, Parameters<typeof timerToActorEvents>[0], number, MapContext, [string, string][]];
  const timers: TimerRow[] = [
    [
      'an open request past its expiry lapses for both sides',
      { kind: 'lapse', due: 5_000, id: 1 },
      5_000,
      ctx(),
      [
        ['request.lapsed', PATIENT],
        ['request.lapsed', DOCTOR],
      ],
    ],
    [
      'an answered request does not lapse',
      { kind: 'lapse', due: 5_000, id: 1 },
      6_000,
      ctx({ request: { ...request, open: false } }),
      [],
    ],
    [
      'a grant in force is announced as expiring',
      { kind: 'expiring', due: 0, id: 3 },
      1_000,
      ctx(),
      [
        ['grant.expiring', PATIENT],
        ['grant.expiring', DOCTOR],
      ],
    ],
    [
      "a role grant's expiry reaches the role's key",
      { kind: 'expiring', due: 0, id: 3 },
      1_000,
      ctx({ grant: { ...grant, granteeActor: null, granteeGroup: 'role:doctor' } }),
      [
        ['grant.expiring', PATIENT],
        ['grant.expiring', 'role:doctor'],
      ],
    ],
    [
      'a revoked grant is not',
      { kind: 'expiring', due: 0, id: 3 },
      1_000,
      ctx({ grant: { ...grant, revoked: true } }),
      [],
    ],
    ['a grant already ended is not', { kind: 'expiring', due: 0, id: 3 }, 300_000_000, ctx(), []],
  ];
  it.each(timers)('%s', (_name, t, time, c, expected) => {
    expect(timerToActorEvents(t, time, c).map((d) => [d.type, d.actor])).toEqual(expected);
  });
});
