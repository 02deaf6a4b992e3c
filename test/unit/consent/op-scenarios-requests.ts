/**
 * Rows of the authorisation table about access requests (request, approve, deny, withdraw), over
 * {@link World.standard}, joined with the attestation rows (op-scenarios-attest.ts). Run against the
 * model and the contract.
 */
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import type { Terms } from '../../../vm/consent/types.js';
import type { OpScenario } from './op-scenarios.js';
import { attestRows } from './op-scenarios-attest.js';
import { consultRows } from './op-scenarios-consults.js';
import { NOW } from './op-scenarios-records.js';
import { researchRows } from './op-scenarios-research.js';
import { DAY, HOUR, hashOf, keyOf, MIN, type Name, rec, T0, type World } from './world.js';

type RequestOp = Extract<ConsentOp, { op: 'requestAccess' }>;

/** drB1's request (or `who`'s) to read all of `patient`'s data for TREAT over [T0, T0 + 30 days). */
export const requestOp =
  (patient: Name = 'pat', more: Partial<RequestOp> = {}) =>
  (w: World): RequestOp => ({
    op: 'requestAccess',
    patient: w.id(patient),
    actions: ['read'],
    scope: { kind: 'all' },
    purposes: ['TREAT'],
    start: T0,
    end: T0 + 30 * DAY,
    exceptions: [],
    reason: 'referral',
    expiresAt: 0,
    ...more,
  });

/** `who` files `n` requests to `patient` at `at`; the first gets id 1 in the standard world. */
const filed =
  (n = 1, who: Name = 'drB1', patient: Name = 'pat', at = T0, more: Partial<RequestOp> = {}) =>
  (w: World) => {
    for (let i = 0; i < n; i++) w.ok(who, at, requestOp(patient, more)(w));
  };

/** The terms of drB1's default request, changed by `more`. */
const terms = (more: Partial<Terms> = {}): Terms => ({
  actions: ['read'],
  scope: { kind: 'all' },
  purposes: ['TREAT'],
  start: T0,
  end: T0 + 30 * DAY,
  exceptions: [],
  ...more,
});

const approve =
  (terms?: Terms, requestId = 1) =>
  () =>
    ({ op: 'approveRequest', requestId, terms }) as const;
const deny =
  (reason = 'not-needed', requestId = 1) =>
  () =>
    ({ op: 'denyRequest', requestId, reason }) as const;
const withdraw =
  (requestId = 1) =>
  () =>
    ({ op: 'withdrawRequest', requestId }) as const;
const then =
  (...steps: ((w: World) => void)[]) =>
  (w: World) => {
    for (const s of steps) s(w);
  };
const run =
  (who: Name, op: () => ConsentOp, at = T0 + MIN) =>
  (w: World) =>
    void w.ok(who, at, op());

/** requestAccess rows. */
function requestRows(): OpScenario[] {
  const labOnly = { kind: 'categories', categories: ['lab'] } as const;
  return [
    { name: 'a doctor requests access', who: 'drB1', op: requestOp(), expect: 'ok' },
    {
      name: 'an insurer requests access for payment',
      who: 'ins1',
      op: requestOp('pat', { purposes: ['HPAYMT'], scope: labOnly }),
      expect: 'ok',
    },
    {
      name: 'a researcher requests access for research',
      who: 'res1',
      op: requestOp('pat', { purposes: ['HRESCH'] }),
      expect: 'ok',
    },
    { name: 'a patient cannot request access', who: 'pat2', op: requestOp(), expect: 'unauthorised' },
    { name: 'an admin cannot request access', who: 'adminA', op: requestOp(), expect: 'unauthorised' },
    {
      name: 'an unknown key cannot request access',
      who: 'stranger',
      op: requestOp(),
      expect: 'unknown_caller',
    },
    {
      name: 'a suspended doctor cannot request access',
      given: (w) => void w.ok('adminB', T0, { op: 'suspendActor', actor: w.id('drB1') }),
      who: 'drB1',
      op: requestOp(),
      expect: 'caller_suspended',
    },
    {
      name: 'an insurer cannot request access for treatment',
      who: 'ins1',
      op: requestOp('pat', { purposes: ['HPAYMT', 'TREAT'] }),
      expect: 'role_mismatch',
    },
    {
      name: 'only doctors may request write access',
      who: 'ins1',
      op: requestOp('pat', { purposes: ['HPAYMT'], actions: ['read', 'write'] }),
      expect: 'role_mismatch',
    },
    {
      name: 'a doctor may request write access',
      who: 'drB1',
      op: requestOp('pat', { actions: ['read', 'write'] }),
      expect: 'ok',
    },
    { name: 'request to a non-patient', who: 'drB1', op: requestOp('drA1'), expect: 'unknown_patient' },
    {
      name: 'request with a malformed reason',
      who: 'drB1',
      op: requestOp('pat', { reason: 'Bad Reason' }),
      expect: 'invalid_argument',
    },
    {
      name: 'request with no purpose',
      who: 'drB1',
      op: requestOp('pat', { purposes: [] }),
      expect: 'invalid_argument',
    },
    {
      name: 'request with a malformed exception',
      who: 'drB1',
      op: requestOp('pat', { exceptions: [{ kind: 'category', category: 'Bad Cat' }] }),
      expect: 'invalid_argument',
    },
    {
      name: 'request for a period already over',
      who: 'drB1',
      op: requestOp('pat', { end: NOW }),
      expect: 'invalid_period',
    },
    {
      name: 'request expiring now',
      who: 'drB1',
      op: requestOp('pat', { expiresAt: NOW }),
      expect: 'invalid_expiry',
    },
    {
      name: 'request expiring at the 30-day bound',
      who: 'drB1',
      op: requestOp('pat', { expiresAt: NOW + 30 * DAY }),
      expect: 'ok',
    },
    {
      name: 'request expiring past the 30-day bound',
      who: 'drB1',
      op: requestOp('pat', { expiresAt: NOW + 30 * DAY + 1 }),
      expect: 'invalid_expiry',
    },
    {
      name: 'a fourth open request to the same patient',
      given: filed(3),
      who: 'drB1',
      op: requestOp(),
      expect: 'too_many_requests_to_patient',
    },
    {
      name: 'the per-patient bound is per requester',
      given: filed(3),
      who: 'drB2',
      op: requestOp(),
      expect: 'ok',
    },
    {
      name: 'lapsed requests do not count against the bound',
      given: filed(3, 'drB1', 'pat', T0, { expiresAt: NOW }),
      who: 'drB1',
      op: requestOp(),
      expect: 'ok',
    },
    {
      name: 'answered and withdrawn requests do not count against the bound',
      given: then(filed(3), run('pat', approve()), run('pat', deny('no', 2)), run('drB1', withdraw(3))),
      who: 'drB1',
      op: requestOp(),
      expect: 'ok',
    },
    {
      name: 'a 33rd open request of one requester',
      given: (w) => {
        for (let i = 0; i < 11; i++) {
          w.ok('adminA', T0, {
            op: 'registerActor',
            publicKey: keyOf(`bulk${i}`),
            role: 'patient',
            certHash: hashOf(`bulk${i}`),
            licenceExpiry: 0,
          });
          const patient = actorIdOf(keyOf(`bulk${i}`));
          for (let j = 0; j < 3 && i * 3 + j < 32; j++) w.ok('drB1', T0, { ...requestOp()(w), patient });
        }
      },
      who: 'drB1',
      op: requestOp('pat2'),
      expect: 'too_many_open_requests',
    },
  ];
}

/** approveRequest rows: as asked, narrowed, widened, and at every state of the request. */
function approveRows(): OpScenario[] {
  const given = filed();
  const widened = (name: string, t: Partial<Terms>): OpScenario => ({
    name: `an approval cannot widen: ${name}`,
    given,
    who: 'pat',
    op: approve(terms(t)),
    expect: 'widened_terms',
  });
  const narrowed = (name: string, t: Partial<Terms>, g = given): OpScenario => ({
    name: `the patient approves with ${name}`,
    given: g,
    who: 'pat',
    op: approve(terms(t)),
    expect: 'ok',
  });
  const labImaging = { kind: 'categories', categories: ['lab', 'imaging'] } as const;
  const wider = filed(1, 'drB1', 'pat', T0, { actions: ['read', 'write'], purposes: ['TREAT', 'ETREAT'] });
  const catReq = filed(1, 'drB1', 'pat', T0, { scope: labImaging });
  const recReq = filed(1, 'drB1', 'pat', T0, { scope: { kind: 'record', recordId: rec('lab1') } });
  const denyMh = filed(1, 'drB1', 'pat', T0, {
    exceptions: [{ kind: 'category', category: 'mental-health' }],
  });
  return [
    { name: 'the patient approves as requested', given, who: 'pat', op: approve(), expect: 'ok' },
    {
      name: 'a linked guardian approves for the child',
      given: filed(1, 'drB1', 'child'),
      who: 'mum',
      op: approve(),
      expect: 'ok',
    },
    { name: 'another patient cannot approve', given, who: 'pat2', op: approve(), expect: 'unauthorised' },
    { name: 'an unlinked guardian cannot approve', given, who: 'mum', op: approve(), expect: 'unauthorised' },
    { name: 'the requester cannot approve', given, who: 'drB1', op: approve(), expect: 'unauthorised' },
    {
      name: 'approve an unknown request',
      given,
      who: 'pat',
      op: approve(undefined, 2),
      expect: 'unknown_request',
    },
    { name: 'approve request 0', who: 'pat', op: approve(undefined, 0), expect: 'invalid_argument' },
    {
      name: 'approve with malformed terms',
      given,
      who: 'pat',
      op: approve(terms({ actions: [] })),
      expect: 'invalid_argument',
    },
    {
      name: 'approve twice',
      given: then(given, run('pat', approve())),
      who: 'pat',
      op: approve(),
      expect: 'request_answered',
    },
    {
      name: 'approve a denied request',
      given: then(given, run('pat', deny())),
      who: 'pat',
      op: approve(),
      expect: 'request_answered',
    },
    {
      name: 'approve a withdrawn request',
      given: then(given, run('drB1', withdraw())),
      who: 'pat',
      op: approve(),
      expect: 'request_withdrawn',
    },
    {
      name: 'approve at the request’s expiry',
      given,
      who: 'pat',
      at: T0 + 7 * DAY,
      op: approve(),
      expect: 'request_expired',
    },
    {
      name: 'approve 1 ms before the expiry',
      given,
      who: 'pat',
      at: T0 + 7 * DAY - 1,
      op: approve(),
      expect: 'ok',
    },
    narrowed('fewer actions', { actions: ['read'] }, wider),
    narrowed('fewer purposes', { actions: ['read', 'write'], purposes: ['ETREAT'] }, wider),
    narrowed('fewer categories', { scope: { kind: 'categories', categories: ['imaging'] } }, catReq),
    narrowed('a category scope inside all data', { scope: { kind: 'categories', categories: ['lab'] } }),
    narrowed('a record scope inside all data', { scope: { kind: 'record', recordId: rec('lab1') } }),
    narrowed('a shorter period', { start: T0 + DAY, end: T0 + 2 * DAY }),
    narrowed('an extra deny exception', { exceptions: [{ kind: 'record', recordId: rec('mh1') }] }),
    narrowed(
      'the same exceptions',
      { exceptions: [{ kind: 'category', category: 'mental-health' }] },
      denyMh,
    ),
    widened('an action', { actions: ['read', 'write'] }),
    widened('a purpose', { purposes: ['TREAT', 'ETREAT'] }),
    widened('an earlier start', { start: T0 - 1 }),
    widened('a later end', { end: T0 + 30 * DAY + 1 }),
    {
      name: 'an approval cannot widen: all data for some categories',
      given: catReq,
      who: 'pat',
      op: approve(terms()),
      expect: 'widened_terms',
    },
    {
      name: 'an approval cannot widen: another category',
      given: catReq,
      who: 'pat',
      op: approve(terms({ scope: { kind: 'categories', categories: ['lab', 'mental-health'] } })),
      expect: 'widened_terms',
    },
    {
      name: 'an approval cannot widen: a record scope inside a category scope',
      given: catReq,
      who: 'pat',
      op: approve(terms({ scope: { kind: 'record', recordId: rec('lab1') } })),
      expect: 'widened_terms',
    },
    {
      name: 'an approval cannot widen: another record',
      given: recReq,
      who: 'pat',
      op: approve(terms({ scope: { kind: 'record', recordId: rec('img1') } })),
      expect: 'widened_terms',
    },
    {
      name: 'an approval cannot widen: a dropped exception',
      given: denyMh,
      who: 'pat',
      op: approve(terms()),
      expect: 'widened_terms',
    },
    {
      name: 'approve narrowed to a period already over',
      given,
      who: 'pat',
      at: T0 + 2 * DAY,
      op: approve(terms({ end: T0 + DAY })),
      expect: 'invalid_period',
    },
    {
      name: 'approve a request whose period has ended',
      given: filed(1, 'drB1', 'pat', T0, { end: T0 + 2 * HOUR }),
      who: 'pat',
      at: T0 + 2 * HOUR,
      op: approve(),
      expect: 'invalid_period',
    },
  ];
}

/** denyRequest and withdrawRequest rows. */
function answerRows(): OpScenario[] {
  const given = filed();
  return [
    { name: 'the patient denies', given, who: 'pat', op: deny(), expect: 'ok' },
    { name: 'another patient cannot deny', given, who: 'pat2', op: deny(), expect: 'unauthorised' },
    { name: 'deny with a malformed reason', given, who: 'pat', op: deny('No!'), expect: 'invalid_argument' },
    { name: 'deny an unknown request', who: 'pat', op: deny(), expect: 'unknown_request' },
    {
      name: 'deny twice',
      given: then(given, run('pat', deny())),
      who: 'pat',
      op: deny(),
      expect: 'request_answered',
    },
    {
      name: 'deny a lapsed request',
      given,
      who: 'pat',
      at: T0 + 8 * DAY,
      op: deny(),
      expect: 'request_expired',
    },
    { name: 'the requester withdraws', given, who: 'drB1', op: withdraw(), expect: 'ok' },
    { name: 'another doctor cannot withdraw', given, who: 'drB2', op: withdraw(), expect: 'unauthorised' },
    {
      name: 'the patient cannot withdraw (deny instead)',
      given,
      who: 'pat',
      op: withdraw(),
      expect: 'unauthorised',
    },
    { name: 'withdraw an unknown request', who: 'drB1', op: withdraw(), expect: 'unknown_request' },
    {
      name: 'withdraw twice',
      given: then(given, run('drB1', withdraw())),
      who: 'drB1',
      op: withdraw(),
      expect: 'request_withdrawn',
    },
    {
      name: 'withdraw an approved request',
      given: then(given, run('pat', approve())),
      who: 'drB1',
      op: withdraw(),
      expect: 'request_answered',
    },
    {
      name: 'withdraw a lapsed request',
      given,
      who: 'drB1',
      at: T0 + 8 * DAY,
      op: withdraw(),
      expect: 'request_expired',
    },
  ];
}

/** The request and attestation rows of the authorisation table. */
export const REQUEST_SCENARIOS: readonly OpScenario[] = [
  ...requestRows(),
  ...approveRows(),
  ...answerRows(),
  ...attestRows(),
  ...consultRows(),
  ...researchRows(),
];
