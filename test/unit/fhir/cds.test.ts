/** The consent decision service's request parsing and answers (CDS Hooks patient-consent-consult). */
import { describe, expect, it } from 'vitest';
import { ConsultError, consultResponse, decisionOf, parseConsult } from '../../../node/fhir/cds.js';

const P = 'a'.repeat(64);
const A = 'b'.repeat(64);
const R = 'c'.repeat(64);
const ok = { patientId: P, actor: A, purposeOfUse: ['TREAT'], class: [{ code: 'lab' }] };

describe('parseConsult', () => {
  it('reads identifiers, one purpose, a category and the default action', () => {
    expect(
      parseConsult({
        hook: 'patient-consent-consult',
        context: {
          ...ok,
          patientId: [{ system: 'urn:ehrchain:actor', value: P }],
          purposeOfUse: [{ code: 'TREAT' }],
        },
      }),
    ).toEqual({
      patient: P,
      actor: A,
      purpose: 'TREAT',
      target: { kind: 'category', category: 'lab' },
      action: 'read',
    });
  });

  it('reads a record target and the FHIR action code correct as write', () => {
    const q = parseConsult({
      context: { patientId: P, actor: A, purposeOfUse: 'TREAT', record: R, version: 2, action: 'correct' },
    });
    expect([q.target, q.action]).toEqual([{ kind: 'record', recordId: R, version: 2 }, 'write']);
  });

  const refused: [string, Record<string, unknown>, string][] = [
    ['another hook', { hook: 'patient-view', context: ok }, 'hook'],
    ['no context', {}, 'context'],
    ['an unknown context field', { context: { ...ok, encounterId: 'x' } }, 'context.encounterId'],
    ['another consent scope', { context: { ...ok, scope: 'research' } }, 'context.scope'],
    ['two purposes', { context: { ...ok, purposeOfUse: ['TREAT', 'ETREAT'] } }, 'context.purposeOfUse'],
    ['an unknown purpose', { context: { ...ok, purposeOfUse: ['PUBHLTH'] } }, 'context.purposeOfUse'],
    ['an action we do not decide', { context: { ...ok, action: 'disclose' } }, 'context.action'],
    ['a patient that is no actor id', { context: { ...ok, patientId: 'Patient/1' } }, 'context.patientId'],
    [
      'an actor of another system',
      { context: { ...ok, actor: [{ system: 'urn:npi', value: A }] } },
      'context.actor.system',
    ],
    ['no target', { context: { patientId: P, actor: A, purposeOfUse: ['TREAT'] } }, 'context.class'],
    ['both targets', { context: { ...ok, record: R } }, 'context.class'],
    [
      'a bad version',
      { context: { patientId: P, actor: A, purposeOfUse: ['TREAT'], record: R, version: 0 } },
      'context.version',
    ],
  ];
  for (const [name, body, path] of refused)
    it(`refuses ${name}, naming ${path}`, () => {
      expect(() => parseConsult(body)).toThrow(ConsultError);
      try {
        parseConsult(body);
      } catch (e) {
        expect((e as ConsultError).path).toBe(path);
      }
    });
});

describe('decisions', () => {
  it.each([
    [true, 'granted', 'CONSENT_PERMIT'],
    [true, 'emergency', 'CONSENT_PERMIT'],
    [false, 'no_grant', 'NO_CONSENT'],
    [false, 'unknown_patient', 'NO_CONSENT'],
    [false, 'revoked', 'CONSENT_DENY'],
    [false, 'denied_by_exception', 'CONSENT_DENY'],
    [false, 'role_mismatch', 'CONSENT_DENY'],
    [false, 'suspended', 'CONSENT_DENY'],
  ] as const)('allowed %s with %s is %s', (allowed, reason, want) => {
    expect(decisionOf({ allowed, reason })).toBe(want);
  });

  it('the card carries the decision and the reason code', () => {
    const q = parseConsult({ context: ok });
    const card = consultResponse(q, { allowed: false, reason: 'revoked' }, 0).cards[0]!;
    expect([card.summary, card.extension.decision, card.extension.reason]).toEqual([
      'CONSENT_DENY',
      'CONSENT_DENY',
      'revoked',
    ]);
  });
});
