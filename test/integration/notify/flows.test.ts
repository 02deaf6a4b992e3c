/**
 * Notifications of the consent flows the first integration test leaves out, on 3 validators,
 * driven through the consent client: a denial (by the patient, by a guardian), a guardian's
 * approval, a request lapsing, a grant expiring within 24 h and an emergency request with its
 * co-signature. Each reaches exactly the actors docs/notify.md#events names, and nobody else:
 * every watched stream's whole transcript is checked at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsentClient } from '../../../client/consent.js';
import { encodeInt } from '../../../vm/abi.js';
import type { Role, Terms } from '../../../vm/consent/types.js';
import { createNetwork, type Network, sleep, waitFor } from '../../helpers/network.js';
import { type Actor, actorOf, consentOf, type Followed, follow, HOUR, hospitalAdmin } from './setup.js';

const terms = (end: number): Terms => ({
  actions: ['read'],
  scope: { kind: 'all' },
  purposes: ['TREAT'],
  start: Date.now() - HOUR,
  end,
  exceptions: [],
});

describe('notifications of denials, guardians, lapses, expiries and emergencies on 3 validators', () => {
  let net: Network;
  let admin: Actor;
  // The patient has a guardian; the other patient has none and is concerned by none of the flows.
  const who = {} as Record<'patient' | 'guardian' | 'other' | 'doctor' | 'doctor2', Actor>;
  const as = {} as Record<keyof typeof who, ConsentClient>;
  const streams = {} as Record<keyof typeof who, Followed>;
  // The group keys the doctors follow besides their own id (docs/notify.md#events).
  const groups = {} as Record<'org' | 'role', Followed>;
  const names = ['patient', 'guardian', 'other', 'doctor', 'doctor2'] as const;

  /** What each watched actor's stream yielded about `key` (a request, grant or emergency id). */
  const about = (field: 'requestId' | 'grantId' | 'emergencyId', id: number) =>
    Object.fromEntries(
      names.map((n) => [n, streams[n].events.filter((e) => e[field] === id).map((e) => `${e.type}/${e.as}`)]),
    );
  const until = (
    name: keyof typeof who,
    type: string,
    field: 'requestId' | 'grantId' | 'emergencyId',
    id: number,
  ) =>
    waitFor(() => streams[name].events.some((e) => e.type === type && e[field] === id), `${type} to ${name}`);

  /** A harmless kv tx: blocks are cut only when txs arrive, and lapses and expiries need block time. */
  let kvNonce = 0;
  async function cutBlock(): Promise<void> {
    kvNonce += 1;
    const tx = await admin.account.call(net.node(0).client, 'kv', 'put', [encodeInt(kvNonce), encodeInt(1)], {
      timeoutMs: 30_000,
    });
    expect(tx.receipt?.status).toBe('ok');
  }

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
    admin = await hospitalAdmin(net);
    const adminC = consentOf(net, admin);
    const licence = Date.now() + 365 * 24 * HOUR;
    const roles: Record<keyof typeof who, Role> = {
      patient: 'patient',
      guardian: 'guardian',
      other: 'patient',
      doctor: 'doctor',
      doctor2: 'doctor',
    };
    for (const n of names) {
      who[n] = actorOf(net);
      // Spread the actors over the nodes: each sends its txs to its own.
      as[n] = consentOf(net, who[n], names.indexOf(n) % 3);
      await adminC.register({
        publicKey: who[n].key,
        role: roles[n],
        licenceExpiry: roles[n] === 'doctor' ? licence : 0,
      });
    }
    await adminC.linkGuardian(who.guardian.id, who.patient.id);
    // Every stream on one node: a block's events reach its listeners together.
    for (const n of names) streams[n] = follow(net.node(1).client, who[n].id);
    const org = (await adminC.actor(admin.id))?.org ?? '';
    groups.org = follow(net.node(1).client, `org:${org}`);
    groups.role = follow(net.node(1).client, 'role:doctor');
  }, 120_000);

  afterAll(async () => {
    for (const g of Object.values(groups)) g.stop();
    for (const n of names) streams[n]?.stop();
    await net?.cleanup();
  }, 60_000);

  it('a denial reaches the requester only', async () => {
    const id = await as.doctor.request(who.patient.id, terms(Date.now() + 48 * HOUR), 'referral');
    await as.patient.deny(id, 'not-needed');
    await until('doctor', 'request.denied', 'requestId', id);
    expect(streams.doctor.events.find((e) => e.type === 'request.denied')).toMatchObject({
      requestId: id,
      reason: 'not-needed',
      by: who.patient.id,
      patient: who.patient.id,
    });
    await until('guardian', 'request.received', 'requestId', id);
    expect(about('requestId', id)).toEqual({
      patient: ['request.received/patient'],
      guardian: ['request.received/guardian'],
      other: [],
      doctor: ['request.denied/requester'],
      doctor2: [],
    });
  }, 60_000);

  it("a guardian's approval reaches the requester, and the grant the patient, the guardian and the grantee", async () => {
    const id = await as.doctor.request(who.patient.id, terms(Date.now() + 48 * HOUR), 'referral');
    const grantId = await as.guardian.approve(id);
    await until('doctor', 'grant.given', 'grantId', grantId);
    await until('patient', 'grant.given', 'grantId', grantId);
    await until('guardian', 'grant.given', 'grantId', grantId);
    const approved = streams.doctor.events.find((e) => e.type === 'request.approved' && e.requestId === id);
    expect(approved).toMatchObject({ grantId, by: who.guardian.id, as: 'requester' });
    expect(about('requestId', id)).toEqual({
      patient: ['request.received/patient'],
      guardian: ['request.received/guardian'],
      other: [],
      doctor: ['request.approved/requester'],
      doctor2: [],
    });
    expect(about('grantId', grantId)).toEqual({
      patient: ['grant.given/patient'],
      guardian: ['grant.given/guardian'],
      other: [],
      doctor: ['request.approved/requester', 'grant.given/grantee'],
      doctor2: [],
    });
  }, 60_000);

  it("a guardian's denial reaches the requester only, not the patient (docs/notify.md#limits-of-this-version)", async () => {
    const id = await as.doctor.request(who.patient.id, terms(Date.now() + 48 * HOUR), 'referral');
    await as.guardian.deny(id, 'not-needed');
    await until('doctor', 'request.denied', 'requestId', id);
    await until('guardian', 'request.received', 'requestId', id);
    expect(
      streams.doctor.events.find((e) => e.type === 'request.denied' && e.requestId === id),
    ).toMatchObject({
      by: who.guardian.id,
    });
    expect(about('requestId', id)).toEqual({
      patient: ['request.received/patient'],
      guardian: ['request.received/guardian'],
      other: [],
      doctor: ['request.denied/requester'],
      doctor2: [],
    });
  }, 60_000);

  it('a request lapsing reaches the patient, the guardian and the requester', async () => {
    // Short, but long enough for the request itself to be committed before it (invalid_expiry).
    const expiresAt = Date.now() + 4_000;
    const id = await as.doctor.request(who.patient.id, terms(Date.now() + 48 * HOUR), 'referral', expiresAt);
    await until('patient', 'request.received', 'requestId', id);
    // Block time must pass expiresAt: wait for the clock, then have a block cut.
    await sleep(Math.max(0, expiresAt - Date.now()) + 500);
    await cutBlock();
    await until('doctor', 'request.lapsed', 'requestId', id);
    await until('patient', 'request.lapsed', 'requestId', id);
    await until('guardian', 'request.lapsed', 'requestId', id);
    expect(streams.doctor.events.find((e) => e.type === 'request.lapsed')).toMatchObject({
      expiresAt,
      by: '',
    });
    expect(about('requestId', id)).toEqual({
      patient: ['request.received/patient', 'request.lapsed/patient'],
      guardian: ['request.received/guardian', 'request.lapsed/guardian'],
      other: [],
      doctor: ['request.lapsed/requester'],
      doctor2: [],
    });
  }, 60_000);

  it('a grant ending within 24 h is announced as expiring to the patient, the guardian and the grantee', async () => {
    const end = Date.now() + 2 * HOUR;
    // No block after it: the grant's own block is within 24 h of its end, so it says so.
    const grantId = await as.patient.grant({ kind: 'actor', id: who.doctor2.id }, terms(end));
    await until('doctor2', 'grant.expiring', 'grantId', grantId);
    await until('patient', 'grant.expiring', 'grantId', grantId);
    await until('guardian', 'grant.expiring', 'grantId', grantId);
    const given = streams.doctor2.events.find((e) => e.type === 'grant.given');
    expect(streams.doctor2.events.find((e) => e.type === 'grant.expiring')).toMatchObject({
      expiresAt: end,
      patient: who.patient.id,
      height: given?.height,
    });
    expect(about('grantId', grantId)).toEqual({
      patient: ['grant.given/patient', 'grant.expiring/patient'],
      guardian: ['grant.given/guardian', 'grant.expiring/guardian'],
      other: [],
      doctor: [],
      doctor2: ['grant.given/grantee', 'grant.expiring/grantee'],
    });
  }, 60_000);

  it('an emergency request and its co-signature reach the patient and the guardian, as emergencies', async () => {
    const id = await as.doctor.emergencyRequest(who.patient.id, 'unconscious', HOUR);
    await as.doctor2.emergencyCosign(id);
    await until('patient', 'emergency.cosigned', 'emergencyId', id);
    await until('guardian', 'emergency.cosigned', 'emergencyId', id);
    expect(streams.patient.events.find((e) => e.type === 'emergency.cosigned')).toMatchObject({
      by: who.doctor2.id,
      requester: who.doctor.id,
    });
    expect(about('emergencyId', id)).toEqual({
      patient: ['emergency.requested/patient', 'emergency.cosigned/patient'],
      guardian: ['emergency.requested/guardian', 'emergency.cosigned/guardian'],
      other: [],
      doctor: [],
      doctor2: [],
    });
    // The doctors' organisation hears both: its members may co-sign, the requester sees its own.
    await waitFor(() => groups.org.events.some((e) => e.type === 'emergency.cosigned'), 'cosigned to org');
    expect(groups.org.events.filter((e) => e.emergencyId === id).map((e) => `${e.type}/${e.as}`)).toEqual([
      'emergency.requested/organisation',
      'emergency.cosigned/organisation',
    ]);
  }, 60_000);

  it('tells nobody else: each stream holds exactly its own events, and the other patient none', async () => {
    // A last flow concerning the other patient, indexed after every earlier one: once its events
    // are on the streams, anything stray from before would be too.
    const grantId = await as.other.grant({ kind: 'actor', id: who.doctor.id }, terms(Date.now() + 48 * HOUR));
    await until('other', 'grant.given', 'grantId', grantId);
    await until('doctor', 'grant.given', 'grantId', grantId);
    for (const n of names) expect(streams[n].events.every((e) => e.actor === who[n].id)).toBe(true);
    expect(streams.other.events.map((e) => `${e.type}/${e.grantId}`)).toEqual([`grant.given/${grantId}`]);
    const total = Object.values(streams).reduce((s, f) => s + f.events.length, 0);
    // Every event seen above, and no other: 3 + 6 + 3 + 5 + 6 + 4 + 2 (this last grant).
    expect(total).toBe(29);
  }, 60_000);

  it("a grant to the organisation or the role reaches its group key, not each member's own stream", async () => {
    const org = (await as.doctor.actor(who.doctor.id))?.org ?? '';
    const toOrg = await as.patient.grant({ kind: 'org', id: org }, terms(Date.now() + 48 * HOUR));
    const toRole = await as.patient.grant({ kind: 'role', id: 'doctor' }, terms(Date.now() + 48 * HOUR));
    await waitFor(() => groups.role.events.some((e) => e.grantId === toRole), 'role grant');
    await waitFor(() => groups.org.events.some((e) => e.grantId === toOrg), 'org grant');
    expect(groups.org.events.find((e) => e.grantId === toOrg)).toMatchObject({
      type: 'grant.given',
      actor: `org:${org}`,
      as: 'grantee',
      grantee: `org:${org}`,
    });
    expect(groups.role.events.filter((e) => e.type === 'grant.given').map((e) => e.grantId)).toEqual([
      toRole,
    ]);
    expect(streams.doctor.events.some((e) => e.grantId === toOrg || e.grantId === toRole)).toBe(false);
  }, 60_000);
});
