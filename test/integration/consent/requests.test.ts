/**
 * Access requests and attestations end to end on 3 real validators, through HTTP only, with the
 * TypeScript ConsentClient: what an approval allows is exactly its (narrowed) terms, a denial or
 * a lapse leaves no access, a guardian answers for a child, the spam bound holds, attestations show
 * in versionInfo, and every refusal carries the contract's reason code and a sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordsClient } from '../../../client/records.js';
import { fromHex } from '../../../protocol/chain/encoding.js';
import type { Terms } from '../../../vm/consent/types.js';
import { createNetwork, type Network, waitFor } from '../../helpers/network.js';
import { type Actor, ConsentWorld, DAY, HOUR, refusal } from './world.js';

const lab = { kind: 'category', category: 'lab' } as const;
const imaging = { kind: 'category', category: 'imaging' } as const;

/** Terms for treatment from an hour ago for `days`, on `categories`. */
const treat = (categories: string[], actions: Terms['actions'] = ['read'], days = 30): Terms => ({
  actions,
  purposes: ['TREAT'],
  scope: { kind: 'categories', categories },
  start: Date.now() - HOUR,
  end: Date.now() + days * DAY,
  exceptions: [],
});

describe('consent requests on 3 validators (HTTP)', () => {
  let net: Network;
  let w: ConsentWorld;
  let patient: Actor;
  let other: Actor;
  let doctor: Actor;

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
    w = await new ConsentWorld(net).init();
    patient = await w.register('patient');
    other = await w.register('patient');
    doctor = await w.register('doctor');
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it('a doctor can do exactly what the narrowed approval allows', async () => {
    const asked = treat(['lab', 'imaging'], ['read', 'write']);
    const id = await doctor.cc.request(patient.id, asked, 'follow-up');
    expect(await patient.cc.openRequests(patient.id)).toContain(id);
    const narrowed: Terms = {
      ...asked,
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab'] },
    };
    const grant = await patient.cc.approve(id, narrowed);

    const can = (t: typeof lab | typeof imaging, action: 'read' | 'write') =>
      doctor.cc.canAccess(doctor.id, patient.id, t, action, 'TREAT');
    expect(await can(lab, 'read')).toEqual({ allowed: true, reason: 'granted' });
    expect(await can(imaging, 'read')).toEqual({ allowed: false, reason: 'scope_mismatch' });
    expect(await can(lab, 'write')).toEqual({ allowed: false, reason: 'scope_mismatch' });
    expect(await doctor.cc.grantRequest(grant)).toBe(id);
    const st = await doctor.cc.requestState(id);
    expect(st?.state).toBe('approved');
    expect(st?.request.grantId).toBe(grant);
    expect(st?.request.answeredBy).toBe(patient.id);
    expect(await patient.cc.openRequests(patient.id)).not.toContain(id);
  });

  it('an insurer the patient denied is refused with the contract reason', async () => {
    await w.addInsurer();
    const insurer = await w.register('insurer', w.insurerAdmin);
    const id = await insurer.cc.request(
      patient.id,
      { ...treat(['lab']), purposes: ['HPAYMT'], scope: { kind: 'all' } },
      'claim-check',
    );
    await patient.cc.deny(id, 'not-needed');
    const st = await insurer.cc.requestState(id);
    expect(st?.state).toBe('denied');
    expect(st?.request.denyReason).toBe('not-needed');
    expect(await insurer.cc.canAccess(insurer.id, patient.id, lab, 'read', 'HPAYMT')).toEqual({
      allowed: false,
      reason: 'no_grant',
    });
    expect(await insurer.cc.requestsBy(insurer.id)).toEqual([id]);
  });

  it('a request lapses at its expiry by block time: expired, not listed, request_expired', async () => {
    const expiresAt = Date.now() + 3_000;
    const id = await doctor.cc.request(other.id, treat(['lab']), 'short', expiresAt);
    expect((await doctor.cc.requestState(id))?.state).toBe('open');
    await waitFor(async () => Date.now() > expiresAt + 200, 'the expiry to pass', 10_000, 100);
    const e = await refusal(() => other.cc.approve(id));
    expect(e.code).toBe('request_expired');
    // The refused approval was judged at its block's time, which is past the expiry.
    const tx = await net.node(0).client.getTx(e.txHash ?? '');
    expect((await net.node(0).client.getBlock(tx?.height ?? 0)).time).toBeGreaterThanOrEqual(expiresAt);
    expect((await doctor.cc.requestState(id))?.state).toBe('expired');
    expect(await other.cc.openRequests(other.id)).not.toContain(id);
  });

  it('a linked guardian approves for the patient', async () => {
    const child = await w.register('patient');
    const guardian = await w.register('guardian');
    await w.admin.linkGuardian(guardian.id, child.id);
    const id = await doctor.cc.request(child.id, treat(['lab']), 'vaccination');
    expect(await guardian.cc.openRequests(child.id)).toEqual([id]);
    await guardian.cc.approve(id);
    expect((await doctor.cc.requestInfo(id))?.answeredBy).toBe(guardian.id);
    expect((await doctor.cc.canAccess(doctor.id, child.id, lab, 'read', 'TREAT')).reason).toBe('granted');
  });

  it('the fourth open request to one patient is refused: too_many_requests_to_patient', async () => {
    const target = await w.register('patient');
    const asker = await w.register('doctor');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await asker.cc.request(target.id, treat(['lab']), `ask-${i}`));
    const e = await refusal(() => asker.cc.request(target.id, treat(['lab']), 'ask-3'));
    expect(e.code).toBe('too_many_requests_to_patient');
    expect(e.sentence).toMatch(/3 open requests/);
    expect(await target.cc.openRequests(target.id)).toEqual(ids);
    // Withdrawing one makes room again.
    await asker.cc.withdraw(ids[0] ?? 0);
    await asker.cc.request(target.id, treat(['lab']), 'ask-4');
  });

  it("a patient's open requests are listed across pages (18 > 16 per page)", async () => {
    const target = await w.register('patient');
    const askers = [];
    for (let i = 0; i < 6; i++) askers.push(await w.register('doctor'));
    const ids = [];
    for (const a of askers)
      for (let k = 0; k < 3; k++) ids.push(await a.cc.request(target.id, treat(['lab']), `page-${k}`));
    expect(await target.cc.openRequests(target.id)).toEqual(ids);
    expect(await target.cc.requestsBy(askers[0]?.id ?? '')).toEqual(ids.slice(0, 3));
  });

  it('a version attested by the patient and an admin shows both in versionInfo', async () => {
    await patient.cc.grant({ kind: 'actor', id: doctor.id }, treat(['lab'], ['read', 'write'], 1));
    const records = new RecordsClient(net.node(1).client, doctor.seed, net.chainId);
    const put = await records.put({
      patientKey: fromHex(patient.key),
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'synthetic potassium' } },
      category: 'lab',
    });
    expect((await patient.cc.versionInfo(put.recordId, 1))?.kinds).toBe(0);
    await patient.cc.attest(put.recordId, 1, 'patient-confirmed');
    await w.admin.attest(put.recordId, 1, 'admin-validated');
    const v = await doctor.cc.versionInfo(put.recordId, 1);
    expect(v?.kinds).toBe(1 | 2);
    expect(v?.status).toBe('final');
    const list = await doctor.cc.attestations(put.recordId, 1);
    expect(list.map((a) => [a.kind, a.by])).toEqual([
      ['patient-confirmed', patient.id],
      ['admin-validated', w.admin.id],
    ]);
    expect((await refusal(() => patient.cc.attest(put.recordId, 1, 'patient-confirmed'))).code).toBe(
      'already_attested',
    );
  });

  it.each([
    ['an unknown request id', 'unknown_request'],
    ['terms wider than asked', 'widened_terms'],
    ['someone other than the patient approving', 'unauthorised'],
  ] as const)('approving with %s is refused: %s', async (what, code) => {
    const id = await doctor.cc.request(patient.id, treat(['lab']), 'labs');
    const e = await refusal(() =>
      what === 'an unknown request id'
        ? patient.cc.approve(999_999)
        : what === 'terms wider than asked'
          ? patient.cc.approve(id, treat(['lab', 'imaging']))
          : other.cc.approve(id),
    );
    expect(e.code).toBe(code);
    expect(e.sentence.length).toBeGreaterThan(10);
    expect(e.message).toContain(code);
    await doctor.cc.withdraw(id);
  });
});
