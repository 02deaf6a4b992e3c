import { describe, expect, it } from 'vitest';
import { ConsentModel } from '../../../vm/consent/model.js';
import { requestOp } from './op-scenarios-requests.js';
import { DAY, HOUR, MIN, modelEngine, rec, T0, World } from './world.js';

function world(): { m: ConsentModel; w: World } {
  const m = new ConsentModel();
  return { m, w: new World(modelEngine(m)).standard() };
}

const lab = { kind: 'category', category: 'lab' } as const;
const mh = { kind: 'category', category: 'mental-health' } as const;

describe('access requests (reference model)', () => {
  it('an approval makes a grant to the requester, linked to the request, on the narrowed terms', () => {
    const { m, w } = world();
    const id = w.ok('drB1', T0, requestOp()(w));
    const terms = {
      actions: ['read'],
      scope: { kind: 'all' },
      purposes: ['TREAT'],
      start: T0,
      end: T0 + 10 * DAY,
      exceptions: [{ kind: 'category', category: 'mental-health' }],
    } as const;
    const g = w.ok('pat', T0 + HOUR, { op: 'approveRequest', requestId: id, terms });
    expect(m.grant(g)).toMatchObject({
      grantee: { kind: 'actor', id: w.id('drB1') },
      grantor: w.id('pat'),
      end: T0 + 10 * DAY,
      request: id,
      grantedAt: T0 + HOUR,
    });
    expect(m.request(id)).toMatchObject({ status: 'approved', grantId: g, answeredBy: w.id('pat') });
    expect(w.ask('drB1', 'pat', lab, 'read', 'TREAT', T0 + 2 * HOUR).reason).toBe('granted');
    expect(w.ask('drB1', 'pat', mh, 'read', 'TREAT', T0 + 2 * HOUR).reason).toBe('denied_by_exception');
    expect(w.ask('drB1', 'pat', lab, 'read', 'TREAT', T0 + 10 * DAY).reason).toBe('expired');
  });

  it('an unanswered request lapses at its expiry (end exclusive)', () => {
    const { m, w } = world();
    const id = w.ok('drB1', T0, requestOp('pat', { expiresAt: T0 + DAY })(w));
    expect(m.requestStatus(id, T0 + DAY - 1)).toBe('open');
    expect(m.requestStatus(id, T0 + DAY)).toBe('expired');
    expect(m.request(id)?.status).toBe('open');
  });

  it('a request without an expiry lapses after 7 days', () => {
    const { m, w } = world();
    const id = w.ok('drB1', T0 + MIN, requestOp()(w));
    expect(m.request(id)?.expiresAt).toBe(T0 + MIN + 7 * DAY);
  });

  it('the patient’s inbox lists the open requests only, oldest first; the requester’s list all of theirs', () => {
    const { m, w } = world();
    const a = w.ok('drB1', T0, requestOp()(w));
    const b = w.ok('drB2', T0, requestOp()(w));
    const c = w.ok('ins1', T0, requestOp('pat', { purposes: ['HPAYMT'], expiresAt: T0 + HOUR })(w));
    const d = w.ok('drB1', T0, requestOp()(w));
    w.ok('drB1', T0 + MIN, requestOp('pat2')(w));
    w.ok('pat', T0 + MIN, { op: 'denyRequest', requestId: b, reason: 'not-needed' });
    expect(m.openRequests(w.id('pat'), T0 + 2 * MIN)).toEqual([a, c, d]);
    expect(m.openRequests(w.id('pat'), T0 + HOUR)).toEqual([a, d]);
    expect(m.requestsBy(w.id('drB1'))).toEqual([a, d, 5]);
  });

  it('every step is on the patient’s trail: request, approval and its grant, denial, withdrawal', () => {
    const { m, w } = world();
    const before = m.auditTrail(w.id('pat')).length;
    const a = w.ok('drB1', T0, requestOp()(w));
    const b = w.ok('drB1', T0, requestOp()(w));
    const c = w.ok('drB1', T0, requestOp()(w));
    const g = w.ok('pat', T0 + MIN, { op: 'approveRequest', requestId: a });
    w.ok('pat', T0 + MIN, { op: 'denyRequest', requestId: b, reason: 'not-needed' });
    w.ok('drB1', T0 + MIN, { op: 'withdrawRequest', requestId: c });
    const trail = m.auditTrail(w.id('pat')).slice(before);
    expect(trail.map((e) => [e.op, e.by, e.subject, e.detail])).toEqual([
      ['requestAccess', w.id('drB1'), String(a), 'referral'],
      ['requestAccess', w.id('drB1'), String(b), 'referral'],
      ['requestAccess', w.id('drB1'), String(c), 'referral'],
      ['approveRequest', w.id('pat'), String(a), String(g)],
      ['grant', w.id('pat'), String(g), `actor:${w.id('drB1')}`],
      ['denyRequest', w.id('pat'), String(b), 'not-needed'],
      ['withdrawRequest', w.id('drB1'), String(c), ''],
    ]);
  });
});

describe('record attestations (reference model)', () => {
  it('each attestation is on the patient’s trail and in the version’s info', () => {
    const { m, w } = world();
    w.ok('pat', T0 + MIN, { op: 'attest', recordId: rec('lab1'), version: 1, kind: 'patient-confirmed' });
    w.ok('adminA', T0 + 2 * MIN, {
      op: 'attest',
      recordId: rec('lab1'),
      version: 1,
      kind: 'admin-validated',
    });
    expect(m.versionAttestations(rec('lab1'), 1)).toEqual({
      attestations: [
        { kind: 'patient-confirmed', by: w.id('pat'), at: T0 + MIN },
        { kind: 'admin-validated', by: w.id('adminA'), at: T0 + 2 * MIN },
      ],
      status: 'final',
    });
    expect(m.auditTrail(w.id('pat')).at(-1)).toMatchObject({
      op: 'attest',
      by: w.id('adminA'),
      subject: `${rec('lab1')}/1`,
      detail: 'admin-validated',
    });
  });

  it('an organisation’s versions are pending until they have a required kind of attestation', () => {
    const { m, w } = world();
    w.ok('gov', T0 + MIN, {
      op: 'setAttestationPolicy',
      org: 'hosp-a',
      kinds: ['co-signed', 'admin-validated'],
    });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('pending');
    w.ok('pat', T0 + MIN, { op: 'attest', recordId: rec('lab1'), version: 1, kind: 'patient-confirmed' });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('pending');
    w.ok('adminA', T0 + MIN, { op: 'attest', recordId: rec('lab1'), version: 1, kind: 'admin-validated' });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('final');
    expect(m.versionAttestations(rec('img1'), 1)?.status).toBe('pending');
  });

  it('the policy follows the author’s organisation, and lifting it makes versions final', () => {
    const { m, w } = world();
    w.ok('gov', T0 + MIN, { op: 'setAttestationPolicy', org: 'hosp-b', kinds: ['co-signed'] });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('final');
    w.ok('gov', T0 + MIN, { op: 'setAttestationPolicy', org: 'hosp-a', kinds: ['co-signed'] });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('pending');
    w.ok('gov', T0 + 2 * MIN, { op: 'setAttestationPolicy', org: 'hosp-a', kinds: [] });
    expect(m.versionAttestations(rec('lab1'), 1)?.status).toBe('final');
  });
});
