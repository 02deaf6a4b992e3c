/**
 * Grants and requests made on the compiled contract, read back through the contract's queries
 * (node/fhir/source.ts) and mapped to FHIR R4 Consents: each decodes to the model's grant, maps as
 * the table says, and validates against the official R4 StructureDefinitions.
 */
import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { grantToConsent, parseConsentId, requestToConsent } from '../../../node/fhir/consent.js';
import { ConsentSource } from '../../../node/fhir/source.js';
import { DAY, HOUR, rec, T0, type World } from '../consent/world.js';
import { expectValidFhir } from './validate.js';
import { twinWorld } from './world.js';

const SYS = 'urn:ehrchain:';

interface Row {
  readonly name: string;
  /** Makes a grant (returns its id) in the standard world. */
  readonly make: (w: World) => number;
  /** When the status is judged. */
  readonly at?: number;
  readonly check: (c: Consent, w: World) => void;
}

const ROWS: readonly Row[] = [
  {
    name: 'an actor grant is an active permit naming the actor by identifier',
    make: (w) => w.grant('pat', w.actor('drA1')),
    check: (c, w) => {
      expect(c.status).toBe('active');
      expect(c.provision?.type).toBe('permit');
      expect(c.provision?.actor?.[0]?.reference.identifier).toEqual({
        system: `${SYS}actor`,
        value: w.id('drA1'),
      });
      expect(c.patient?.identifier?.value).toBe(w.id('pat'));
      expect(c.scope.coding?.[0]?.code).toBe('patient-privacy');
    },
  },
  {
    name: 'an organisation grant names the organisation',
    make: (w) => w.grant('pat', { kind: 'org', id: 'hosp-b' }),
    check: (c) =>
      expect(c.provision?.actor?.[0]?.reference).toMatchObject({
        type: 'Organization',
        identifier: { value: 'hosp-b' },
      }),
  },
  {
    name: 'a role grant names the role',
    make: (w) => w.grant('pat', { kind: 'role', id: 'insurer' }, T0, { purposes: ['HPAYMT'] }),
    check: (c) => {
      expect(c.provision?.actor?.[0]?.reference).toMatchObject({
        type: 'PractitionerRole',
        identifier: { value: 'insurer' },
      });
      expect(c.provision?.purpose).toEqual([
        { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'HPAYMT' },
      ]);
    },
  },
  {
    name: 'read and write are the consent actions access and correct',
    make: (w) =>
      w.grant('pat', w.actor('drA1'), T0, { actions: ['read', 'write'], purposes: ['TREAT', 'ETREAT'] }),
    check: (c) => {
      expect(c.provision?.action?.map((a) => a.coding?.[0]?.code)).toEqual(['access', 'correct']);
      expect(c.provision?.purpose?.map((p) => p.code)).toEqual(['TREAT', 'ETREAT']);
    },
  },
  {
    name: 'a category scope is the provision classes',
    make: (w) =>
      w.grant('pat', w.actor('drA1'), T0, { scope: { kind: 'categories', categories: ['lab', 'imaging'] } }),
    check: (c) =>
      expect(c.provision?.class).toEqual([
        { system: `${SYS}category`, code: 'lab' },
        { system: `${SYS}category`, code: 'imaging' },
      ]),
  },
  {
    name: 'a record scope is a data reference to the record id',
    make: (w) => w.grant('pat', w.actor('drA1'), T0, { scope: { kind: 'record', recordId: rec('lab1') } }),
    check: (c) =>
      expect(c.provision?.data?.[0]).toEqual({
        meaning: 'instance',
        reference: { identifier: { system: `${SYS}record`, value: rec('lab1') } },
      }),
  },
  {
    name: 'exceptions are nested deny provisions',
    make: (w) =>
      w.grant('pat', w.actor('drA1'), T0, {
        exceptions: [
          { kind: 'category', category: 'mental-health' },
          { kind: 'record', recordId: rec('img1') },
        ],
      }),
    check: (c) => {
      const nested = c.provision?.provision ?? [];
      expect(nested.map((p) => p.type)).toEqual(['deny', 'deny']);
      expect(nested[0]?.class?.[0]?.code).toBe('mental-health');
      expect(nested[1]?.data?.[0]?.reference.identifier?.value).toBe(rec('img1'));
    },
  },
  {
    name: 'the period is the grant period',
    make: (w) => w.grant('pat', w.actor('drA1'), T0, { start: T0 + HOUR, end: T0 + DAY }),
    check: (c) =>
      expect(c.provision?.period).toEqual({
        start: new Date(T0 + HOUR).toISOString(),
        end: new Date(T0 + DAY).toISOString(),
      }),
  },
  {
    name: 'a revoked grant is inactive',
    make: (w) => {
      const id = w.grant('pat', w.actor('drA1'));
      w.ok('pat', T0 + HOUR, { op: 'revoke', grantId: id });
      return id;
    },
    at: T0 + 2 * HOUR,
    check: (c) => expect(c.status).toBe('inactive'),
  },
  {
    name: 'an expired grant is inactive',
    make: (w) => w.grant('pat', w.actor('drA1'), T0, { end: T0 + DAY }),
    at: T0 + DAY,
    check: (c) => expect(c.status).toBe('inactive'),
  },
  {
    name: 'a grant made by a guardian names the guardian as performer',
    make: (w) => w.grant('child', w.actor('drA1'), T0, { by: 'mum' }),
    check: (c, w) => expect(c.performer?.[0]?.identifier?.value).toBe(w.id('mum')),
  },
];

describe('grants as FHIR Consent', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const { w, model, query } = twinWorld();
      const id = row.make(w);
      const g = new ConsentSource(query).grant(id);
      expect(g).toEqual(model.state.grants[id - 1]);
      const c = grantToConsent(g!, row.at ?? T0 + HOUR);
      row.check(c, w);
      expectValidFhir(c);
    });
  }
});

describe('access requests as proposed Consents', () => {
  const ask = (w: World) =>
    w.ok('drB1', T0, {
      op: 'requestAccess',
      patient: w.id('pat'),
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab'] },
      purposes: ['TREAT'],
      start: T0,
      end: T0 + 30 * DAY,
      exceptions: [],
      reason: 'referral',
      expiresAt: 0,
    });
  const cases: [string, (w: World, id: number) => void, number, Consent['status']][] = [
    ['an open request is proposed', () => undefined, T0 + HOUR, 'proposed'],
    ['a lapsed request is inactive', () => undefined, T0 + 8 * DAY, 'inactive'],
    [
      'a denied request is rejected',
      (w, id) => w.ok('pat', T0 + HOUR, { op: 'denyRequest', requestId: id, reason: 'no' }),
      T0 + 2 * HOUR,
      'rejected',
    ],
    [
      'a withdrawn request is inactive',
      (w, id) => w.ok('drB1', T0 + HOUR, { op: 'withdrawRequest', requestId: id }),
      T0 + 2 * HOUR,
      'inactive',
    ],
    [
      'an approved request is inactive: its grant supersedes it',
      (w, id) => w.ok('pat', T0 + HOUR, { op: 'approveRequest', requestId: id }),
      T0 + 2 * HOUR,
      'inactive',
    ],
  ];
  for (const [name, then, at, status] of cases) {
    it(name, () => {
      const { w, model, query } = twinWorld();
      const id = ask(w);
      then(w, id);
      const r = new ConsentSource(query).request(id);
      expect(r).toEqual(model.state.requests[id - 1]);
      const c = requestToConsent(r!, at);
      expect(c.status).toBe(status);
      expect(c.provision?.actor?.[0]?.reference.identifier?.value).toBe(w.id('drB1'));
      expectValidFhir(c);
    });
  }

  it('the grant of an approved request points at the request', () => {
    const { w, query } = twinWorld();
    const id = ask(w);
    const g = w.ok('pat', T0 + HOUR, { op: 'approveRequest', requestId: id });
    const c = grantToConsent(new ConsentSource(query).grant(g)!, T0 + 2 * HOUR);
    expect(c.sourceReference).toEqual({ reference: `Consent/request-${id}` });
    expectValidFhir(c);
  });

  it('a patient lists grants and requests in trail order', () => {
    const { w, query } = twinWorld();
    const g = w.grant('pat', w.actor('drA1'));
    const r = ask(w);
    expect(new ConsentSource(query).consentsOf(w.id('pat')).slice(-2)).toEqual([
      { kind: 'grant', id: g },
      { kind: 'request', id: r },
    ]);
  });
});

describe('Consent ids', () => {
  it.each([
    ['grant-12', { kind: 'grant', id: 12 }],
    ['request-1', { kind: 'request', id: 1 }],
    ['grant-0', null],
    ['grant-01', null],
    ['Grant-1', null],
    ['emergency-1', null],
  ])('%s', (id, want) => expect(parseConsentId(id)).toEqual(want));
});
