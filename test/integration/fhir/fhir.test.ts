/**
 * The FHIR views and the consent decision service on a real node (one validator over loopback):
 * grants, a revocation and an access request made by signed transactions read back as valid R4
 * Consents, paged with next links; the trail as AuditEvents; refusals as OperationOutcomes; and
 * the decision service agrees with canAccess on a grid of cases, and every consult it answers is
 * recorded on the patient's trail (recordConsults) and served as an AuditEvent. Prints decisions
 * per second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { verifyReceipt } from '../../../client/receipt.js';
import { decisionOf } from '../../../node/fhir/cds.js';
import { fromHex } from '../../../protocol/chain/encoding.js';
import { decodeInt, encodeInt, unpackFields } from '../../../vm/abi.js';
import { decodeDecision, encodeCanAccess, encodeOp } from '../../../vm/consent/abi.js';
import type { Action, Purpose } from '../../../vm/consent/types.js';
import { createNetwork, type Network, waitFor } from '../../helpers/network.js';
import { expectValidFhir } from '../../unit/fhir/validate.js';
import { type Actor, HOUR, RecordsWorld } from '../records/world.js';

type Json = Record<string, unknown> & { resourceType?: string };

describe('FHIR views and the consent decision service on a real node', () => {
  let net: Network;
  let world: RecordsWorld;
  let patient: Actor;
  let drA: Actor;
  let drB: Actor;
  let base: string;
  const grants: number[] = [];

  async function get(path: string): Promise<{ status: number; type: string; body: Json }> {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as Json };
  }

  async function consult(context: Record<string, unknown>): Promise<{ status: number; body: Json }> {
    const r = await fetch(`${base}/cds-services/patient-consent-consult`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hook: 'patient-consent-consult', hookInstance: 'h1', context }),
    });
    return { status: r.status, body: (await r.json()) as Json };
  }

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    await net.waitLeader();
    base = net.node(0).url;
    world = await new RecordsWorld(net).init();
    patient = await world.register('patient');
    drA = await world.register('doctor');
    drB = await world.register('doctor');
    const pat = new Account(patient.seed, net.chainId);
    const now = Date.now();
    const terms = { start: now - HOUR, end: now + 24 * HOUR, exceptions: [] as never[] };
    grants.push(
      await world.run(pat, {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'actor', id: drA.id },
        actions: ['read', 'write'],
        scope: { kind: 'categories', categories: ['lab', 'imaging'] },
        purposes: ['TREAT'],
        ...terms,
        exceptions: [{ kind: 'category', category: 'mental-health' }],
      }),
    );
    grants.push(
      await world.run(pat, {
        op: 'grant',
        patient: patient.id,
        grantee: { kind: 'org', id: 'hospital-1' },
        actions: ['read'],
        scope: { kind: 'all' },
        purposes: ['TREAT'],
        ...terms,
      }),
    );
    await world.run(pat, { op: 'revoke', grantId: grants[1]! });
    await world.run(new Account(drB.seed, net.chainId), {
      op: 'requestAccess',
      patient: patient.id,
      actions: ['read'],
      scope: { kind: 'categories', categories: ['imaging'] },
      purposes: ['TREAT'],
      ...terms,
      reason: 'referral',
      expiresAt: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await net?.cleanup();
  }, 60_000);

  it('serves the CapabilityStatement as application/fhir+json', async () => {
    const r = await get('/fhir/metadata');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/fhir+json');
    expectValidFhir(r.body);
  });

  it("lists the patient's grants and requests, page by page through next links", async () => {
    const seen: Json[] = [];
    let url: string | undefined = `/fhir/Consent?patient=${patient.id}&_count=1`;
    while (url !== undefined) {
      const r = await get(url);
      expect(r.status).toBe(200);
      expectValidFhir(r.body);
      expect(r.body.total).toBe(3);
      seen.push(...((r.body.entry as { resource: Json }[]) ?? []).map((e) => e.resource));
      const next = (r.body.link as { relation: string; url: string }[]).find((l) => l.relation === 'next');
      url = next === undefined ? undefined : next.url.slice(base.length);
    }
    expect(seen.map((c) => [c.id, c.status])).toEqual([
      [`grant-${grants[0]}`, 'active'],
      [`grant-${grants[1]}`, 'inactive'],
      [expect.stringMatching(/^request-\d+$/), 'proposed'],
    ]);
  });

  it('reads one Consent by id', async () => {
    const r = await get(`/fhir/Consent/grant-${grants[0]}`);
    expect(r.status).toBe(200);
    expectValidFhir(r.body);
    expect((r.body.provision as { provision: unknown[] }).provision).toHaveLength(1);
  });

  it.each([
    ['an unknown id', '/fhir/Consent/grant-999999', 404, 'not-found'],
    ['an id that is not ours', '/fhir/Consent/abc', 404, 'not-found'],
    ['an unsupported parameter', '/fhir/Consent?patient=PAT&_sort=date', 400, 'not-supported'],
    ['a search without patient', '/fhir/AuditEvent?date=ge2024-01-01', 400, 'required'],
  ])('answers %s with an OperationOutcome', async (_name, path, status, code) => {
    const r = await get(path.replace('PAT', patient.id));
    expect(r.status).toBe(status);
    expect(r.type).toContain('application/fhir+json');
    expect(r.body.resourceType).toBe('OperationOutcome');
    expect((r.body.issue as { code: string }[])[0]?.code).toBe(code);
    expectValidFhir(r.body);
  });

  it('serves the audit trail as AuditEvents, filtered by date', async () => {
    const all = await get(`/fhir/AuditEvent?patient=${patient.id}&_count=100`);
    expectValidFhir(all.body);
    const ops = (all.body.entry as { resource: { subtype: { code: string }[] } }[]).map(
      (e) => e.resource.subtype[1]?.code,
    );
    expect(ops).toEqual(['registerActor', 'grant', 'grant', 'revoke', 'requestAccess']);
    const future = await get(
      `/fhir/AuditEvent?patient=${patient.id}&date=ge${new Date(Date.now() + HOUR).toISOString()}`,
    );
    expect(future.body.total).toBe(0);
  });

  it('lists the decision service in CDS Hooks discovery', async () => {
    const r = await get('/cds-services');
    expect((r.body.services as { id: string }[]).map((s) => s.id)).toEqual(['patient-consent-consult']);
  });

  it('refuses a consult it cannot decide, naming the field', async () => {
    const r = await consult({
      patientId: patient.id,
      actor: drA.id,
      purposeOfUse: ['TREAT', 'HPAYMT'],
      class: [{ code: 'lab' }],
    });
    expect(r.status).toBe(400);
    expect((r.body.error as { message: string }).message).toContain('context.purposeOfUse');
  });

  it('decides as canAccess does, on a grid of actors, purposes, categories and actions', async () => {
    const actors = [drA, drB, patient];
    const purposes: Purpose[] = ['TREAT', 'HPAYMT', 'ETREAT'];
    const categories = ['lab', 'imaging', 'mental-health', 'notes'];
    const actions: Action[] = ['read', 'write'];
    let n = 0;
    for (const a of actors)
      for (const purpose of purposes)
        for (const category of categories)
          for (const action of actions) {
            const q = encodeCanAccess(
              a.id,
              patient.id,
              { kind: 'category', category },
              action,
              purpose,
              Date.now(),
            );
            const want = decodeDecision(
              fromHex((await net.node(0).client.query('consent', q.method, q.args)).returnData),
            );
            const r = await consult({
              patientId: [{ system: 'urn:ehrchain:actor', value: patient.id }],
              actor: [{ system: 'urn:ehrchain:actor', value: a.id }],
              purposeOfUse: [purpose],
              scope: 'patient-privacy',
              class: [{ system: 'urn:ehrchain:category', code: category }],
              action,
            });
            const card = (
              r.body.cards as { summary: string; extension: { decision: string; reason: string } }[]
            )[0]!;
            expect(
              [card.extension.decision, card.extension.reason],
              `${action} ${category} ${purpose}`,
            ).toEqual([decisionOf(want), want.reason]);
            n++;
          }
    expect(n).toBe(72);
  }, 60_000);

  it("records an answered consult on that patient's trail and serves it in /fhir/AuditEvent", async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const r = await consult({
      patientId: patient.id,
      actor: drB.id,
      purposeOfUse: ['HRESCH'], // a purpose the grid above never asks about
      class: [{ code: 'notes' }],
      action: 'write',
    });
    expect(r.status).toBe(200);
    const reason = (r.body.cards as { extension: { reason: string } }[])[0]!.extension.reason;
    const mine = (e: {
      resource: Json & { outcomeDesc?: string; agent: { who: { identifier: { value: string } } }[] };
    }) =>
      e.resource.outcomeDesc === `write:${reason}` && e.resource.agent[0]?.who.identifier.value === drB.id;
    let found: Json | undefined;
    await waitFor(
      async () => {
        const b = (await get(`/fhir/AuditEvent?patient=${patient.id}&date=ge${since}&_count=100`)).body;
        found = (b.entry as Parameters<typeof mine>[0][] | undefined)?.find(mine)?.resource;
        return found !== undefined;
      },
      'the consult in /fhir/AuditEvent',
      30_000,
    );
    expectValidFhir(found!);
    expect(found).toMatchObject({ action: 'E', subtype: [{ code: 'operation' }, { code: 'consult' }] });
    // On the chain: the patient's trail holds it as a consult (not a read) recorded via the node.
    const q = async (m: string, args: Uint8Array[]) =>
      fromHex((await net.node(0).client.query('consent', m, args)).returnData);
    const n = decodeInt(await q('trailLength', [fromHex(patient.id)]));
    const entries = await Promise.all(
      Array.from({ length: n }, async (_, i) =>
        unpackFields(await q('trailEntry', [fromHex(patient.id), encodeInt(i)])),
      ),
    );
    const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
    const onTrail = entries.filter(
      (f) => text(f[0]) === 'consult' && decodeInt(f[5]!) === 4 && text(f[6]) === `write:${reason}`,
    );
    expect(onTrail).toHaveLength(1);
    expect(text(onTrail[0]![4])).toBe('notes');
    expect(entries.some((f) => text(f[0]) === 'read')).toBe(false);
  }, 60_000);

  it('measures decisions per second on one node (a bounded loop, printed, not asserted)', async () => {
    const N = 400;
    const body = JSON.stringify({
      hook: 'patient-consent-consult',
      context: { patientId: patient.id, actor: drA.id, purposeOfUse: ['TREAT'], class: [{ code: 'lab' }] },
    });
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const s = performance.now();
      const r = await fetch(`${base}/cds-services/patient-consent-consult`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await r.arrayBuffer();
      times.push(performance.now() - s);
    }
    const total = performance.now() - t0;
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(N - 1, Math.floor(q * N))]!.toFixed(2);
    console.log(
      `consent decisions: ${N} sequential, ${((N / total) * 1000).toFixed(0)}/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
    );
    expect(times).toHaveLength(N);
  }, 60_000);

  it('gives a consent receipt for a grant that verifies against the genesis', async () => {
    const pat = new Account(patient.seed, net.chainId);
    const c = encodeOp({
      op: 'grant',
      patient: patient.id,
      grantee: { kind: 'actor', id: drB.id },
      actions: ['read'],
      scope: { kind: 'categories', categories: ['imaging'] },
      purposes: ['TREAT'],
      start: Date.now(),
      end: Date.now() + HOUR,
      exceptions: [],
    });
    const tx = await pat.call(net.node(0).client, 'consent', c.method, c.args, { timeoutMs: 30_000 });
    const r = await fetch(`${base}/v1/receipts/${tx.hash}`);
    expect(r.status).toBe(200);
    const { receipt } = (await r.json()) as { receipt: string };
    const genesis = JSON.parse(
      await (await import('node:fs/promises')).readFile(`${net.node(0).home}/genesis.json`, 'utf8'),
    );
    const t0 = performance.now();
    const v = verifyReceipt(receipt, genesis);
    const ms = performance.now() - t0;
    expect(v).toMatchObject({
      op: 'grant',
      patient: patient.id,
      controllers: [drB.id],
      purposes: ['TREAT'],
      categories: ['imaging'],
    });
    console.log(`consent receipt: ${receipt.length} bytes (compact JWS), verified in ${ms.toFixed(1)} ms`);
    const revoke = await fetch(`${base}/v1/receipts/${'0'.repeat(64)}`);
    expect(revoke.status).toBe(404);
  });
});
