/**
 * `consentToGrant` (client/fhir-consent.ts): an R4 Consent read back as a grant. Each supported
 * part of docs/fhir.md's table reads as the terms it maps from; each part a grant cannot hold is
 * refused with its FHIR path; hostile JSON gives a problem list, never a throw; and it inverts
 * node/fhir/consent.ts's grantToConsent (round trip, over random grants).
 */
import type { Consent } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConsentImport, consentToGrant } from '../../../client/fhir-consent.js';
import { grantToConsent } from '../../../node/fhir/consent.js';
import type { Grant, Grantee } from '../../../vm/consent/types.js';

const PAT = 'a'.repeat(64);
const DR = 'b'.repeat(64);
const REC = 'c'.repeat(64);
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

const grant = (g: Partial<Grant> = {}): Grant => ({
  id: 7,
  patient: PAT,
  grantor: PAT,
  grantee: { kind: 'actor', id: DR },
  actions: ['read'],
  scope: { kind: 'all' },
  purposes: ['TREAT'],
  start: T0,
  end: T0 + 30 * DAY,
  exceptions: [],
  grantedAt: T0,
  revokedAt: null,
  ...g,
});

/** A Consent mapped from a grant, as JSON (a deep copy a row may edit). */
const consentOf = (g: Partial<Grant> = {}): Record<string, unknown> =>
  JSON.parse(JSON.stringify(grantToConsent(grant(g), T0))) as Record<string, unknown>;

/** The provision of a Consent as a mutable object. */
type Json = Record<string, unknown>;
const prov = (c: Json): Json => c.provision as Json;

const problemsOf = (r: ConsentImport) => (r.ok ? [] : r.problems);

describe('consentToGrant reads each supported part', () => {
  const rows: readonly [string, Partial<Grant>][] = [
    ['an actor grantee by identifier', {}],
    ['an Organization grantee', { grantee: { kind: 'org', id: 'hosp-b' } }],
    ['a role grantee', { grantee: { kind: 'role', id: 'insurer' }, purposes: ['HPAYMT'] }],
    ['actions access and correct', { actions: ['read', 'write'] }],
    ['every purpose', { purposes: ['TREAT', 'HPAYMT', 'HRESCH', 'ETREAT'] }],
    ['the period', { start: T0 + 1234, end: T0 + 5 * DAY + 1 }],
    ['class as categories', { scope: { kind: 'categories', categories: ['lab', 'imaging'] } }],
    ['data as one record', { scope: { kind: 'record', recordId: REC } }],
    [
      'nested deny provisions as exceptions',
      {
        exceptions: [
          { kind: 'category', category: 'mental-health' },
          { kind: 'record', recordId: REC },
        ],
      },
    ],
  ];
  it.each(rows)('%s', (_name, g) => {
    const full = grant(g);
    const r = consentToGrant(consentOf(g));
    expect(problemsOf(r)).toEqual([]);
    if (!r.ok) return;
    const { actions, scope, purposes, start, end, exceptions } = full;
    expect(r.grant).toEqual({
      patient: PAT,
      grantee: full.grantee,
      terms: { actions, scope, purposes, start, end, exceptions },
      performer: PAT,
    });
  });

  it('reads a minimal hand-written Consent (date-only period, no performer)', () => {
    const c = {
      resourceType: 'Consent',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { identifier: { system: 'urn:ehrchain:actor', value: PAT } },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
      provision: {
        type: 'permit',
        period: { start: '2026-01-01', end: '2026-02-01' },
        actor: [
          {
            role: {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' },
              ],
            },
            reference: { identifier: { system: 'urn:ehrchain:actor', value: DR } },
          },
        ],
        action: [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'access' }] },
        ],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
      },
    };
    const r = consentToGrant(c);
    expect(problemsOf(r)).toEqual([]);
    expect(r.ok && r.grant.terms.end - r.grant.terms.start).toBe(31 * DAY);
    expect(r.ok && r.grant.performer).toBeNull();
  });
});

describe('consentToGrant refuses what a grant cannot hold, naming the FHIR path', () => {
  const P = 'Consent.provision';
  const actor = (c: Json) => (prov(c).actor as Json[])[0] as Json;
  const rows: readonly [string, (c: Json) => void, string, RegExp][] = [
    [
      'a second actor',
      (c) => (prov(c).actor as Json[]).push(actor(c)),
      `${P}.actor[1]`,
      /more than one actor/,
    ],
    [
      'a security label',
      (c) => (prov(c).securityLabel = [{ code: 'R' }]),
      `${P}.securityLabel`,
      /not supported/,
    ],
    ['a provision code', (c) => (prov(c).code = [{ text: 'x' }]), `${P}.code`, /not supported/],
    [
      'a dataPeriod',
      (c) => (prov(c).dataPeriod = { start: '2020-01-01' }),
      `${P}.dataPeriod`,
      /not supported/,
    ],
    ['a deny provision at the top', (c) => (prov(c).type = 'deny'), `${P}.type`, /permit/],
    ['a draft Consent', (c) => (c.status = 'draft'), 'Consent.status', /active/],
    [
      'another scope',
      (c) =>
        (c.scope = {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }],
        }),
      'Consent.scope',
      /patient-privacy/,
    ],
    [
      'an OPTOUT policy',
      (c) =>
        (c.policyRule = {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }],
        }),
      'Consent.policyRule',
      /OPTIN/,
    ],
    [
      'an approved request (sourceReference)',
      (c) => (c.sourceReference = { reference: 'Consent/request-1' }),
      'Consent.sourceReference',
      /not supported/,
    ],
    [
      'a literal actor reference',
      (c) => (actor(c).reference = { reference: 'Practitioner/1' }),
      `${P}.actor[0].reference.reference`,
      /not supported/,
    ],
    [
      'an actor role other than IRCP',
      (c) =>
        (actor(c).role = {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'AUT' }],
        }),
      `${P}.actor[0].role`,
      /IRCP/,
    ],
    [
      'the action collect',
      (c) =>
        (prov(c).action = [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentaction', code: 'collect' }] },
        ]),
      `${P}.action[0]`,
      /access and correct/,
    ],
    [
      'the purpose HOPERAT',
      (c) =>
        (prov(c).purpose = [
          { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HOPERAT' },
        ]),
      `${P}.purpose[0]`,
      /TREAT/,
    ],
    ['no period end', (c) => delete (prov(c).period as Json).end, `${P}.period.end`, /required/],
    [
      'an end before the start',
      (c) => (prov(c).period = { start: '2026-02-01', end: '2026-01-01' }),
      `${P}.period`,
      /after/,
    ],
    ['no actor', (c) => delete prov(c).actor, `${P}.actor`, /grantee/],
    [
      'class and data together',
      (c) => {
        prov(c).class = [{ system: 'urn:ehrchain:category', code: 'lab' }];
        prov(c).data = [
          { meaning: 'instance', reference: { identifier: { system: 'urn:ehrchain:record', value: REC } } },
        ];
      },
      `${P}.data`,
      /not both/,
    ],
    [
      'data meaning related',
      (c) =>
        (prov(c).data = [
          { meaning: 'related', reference: { identifier: { system: 'urn:ehrchain:record', value: REC } } },
        ]),
      `${P}.data[0].meaning`,
      /instance/,
    ],
    [
      'a class of another system',
      (c) => (prov(c).class = [{ system: 'http://loinc.org', code: '11502-2' }]),
      `${P}.class[0].system`,
      /urn:ehrchain:category/,
    ],
    [
      'a permit nested in the permit',
      (c) =>
        (prov(c).provision = [{ type: 'permit', class: [{ system: 'urn:ehrchain:category', code: 'lab' }] }]),
      `${P}.provision[0].type`,
      /deny/,
    ],
    [
      'an exception with an actor',
      (c) =>
        (prov(c).provision = [
          { type: 'deny', actor: [actor(c)], class: [{ system: 'urn:ehrchain:category', code: 'lab' }] },
        ]),
      `${P}.provision[0].actor`,
      /not supported/,
    ],
    [
      'a patient that is not an actor id',
      (c) => (c.patient = { identifier: { system: 'urn:ehrchain:actor', value: 'nope' } }),
      'Consent.patient.identifier.value',
      /64/,
    ],
    [
      'a narrative',
      (c) => (c.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' }),
      'Consent.text',
      /not supported/,
    ],
    [
      'a meta security label',
      (c) => (c.meta = { security: [{ code: 'R' }] }),
      'Consent.meta.security',
      /not supported/,
    ],
    [
      'a role that cannot hold a grant',
      (c) =>
        (actor(c).reference = {
          type: 'PractitionerRole',
          identifier: { system: 'urn:ehrchain:role', value: 'admin' },
        }),
      `${P}.actor[0].reference.identifier.value`,
      /doctor/,
    ],
  ];
  it.each(rows)('%s', (_name, edit, path, message) => {
    const c = consentOf();
    edit(c);
    const problems = problemsOf(consentToGrant(c));
    expect(problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('consentToGrant answers hostile JSON with problems, never a throw', () => {
  const huge = consentOf();
  prov(huge).purpose = Array.from({ length: 100_000 }, () => ({ code: 'TREAT' }));
  let deep: Json = {};
  for (let i = 0; i < 1000; i++) deep = { x: deep };
  const rows: readonly [string, unknown, string][] = [
    ['null', null, ''],
    ['a string', 'Consent', ''],
    ['an array', [consentOf()], ''],
    ['another resource', { resourceType: 'Patient' }, 'resourceType'],
    ['a huge array', huge, ''],
    ['deep nesting', { ...consentOf(), extension: deep }, ''],
    ['provision as a string', { ...consentOf(), provision: 'permit' }, 'Consent.provision'],
    ['status as a number', { ...consentOf(), status: 1 }, 'Consent.status'],
    ['an unknown field', { ...consentOf(), evil: true }, 'Consent.evil'],
    [
      'actor as an object of numbers',
      { ...consentOf(), provision: { ...prov(consentOf()), actor: { 0: 1 } } },
      '',
    ],
    ['a prototype key', JSON.parse(`{"resourceType":"Consent","__proto__":{"status":"active"}}`), ''],
  ];
  it.each(rows)('%s', (_name, value, path) => {
    const r = consentToGrant(value);
    expect(r.ok).toBe(false);
    const problems = problemsOf(r);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.path.startsWith(path))).toBe(true);
    for (const p of problems) expect(typeof p.message).toBe('string');
  });
});

describe('consentToGrant inverts grantToConsent', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
  const code = fc.stringMatching(/^[a-z0-9-]{1,32}$/);
  const grantee: fc.Arbitrary<Grantee> = fc.oneof(
    hex.map((id) => ({ kind: 'actor', id }) as const),
    code.map((id) => ({ kind: 'org', id }) as const),
    fc.constantFrom('doctor', 'insurer', 'researcher').map((id) => ({ kind: 'role', id }) as const),
  );
  const arbGrant = fc.record({
    patient: hex,
    grantee,
    actions: fc.subarray(['read', 'write'] as const, { minLength: 1 }),
    purposes: fc.subarray(['TREAT', 'HPAYMT', 'HRESCH', 'ETREAT'] as const, { minLength: 1 }),
    scope: fc.oneof(
      fc.constant({ kind: 'all' } as const),
      fc
        .uniqueArray(code, { minLength: 1, maxLength: 16 })
        .map((categories) => ({ kind: 'categories', categories }) as const),
      hex.map((recordId) => ({ kind: 'record', recordId }) as const),
    ),
    start: fc.integer({ min: 0, max: 4e12 }),
    length: fc.integer({ min: 1, max: 1e11 }),
    exceptions: fc.array(
      fc.oneof(
        code.map((category) => ({ kind: 'category', category }) as const),
        hex.map((recordId) => ({ kind: 'record', recordId }) as const),
      ),
      { maxLength: 16 },
    ),
  });

  it('gives back the terms of any active direct grant', () => {
    fc.assert(
      fc.property(arbGrant, ({ length, ...g }) => {
        const full = grant({ ...g, grantor: g.patient, end: g.start + length, grantedAt: g.start });
        const consent: Consent = grantToConsent(full, g.start);
        const r = consentToGrant(JSON.parse(JSON.stringify(consent)));
        expect(problemsOf(r)).toEqual([]);
        if (!r.ok) return;
        expect(r.grant.patient).toBe(full.patient);
        expect(r.grant.grantee).toEqual(full.grantee);
        const { actions, scope, purposes, start, end, exceptions } = full;
        expect(r.grant.terms).toEqual({ actions, scope, purposes, start, end, exceptions });
      }),
      { numRuns: 60 },
    );
  });
});
