/**
 * fast-check generators of consent histories over the standard world's names: small pools of
 * actors, orgs, categories, records and times, so random operations often hit each other.
 */
import fc from 'fast-check';
import type { AccessTarget } from '../../../vm/consent/access.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type {
  Action,
  AttestationKind,
  Exception,
  Grantee,
  Purpose,
  Role,
  Scope,
} from '../../../vm/consent/types.js';
import { CAST, DAY, HOUR, hashOf, keyOf, MIN, type Name, rec, T0, type World } from './world.js';

/** Everyone who may sign, plus keys not yet registered. */
const SIGNERS: readonly Name[] = [
  ...(Object.keys(CAST) as (keyof typeof CAST)[]),
  'adminA',
  'adminB',
  'adminX',
  'adminR',
  'adminC',
  'gov',
  'stranger',
];
/** Extra keys the random ops may register. */
const FRESH = ['new1', 'new2', 'new3'] as const;
const idOf = (n: string): string => actorIdOf(keyOf(n));
const ADMINS: Name[] = ['adminA', 'adminB', 'adminX', 'adminR', 'adminA'];
const DOCTORS: Name[] = ['drA1', 'drA2', 'drB1', 'drB2'];
const PATIENTS = ['pat', 'pat2', 'child', 'patB'] as const;

const ID_POOL = [...SIGNERS, ...FRESH].map(idOf);
const ORGS = ['hosp-a', 'hosp-b', 'insure-x', 'research-r', 'hosp-c', 'Bad Org'];
const CATEGORIES = ['lab', 'imaging', 'mental-health'];
/** Mostly a valid code, rarely a malformed one. */
const withBad = <T>(good: fc.Arbitrary<T>, bad: T) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: fc.constant(bad) });
/** Records of the random histories (the standard world has lab1, img1, mh1, p2lab). */
export const RECORDS = ['lab1', 'img1', 'mh1', 'p2lab', 'lab1', 'r5'].map(rec);
const ROLES: readonly Role[] = ['admin', 'doctor', 'patient', 'guardian', 'insurer', 'researcher', 'node'];
const PURPOSES: readonly Purpose[] = ['TREAT', 'HPAYMT', 'HRESCH', 'ETREAT'];
const ACTIONS: readonly Action[] = ['read', 'write'];

const id = fc.constantFrom(...ID_POOL);
const patient = fc.constantFrom(...['pat', 'pat', 'pat2', 'child', 'patB', 'drA1'].map(idOf));
const record = fc.constantFrom(...RECORDS);
const category = withBad(fc.constantFrom(...CATEGORIES), 'Bad Cat');
/** Times near the world's epoch: grant periods, licences, read times. */
const TIMES = [0, T0, T0 + HOUR, T0 + 2 * HOUR, T0 + DAY, T0 + 2 * DAY, T0 + 30 * DAY, T0 + 365 * DAY];
const time = fc.constantFrom(...TIMES);
/** Grant periods: starts in the past or soon, ends mostly after the history's block times. */
const start = fc.constantFrom(0, T0, T0 + HOUR, T0 + 2 * HOUR, T0 + DAY);
const end = fc.constantFrom(T0, T0 + 2 * HOUR, T0 + DAY, T0 + 2 * DAY, T0 + 30 * DAY, T0 + 365 * DAY);
const subset = <T>(xs: readonly T[], min = 1) => fc.subarray([...xs], { minLength: min });
/** A non-empty subset, rarely an empty one (malformed). */
const someOf = <T>(xs: readonly T[]) => withBad(subset(xs, 1), []);

const grantee: fc.Arbitrary<Grantee> = fc.oneof(
  fc
    .oneof(fc.constantFrom<Name>(...DOCTORS, 'ins1', 'res1').map(idOf), id)
    .map((i) => ({ kind: 'actor', id: i }) as const),
  withBad(fc.constantFrom(...ORGS.slice(0, 5)), 'Bad Org').map((o) => ({ kind: 'org', id: o }) as const),
  fc.constantFrom<Role>('doctor', 'insurer', 'researcher').map((r) => ({ kind: 'role', id: r }) as const),
);
const scope: fc.Arbitrary<Scope> = fc.oneof(
  fc.constant({ kind: 'all' } as const),
  someOf(CATEGORIES).map((c) => ({ kind: 'categories', categories: c }) as const),
  record.map((r) => ({ kind: 'record', recordId: r }) as const),
);
const exceptions: fc.Arbitrary<Exception[]> = fc
  .tuple(subset(CATEGORIES, 0), subset(RECORDS.slice(0, 4), 0))
  .map(([cs, rs]) => [
    ...cs.slice(0, 2).map((c) => ({ kind: 'category', category: c }) as const),
    ...rs.slice(0, 1).map((r) => ({ kind: 'record', recordId: r }) as const),
  ]);

const anyone = fc.constantFrom(...SIGNERS);
/** Mostly the signer the op is meant for, sometimes anyone (to exercise refusals). */
const signer = (...natural: Name[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...natural) }, { weight: 1, arbitrary: anyone });

const signed = <T extends ConsentOp>(who: fc.Arbitrary<Name>, o: fc.Arbitrary<T>) =>
  fc.tuple(who, o).map(([w, op]): { who: Name; o: ConsentOp } => ({ who: w, o: op }));

const grantOp = fc.record({
  op: fc.constant('grant' as const),
  grantee,
  actions: someOf(ACTIONS),
  scope,
  purposes: someOf(PURPOSES),
  start,
  end,
  exceptions,
});
/** The patient signs for themself, `mum` for `child`; sometimes someone else tries. */
const grantStep = fc
  .tuple(fc.constantFrom<Name>(...PATIENTS, 'pat', 'mum'), grantOp)
  .chain(([who, g]) =>
    signed(signer(who), fc.constant({ ...g, patient: idOf(who === 'mum' ? 'child' : who) })),
  );

/** An anchor; the wrapped keys usually include the patient's, plus other (registered) readers. */
const anchorOp = fc
  .record({
    op: fc.constant('anchor' as const),
    patient: fc.constantFrom('pat', 'pat', 'pat', 'pat2', 'child', 'drA1').map(idOf),
    recordId: record,
    previous: fc.constantFrom(0, 0, 1, 1, 2),
    cid: fc.constantFrom('bafy-a', 'bafy-b'),
    category,
    readers: subset(ID_POOL.slice(0, 6), 0),
    withPatient: fc.constantFrom(true, true, true, false),
  })
  .map(({ readers, withPatient, ...o }) => ({
    ...o,
    keys: [...new Set([...(withPatient ? [o.patient] : []), ...readers])]
      .slice(0, 4)
      .map((r) => ({ reader: r, key: 'ab'.repeat(8) })),
  }));

const REQUESTERS = ['drB1', 'drB1', 'drB2', 'ins1', 'res1', 'drA1'] as const;
/** The purposes each requester's role allows (asking for others is refused with role_mismatch). */
const OWN_PURPOSES: Readonly<Record<(typeof REQUESTERS)[number], Purpose[]>> = {
  drB1: ['TREAT'],
  drB2: ['TREAT', 'ETREAT'],
  drA1: ['TREAT'],
  ins1: ['HPAYMT'],
  res1: ['HRESCH'],
};
/** A request, mostly well formed and within the requester's role; sometimes signed by anyone. */
const requestStep = fc
  .tuple(
    fc.constantFrom(...REQUESTERS),
    fc.record({
      op: fc.constant('requestAccess' as const),
      patient: fc.constantFrom(...['pat', 'pat', 'pat', 'pat2', 'child', 'drA1'].map(idOf)),
      actions: fc.oneof({ weight: 6, arbitrary: fc.constant<Action[]>(['read']) }, someOf(ACTIONS)),
      scope,
      start,
      end: fc.constantFrom(T0 + 2 * HOUR, T0 + 2 * DAY, T0 + 30 * DAY, T0 + 365 * DAY),
      exceptions,
      reason: withBad(fc.constant('referral'), 'Bad Reason'),
      expiresAt: fc.constantFrom(0, 0, 0, 0, T0 + 2 * HOUR, T0 + DAY, T0 + 2 * DAY, T0 + 40 * DAY),
    }),
    fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, someOf(PURPOSES)),
  )
  .chain(([who, o, purposes]) =>
    signed(signer(who), fc.constant({ ...o, purposes: purposes ?? OWN_PURPOSES[who] })),
  );
/** Terms an approval may give: often narrower than asked, sometimes wider, rarely malformed. */
const approvalTerms = fc.record({
  actions: someOf(ACTIONS),
  scope,
  purposes: someOf(PURPOSES),
  start,
  end,
  exceptions,
});
const requestId = fc.constantFrom(0, 1, 1, 2, 2, 3, 3, 4, 5);
/** Export ids of the random histories. */
const EXPORTS = ['x1', 'x2', 'x3'].map((l) => hashOf(`export:${l}`));
const requestSteps = [
  { weight: 4, arbitrary: requestStep },
  {
    weight: 2,
    arbitrary: signed(
      signer('pat', 'pat', 'pat', 'mum', 'pat2'),
      fc.record({
        op: fc.constant('approveRequest' as const),
        requestId,
        terms: fc.option(approvalTerms, { nil: undefined, freq: 2 }),
      }),
    ),
  },
  signed(
    signer('pat', 'mum', 'pat2'),
    fc.record({
      op: fc.constant('denyRequest' as const),
      requestId,
      reason: withBad(fc.constant('not-needed'), 'No!'),
    }),
  ),
  signed(signer(...REQUESTERS), fc.record({ op: fc.constant('withdrawRequest' as const), requestId })),
  {
    weight: 2,
    arbitrary: signed(
      signer('pat', 'mum', 'adminA', 'adminB', 'drA1', 'drB1', 'scribe'),
      fc.record({
        op: fc.constant('attest' as const),
        recordId: record,
        version: fc.constantFrom(0, 1, 1, 1, 2),
        kind: fc.constantFrom<AttestationKind>('patient-confirmed', 'admin-validated', 'co-signed'),
      }),
    ),
  },
  signed(
    signer('res1'),
    fc.record({
      op: fc.constant('requestResearch' as const),
      org: fc.constantFrom(...ORGS),
      scope: fc.oneof(scope, fc.constant({ kind: 'all' } as const)),
      reason: withBad(fc.constant('cohort-study'), 'Bad Reason'),
    }),
  ),
  // Weighted up: an export needs the custodian, an unused export id, a known request and k >= 1,
  // so at weight 1 some runs of the differential test never reached recordExport:ok.
  {
    weight: 3,
    arbitrary: signed(
      signer('cust', 'cust', 'cust', 'drA1'),
      fc.record({
        op: fc.constant('recordExport' as const),
        exportId: fc.constantFrom(...EXPORTS),
        requestId: fc.constantFrom(0, 1, 1, 2),
        fileHash: fc.constant(hashOf('file')),
        k: fc.constantFrom(0, 2, 5),
        l: fc.constantFrom(1, 2),
        quasiIdentifiers: withBad<string[]>(fc.constant(['birth-year', 'zip3']), ['Birth Year']),
        sensitive: fc.constant('condition'),
        paramsHash: fc.constant(hashOf('params')),
      }),
    ),
  },
  {
    weight: 3,
    arbitrary: signed(
      signer('cust', 'cust', 'cust', 'drA1'),
      fc.record({
        op: fc.constant('recordDisclosures' as const),
        exportId: fc.constantFrom(...EXPORTS),
        patients: fc
          .oneof(
            {
              weight: 6,
              arbitrary: fc.constantFrom(
                ['pat'],
                ['pat'],
                ['pat', 'pat2'],
                ['pat2'],
                ['child'],
                ['patB', 'pat'],
              ),
            },
            { weight: 1, arbitrary: fc.constantFrom([], ['pat', 'pat'], ['drA1']) },
          )
          .map((names) => names.map(idOf)),
      }),
    ),
  },
  signed(
    signer('gov'),
    fc.record({
      op: fc.constant('setAttestationPolicy' as const),
      org: fc.constantFrom(...ORGS),
      kinds: subset<AttestationKind>(['patient-confirmed', 'admin-validated', 'co-signed'], 0),
    }),
  ),
] as const;

/** A signer and an operation, arguments drawn from the pools (some malformed on purpose). */
const signedOp: fc.Arbitrary<{ who: Name; o: ConsentOp }> = fc.oneof(
  signed(
    signer('gov'),
    fc.record({
      op: fc.constant('addOrg' as const),
      org: fc.constantFrom(...ORGS),
      kind: fc.constantFrom('hospital', 'insurer', 'research' as const),
      adminKey: fc.constantFrom(...FRESH, 'adminC').map(keyOf),
      adminCertHash: fc.constant(hashOf('cert')),
    }),
  ),
  signed(
    signer(...ADMINS),
    fc.record({
      op: fc.constant('registerActor' as const),
      publicKey: fc.constantFrom(...FRESH, 'drA1').map(keyOf),
      role: fc.constantFrom(...ROLES),
      certHash: fc.constant(hashOf('cert')),
      licenceExpiry: time,
    }),
  ),
  signed(
    signer(...ADMINS),
    fc.record({ op: fc.constantFrom('suspendActor', 'reinstateActor' as const), actor: id }),
  ),
  signed(
    signer(...ADMINS),
    fc.record({
      op: fc.constant('updateLicence' as const),
      actor: id,
      certHash: fc.constant(hashOf('c2')),
      licenceExpiry: time,
    }),
  ),
  signed(
    signer('adminA'),
    fc.record({ op: fc.constantFrom('linkGuardian', 'unlinkGuardian' as const), guardian: id, patient }),
  ),
  { weight: 4, arbitrary: grantStep },
  signed(
    signer('pat', 'pat', 'mum', 'pat2'),
    fc.record({
      op: fc.constant('revoke' as const),
      grantId: fc.constantFrom(0, 5, 5, 6, 7, 8, 9, 10, 11, 12),
    }),
  ),
  { weight: 2, arbitrary: signed(signer('drA1', 'drA1', 'drA1', 'drB1'), anchorOp) },
  signed(
    signer('drA1', 'drA1', 'drB1'),
    fc.record({
      op: fc.constant('requestEmergency' as const),
      patient,
      reason: withBad(fc.constant('unconscious'), 'Bad Reason'),
      durationMs: fc.constantFrom(0, 1, HOUR, DAY, DAY + 1),
    }),
  ),
  signed(
    signer('pat', 'pat', 'mum', 'pat2'),
    fc.record({
      op: fc.constant('shareKey' as const),
      recordId: record,
      version: fc.constantFrom(0, 1, 1, 1, 2),
      reader: fc.oneof(fc.constantFrom<Name>('drB1', 'ins1').map(idOf), id),
      key: fc.constantFrom('ee'.repeat(40), 'ef'.repeat(40), ''),
    }),
  ),
  signed(signer('pat', 'mum', 'pat2'), fc.record({ op: fc.constant('erase' as const), recordId: record })),
  signed(
    signer('drA1', 'adminA', 'drB1', 'adminB', 'drA2'),
    fc.record({
      op: fc.constant('cosignEmergency' as const),
      emergencyId: fc.constantFrom(0, 1, 1, 2, 2, 3),
    }),
  ),
  ...requestSteps,
);

/** Record reads: built at run time, since their times must sit near the block time. */
export const reads = fc.array(
  fc.record({
    reader: id,
    patient,
    recordId: record,
    version: fc.integer({ min: 1, max: 3 }),
    purpose: fc.constantFrom(...PURPOSES),
    back: fc.constantFrom(-1, 0, 1, MIN, HOUR, DAY),
  }),
  { minLength: 1, maxLength: 3 },
);

/** Consults a node answered: built at run time like reads; targets are categories or records. */
export const consults = fc.array(
  fc.record({
    actor: id,
    patient,
    target: fc.oneof(
      category.map((c): AccessTarget => ({ kind: 'category', category: c })),
      fc
        .tuple(record, fc.integer({ min: 0, max: 3 }))
        .map(([r, v]): AccessTarget => ({ kind: 'record', recordId: r, version: v })),
    ),
    action: fc.constantFrom<Action>('read', 'read', 'write'),
    purpose: fc.constantFrom(...PURPOSES),
    back: fc.constantFrom(-1, 0, 1, MIN, HOUR, DAY),
  }),
  { minLength: 1, maxLength: 3 },
);

/** One step: how far block time moves first, then a signed op (or a node's batch of reads). */
export const step = fc.record({
  dt: fc.constantFrom(0, 1, MIN, MIN, MIN, 10 * MIN, HOUR, DAY - 1),
  op: fc.oneof(
    { weight: 6, arbitrary: signedOp.map((s) => ({ kind: 'op', ...s }) as const) },
    {
      weight: 1,
      arbitrary: fc.tuple(signer('nodeA'), reads).map(([who, r]) => ({ kind: 'reads', who, r }) as const),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(signer('nodeA'), consults)
        .map(([who, c]) => ({ kind: 'consults', who, c }) as const),
    },
  ),
});

/**
 * Grants every random history starts with (after the standard world), so that anchors, reads and
 * questions often succeed: drA1 may write all of pat's data; hosp-b reads all but mental-health;
 * insurers read pat2's lab for payment from T0 + 1 h; drB1 reads child's lab1 record; drB2 has
 * emergency access to pat over [T0 + 30 min, T0 + 2 h 30 min); drA2's request for pat2 (id 2, at T0 + 50 min)
 * awaits a co-signer; drA2's grant from pat was revoked at T0 + 1 h; three access requests are open;
 * research consents and export x1 of hosp-a's custodian (see the end).
 */
export function richer(w: World): void {
  w.grant('pat', w.actor('drA1'), T0, {
    actions: ['read', 'write'],
    purposes: ['TREAT', 'ETREAT'],
    end: T0 + 365 * DAY,
  });
  w.grant('pat', { kind: 'org', id: 'hosp-b' }, T0, {
    exceptions: [{ kind: 'category', category: 'mental-health' }],
  });
  const lab = { kind: 'categories', categories: ['lab'] } as const;
  w.grant('pat2', { kind: 'role', id: 'insurer' }, T0, {
    scope: lab,
    purposes: ['HPAYMT'],
    start: T0 + HOUR,
    end: T0 + 2 * DAY,
  });
  w.grant('child', w.actor('drB1'), T0, { by: 'mum', scope: { kind: 'record', recordId: rec('lab1') } });
  const ask = (doctor: Name, patient: Name, durationMs: number, at = T0) =>
    w.ok(doctor, at, { op: 'requestEmergency', patient: w.id(patient), reason: 'unconscious', durationMs });
  w.ok('adminB', T0 + 30 * MIN, { op: 'cosignEmergency', emergencyId: ask('drB2', 'pat', 2 * HOUR) });
  ask('drA2', 'pat2', DAY, T0 + 50 * MIN);
  // A revoked grant, so questions meet `revoked`.
  w.ok('pat', T0 + HOUR, { op: 'revoke', grantId: w.grant('pat', w.actor('drA2'), T0) });
  // Open access requests for the random approvals, denials and withdrawals to answer: 1 drB1 to
  // pat (lab and imaging), 2 ins1 to pat2 (lab, payment), 3 res1 to child (lapses at T0 + 2 days).
  const request = (who: Name, patientName: Name, purposes: Purpose[], more: object = {}) =>
    w.ok(who, T0 + HOUR, {
      op: 'requestAccess',
      patient: w.id(patientName),
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab', 'imaging'] },
      purposes,
      start: T0,
      end: T0 + 30 * DAY,
      exceptions: [],
      reason: 'referral',
      expiresAt: 0,
      ...more,
    });
  request('drB1', 'pat', ['TREAT', 'ETREAT']);
  request('ins1', 'pat2', ['HPAYMT'], { scope: lab });
  request('res1', 'child', ['HRESCH'], { scope: { kind: 'all' }, expiresAt: T0 + 2 * DAY });
  // Research: pat consents to hosp-a's custodian, pat2 to hosp-a as an organisation (until T0 + 2
  // days), child's consent is revoked; res1 asked hosp-a for an export (research request 1).
  w.grant('pat', w.actor('cust'), T0, { purposes: ['HRESCH'], end: T0 + 365 * DAY });
  w.grant('pat2', { kind: 'org', id: 'hosp-a' }, T0, { purposes: ['HRESCH', 'TREAT'], end: T0 + 2 * DAY });
  w.ok('mum', T0 + HOUR, {
    op: 'revoke',
    grantId: w.grant('child', w.actor('cust'), T0, { by: 'mum', purposes: ['HRESCH'] }),
  });
  w.ok('res1', T0 + HOUR, {
    op: 'requestResearch',
    org: 'hosp-a',
    scope: { kind: 'categories', categories: ['lab'] },
    reason: 'cohort-study',
  });
  // ... and hosp-a's custodian recorded export x1 for it (disclosures still to come).
  w.ok('cust', T0 + HOUR, {
    op: 'recordExport',
    exportId: EXPORTS[0] ?? '',
    requestId: 1,
    fileHash: hashOf('file'),
    k: 2,
    l: 1,
    quasiIdentifiers: ['birth-year'],
    sensitive: 'condition',
    paramsHash: hashOf('params'),
  });
}

/** A canAccess question, `at` relative to the last block time. */
export const question = fc.record({
  actor: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<Name>(...DOCTORS, 'ins1', 'res1', 'pat', 'mum').map(idOf) },
    { weight: 1, arbitrary: id },
  ),
  patient: fc.constantFrom('pat', 'pat', 'pat2', 'child').map(idOf),
  target: fc.oneof(
    category.map((c): AccessTarget => ({ kind: 'category', category: c })),
    fc
      .tuple(record, fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined, freq: 2 }))
      .map(
        ([r, v]): AccessTarget =>
          v === undefined ? { kind: 'record', recordId: r } : { kind: 'record', recordId: r, version: v },
      ),
  ),
  action: fc.constantFrom<Action>('read', 'read', 'write'),
  purpose: fc.constantFrom<Purpose>('TREAT', 'TREAT', 'ETREAT', 'HPAYMT', 'HRESCH'),
  /** Either relative to the last block time, or at / next to a time of the pool (period edges). */
  at: fc.oneof(
    fc.constantFrom(-DAY, -1, 0, 1, HOUR, DAY, 400 * DAY).map((dt) => ({ rel: true, t: dt })),
    fc.tuple(time, fc.constantFrom(-1, 0, 1)).map(([t, d]) => ({ rel: false, t: t + d })),
  ),
});
