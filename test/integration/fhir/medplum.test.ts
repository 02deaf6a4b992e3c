/**
 * A real FHIR client library reads ehrchain as it would any FHIR server: @medplum/core's
 * MedplumClient (no login) searches Consent by patient following the next links, reads one by id,
 * and reads the CapabilityStatement; what it gets equals the chain's grants and requests mapped by
 * node/fhir/consent.ts. And a Consent imported with consentToGrant + ConsentClient.grant reads
 * back through the same client with the provision it was imported from.
 */
import { MedplumClient } from '@medplum/core';
import type { CapabilityStatement, Consent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { ConsentClient } from '../../../client/consent.js';
import { consentToGrant } from '../../../client/fhir-consent.js';
import { grantToConsent, requestToConsent } from '../../../node/fhir/consent.js';
import { ConsentSource } from '../../../node/fhir/source.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createNetwork, type Network } from '../../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from '../records/world.js';
import { importableConsent } from './consents.js';

/** A thrown marker: the sync query needs an answer not fetched yet. */
class Missing {
  constructor(
    readonly method: string,
    readonly args: readonly Uint8Array[],
  ) {}
}

/**
 * Runs `read` (sync, over ConsentSource) against the node's contract queries: each query not yet
 * answered is fetched over HTTP and `read` is run again, until it needs nothing new.
 */
async function onChain<T>(net: Network, read: (s: ConsentSource) => T): Promise<T> {
  const answers = new Map<string, Uint8Array>();
  const key = (m: string, a: readonly Uint8Array[]) => `${m}/${a.map(toHex).join('/')}`;
  const source = new ConsentSource((m, a) => {
    const v = answers.get(key(m, a));
    if (v === undefined) throw new Missing(m, a);
    return v;
  });
  for (;;) {
    try {
      return read(source);
    } catch (err) {
      if (!(err instanceof Missing)) throw err;
      const r = await net.node(0).client.query('consent', err.method, err.args);
      answers.set(key(err.method, err.args), fromHex(r.returnData));
    }
  }
}

describe('MedplumClient reads the FHIR views of a real node', () => {
  let net: Network;
  let world: RecordsWorld;
  let patient: Actor;
  let medplum: MedplumClient;

  /** The patient's grants and requests as the chain holds them, mapped at `at`. */
  const expected = (at: number) =>
    onChain(net, (s) =>
      s.consentsOf(patient.id).map((item) => {
        if (item.kind === 'grant') {
          const g = s.grant(item.id);
          if (g === null) throw new Error(`grant ${item.id} missing`);
          return grantToConsent(g, at);
        }
        const r = s.request(item.id);
        if (r === null) throw new Error(`request ${item.id} missing`);
        return requestToConsent(r, at);
      }),
    );

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    await net.waitLeader();
    world = await new RecordsWorld(net).init();
    patient = await world.register('patient');
    const dr = await world.register('doctor');
    const pat = new Account(patient.seed, net.chainId);
    const now = Date.now();
    const terms = { start: now - HOUR, end: now + 24 * HOUR, purposes: ['TREAT'] as const };
    await world.run(pat, {
      op: 'grant',
      patient: patient.id,
      grantee: { kind: 'actor', id: dr.id },
      actions: ['read', 'write'],
      scope: { kind: 'categories', categories: ['lab', 'imaging'] },
      ...terms,
      purposes: ['TREAT'],
      exceptions: [{ kind: 'category', category: 'mental-health' }],
    });
    const g2 = await world.run(pat, {
      op: 'grant',
      patient: patient.id,
      grantee: { kind: 'org', id: 'hospital-1' },
      actions: ['read'],
      scope: { kind: 'all' },
      ...terms,
      purposes: ['TREAT'],
      exceptions: [],
    });
    await world.run(pat, { op: 'revoke', grantId: g2 });
    await world.run(new Account(dr.seed, net.chainId), {
      op: 'requestAccess',
      patient: patient.id,
      actions: ['read'],
      scope: { kind: 'categories', categories: ['imaging'] },
      ...terms,
      purposes: ['TREAT'],
      exceptions: [],
      reason: 'referral',
      expiresAt: 0,
    });
    // No login: no token is ever sent; cacheTime 0 so that every call reaches the node.
    medplum = new MedplumClient({
      baseUrl: `${net.node(0).url}/fhir/`,
      fhirUrlPath: '',
      fetch: (url: string, init?: RequestInit) => fetch(url, init),
      cacheTime: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it("searches the patient's Consents page by page, equal to the chain's grants and requests", async () => {
    const pages: Consent[][] = [];
    for await (const page of medplum.searchResourcePages('Consent', { patient: patient.id, _count: '2' }))
      pages.push([...page]);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat()).toEqual(await expected(Date.now()));
  });

  it('gives the search Bundle total as every match', async () => {
    const bundle = await medplum.search('Consent', { patient: patient.id, _count: '1' });
    expect(bundle.total).toBe(3);
    expect(bundle.entry).toHaveLength(1);
  });

  it('reads each Consent by id as the chain holds it', async () => {
    for (const c of await expected(Date.now()))
      expect(await medplum.readResource('Consent', c.id ?? '')).toEqual(c);
  });

  it('reads the CapabilityStatement, which names Consent search by patient', async () => {
    const cs = await medplum.get<CapabilityStatement>(medplum.fhirUrl('metadata'));
    expect(cs.resourceType).toBe('CapabilityStatement');
    expect(cs.fhirVersion).toBe('4.0.1');
    const consent = cs.rest?.[0]?.resource?.find((r) => r.type === 'Consent');
    expect(consent?.searchParam?.map((p) => p.name)).toContain('patient');
  });

  it('reads back an imported Consent with the provision it was imported from', async () => {
    const other = await world.register('doctor');
    const now = Date.now();
    const input = importableConsent(patient.id, other.id, now);
    const r = consentToGrant(input);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const cc = new ConsentClient(net.node(0).client, patient.seed, net.chainId);
    const id = await cc.grant(r.grant.grantee, r.grant.terms, r.grant.patient);
    const back = await medplum.readResource('Consent', `grant-${id}`);
    const { id: _id, identifier: _n, dateTime: _d, performer, ...rest } = back;
    expect(rest).toEqual(input);
    expect(performer).toEqual([{ identifier: { system: 'urn:ehrchain:actor', value: patient.id } }]);
    const again = consentToGrant(JSON.parse(JSON.stringify(back)));
    expect(again.ok && again.grant.terms).toEqual(r.grant.terms);
  });
});
