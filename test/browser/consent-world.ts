/**
 * A consent world built on a real network with signed transactions through the HTTP API, for the
 * explorer's consent views: governance adds an insurer organisation (a validator proposes, a
 * second approves); the admins of hospital-1 and hospital-2 and of the insurer register a patient,
 * three doctors and an insurer; the patient grants (an actor, an organisation with a deny
 * exception, an insurer) and revokes one; a doctor stores a FHIR record in two versions through
 * the records service and a second record the patient then erases; the patient shares a key; a
 * break-the-glass emergency is requested and co-signed; three reads are served by the records
 * service (TREAT, HPAYMT, emergency ETREAT) and recorded on chain by the serving nodes.
 *
 * `chainView` reads back what the chain holds (with the node's decoders, not the explorer's), for
 * the test to compare the pages with.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { Account, EhrClient } from '../../client/client.js';
import { readKeyFile } from '../../client/keyfile.js';
import { RecordsClient } from '../../client/records.js';
import { encodeAction } from '../../node/contracts/governance.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { publicKeyFromSeed } from '../../protocol/chain/keys.js';
import { decodeInt, encodeInt, unpackFields } from '../../vm/abi.js';
import { encodeOp } from '../../vm/consent/abi.js';
import type { ConsentOp } from '../../vm/consent/ops.js';
import type { TestNetwork } from './network.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const INSURER_ORG = 'insurer-1';

export interface Person {
  readonly seed: Uint8Array;
  readonly key: Uint8Array;
  /** Actor id, hex. */
  readonly id: string;
}

function person(seed: Uint8Array = new Uint8Array(randomBytes(32))): Person {
  const key = publicKeyFromSeed(seed);
  return { seed, key, id: toHex(sha256(key)) };
}

const observation = (value: number) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
  subject: { reference: 'Patient/synthetic-explorer' },
  valueQuantity: { value, unit: 'g/dL' },
});

export interface ConsentWorld {
  readonly patient: Person;
  /** hospital-1: author of the records, holder of an actor grant. */
  readonly doctorA: Person;
  /** hospital-1: breaks the glass (no grant). */
  readonly doctorA2: Person;
  /** hospital-2: its grant is revoked. */
  readonly doctorB: Person;
  readonly insurer: Person;
  readonly grants: {
    readonly doctorA: number;
    readonly doctorB: number;
    readonly org: number;
    readonly insurer: number;
  };
  /** The record with two versions, and the erased one (hex ids). */
  readonly record: string;
  readonly erased: string;
  readonly emergency: number;
}

/** Polls `f` until it is true (every 100 ms) or throws after `ms`. */
export async function until(what: string, f: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function buildConsentWorld(net: TestNetwork): Promise<ConsentWorld> {
  const clients = net.urls.map((u) => new EhrClient(u));
  const client = (i: number): EhrClient => {
    const c = clients[i % clients.length];
    if (c === undefined) throw new Error('no node');
    return c;
  };
  const account = async (path: string) => new Account((await readKeyFile(path)).seed, net.chainId);
  const [admin1, admin2, validator1, validator2] = await Promise.all([
    account(join(net.dir, 'keys', 'admin-hospital-1.json')),
    account(join(net.dir, 'keys', 'admin-hospital-2.json')),
    account(join(net.dir, 'node1', 'keys', 'validator.json')),
    account(join(net.dir, 'node2', 'keys', 'validator.json')),
  ]);

  async function run(who: Account, op: ConsentOp, node = 0): Promise<number> {
    const c = encodeOp(op);
    const tx = await who.call(client(node), 'consent', c.method, c.args, { timeoutMs: 20_000 });
    if (tx.receipt?.status !== 'ok') throw new Error(`${op.op} reverted: ${tx.receipt?.error}`);
    const rd = tx.receipt.returnData;
    return rd.length === 16 ? decodeInt(fromHex(rd)) : 0;
  }
  async function governance(who: Account, method: 'propose' | 'approve', arg: Uint8Array): Promise<number> {
    const tx = await who.call(client(0), 'governance', method, [arg], { timeoutMs: 20_000 });
    if (tx.receipt?.status !== 'ok') throw new Error(`governance ${method}: ${tx.receipt?.error}`);
    return decodeInt(fromHex(tx.receipt.returnData));
  }
  const cert = () => toHex(new Uint8Array(randomBytes(32)));
  const register = (admin: Account, who: Person, role: 'patient' | 'doctor' | 'insurer', node = 0) =>
    run(
      admin,
      {
        op: 'registerActor',
        publicKey: toHex(who.key),
        role,
        certHash: cert(),
        licenceExpiry: role === 'patient' ? 0 : Date.now() + 365 * DAY,
      },
      node,
    );

  const patient = person();
  const doctorA = person();
  const doctorA2 = person();
  const doctorB = person();
  const insurer = person();
  const insurerAdmin = person();

  // Governance adds the insurer organisation while the hospitals' admins register their people.
  await Promise.all([
    (async () => {
      const id = await governance(
        validator1,
        'propose',
        encodeAction({
          kind: 'consentCall',
          method: 'addOrg',
          args: [new TextEncoder().encode(INSURER_ORG), encodeInt(2), insurerAdmin.key, fromHex(cert())],
        }),
      );
      await governance(validator2, 'approve', encodeInt(id));
      await register(new Account(insurerAdmin.seed, net.chainId), insurer, 'insurer', 2);
    })(),
    (async () => {
      await register(admin1, patient, 'patient');
      await register(admin1, doctorA, 'doctor');
      await register(admin1, doctorA2, 'doctor');
    })(),
    register(admin2, doctorB, 'doctor', 1),
  ]);

  const pat = new RecordsClient(client(0), patient.seed, net.chainId);
  const docA = new RecordsClient(client(0), doctorA.seed, net.chainId);
  const now = Date.now();
  const period = { start: now - HOUR, end: now + 30 * DAY };
  const grantA = await pat.grant({
    grantee: { kind: 'actor', id: doctorA.id },
    actions: ['read', 'write'],
    scope: { kind: 'categories', categories: ['lab'] },
    purposes: ['TREAT'],
    ...period,
    exceptions: [],
  });
  const grantB = await pat.grant({
    grantee: { kind: 'actor', id: doctorB.id },
    actions: ['read'],
    scope: { kind: 'categories', categories: ['lab', 'imaging'] },
    purposes: ['TREAT'],
    ...period,
    exceptions: [],
  });
  const grantOrg = await pat.grant({
    grantee: { kind: 'org', id: 'hospital-2' },
    actions: ['read'],
    scope: { kind: 'all' },
    purposes: ['TREAT'],
    ...period,
    exceptions: [{ kind: 'category', category: 'mental-health' }],
  });

  // Two versions of a lab record, and a record the patient erases.
  const v1 = await docA.put({ patientKey: patient.key, resource: observation(13.2), category: 'lab' });
  const recordId = fromHex(v1.recordId);
  await docA.put({ patientKey: patient.key, resource: observation(12.1), category: 'lab', recordId });
  const gone = await docA.put({ patientKey: patient.key, resource: observation(9.9), category: 'lab' });
  await pat.erase(fromHex(gone.recordId));

  // The insurer's grant comes after the anchors: the patient wraps the head's key for it.
  const grantIns = await pat.grant(
    {
      grantee: { kind: 'actor', id: insurer.id },
      actions: ['read'],
      scope: { kind: 'categories', categories: ['lab'] },
      purposes: ['HPAYMT'],
      ...period,
      exceptions: [],
    },
    { granteeKey: insurer.key, records: [recordId] },
  );
  await pat.revoke(grantB);

  // Break the glass: doctorA2 (no grant) asks, doctorA of the same hospital co-signs.
  const emergency = await run(new Account(doctorA2.seed, net.chainId), {
    op: 'requestEmergency',
    patient: patient.id,
    reason: 'unconscious',
    durationMs: HOUR,
  });
  await run(docA.account, { op: 'cosignEmergency', emergencyId: emergency });

  // Reads served by the records service through different nodes, each recorded on chain.
  await new RecordsClient(client(1), doctorA.seed, net.chainId).get(recordId);
  await new RecordsClient(client(2), insurer.seed, net.chainId).get(recordId, { purpose: 'HPAYMT' });
  await new RecordsClient(client(1), doctorA2.seed, net.chainId).fetchBlob(recordId, 1, {
    purpose: 'ETREAT',
  });
  await until('3 read receipts on the patient trail', async () => {
    const trail = await chainTrail(client(0), patient.id);
    return trail.filter((e) => e.op === 'read').length >= 3;
  });

  return {
    patient,
    doctorA,
    doctorA2,
    doctorB,
    insurer,
    grants: { doctorA: grantA, doctorB: grantB, org: grantOrg, insurer: grantIns },
    record: v1.recordId,
    erased: gone.recordId,
    emergency,
  };
}

async function query(c: EhrClient, method: string, args: Uint8Array[]): Promise<Uint8Array> {
  const r = await c.query('consent', method, args);
  if (r.status !== 'ok') throw new Error(`consent.${method}: ${r.error}`);
  return fromHex(r.returnData);
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const hex = (b: Uint8Array | undefined) => toHex(b ?? new Uint8Array());
const int = (b: Uint8Array | undefined) => decodeInt(b ?? new Uint8Array());

export interface ChainEntry {
  readonly op: string;
  readonly at: number;
  readonly by: string;
  readonly subject: Uint8Array;
  readonly detail: Uint8Array;
  readonly via: string;
}

/** A patient's audit trail as the chain holds it, oldest first. */
export async function chainTrail(c: EhrClient, patient: string): Promise<ChainEntry[]> {
  const id = fromHex(patient);
  const n = int(await query(c, 'trailLength', [id]));
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const [op, at, by, , subject, , detail, via] = unpackFields(
        await query(c, 'trailEntry', [id, encodeInt(i)]),
      );
      return {
        op: text(op),
        at: int(at),
        by: hex(by),
        subject: subject ?? new Uint8Array(),
        detail: detail ?? new Uint8Array(),
        via: hex(via),
      };
    }),
  );
}

/** A grant as stored: the fields the pages show. */
export async function chainGrant(c: EhrClient, id: number) {
  const f = unpackFields(await query(c, 'grantInfo', [encodeInt(id)]));
  const revoked = int(f[13]);
  return {
    grantor: hex(f[1]),
    kind: int(f[2]),
    grantee: f[3] ?? new Uint8Array(),
    start: int(f[8]),
    end: int(f[9]),
    granted: int(f[12]),
    revoked: revoked < 0 ? null : revoked,
  };
}

/** A version as stored: pack(patient, cid, category, author, anchoredAt, erasedAt) and its readers. */
export async function chainVersion(c: EhrClient, record: string, version: number) {
  const args = [fromHex(record), encodeInt(version)];
  const [, cid, category, author, at, erased] = unpackFields(await query(c, 'versionInfo', args));
  const readers = await query(c, 'readersOf', args);
  return {
    cid: text(cid),
    category: text(category),
    author: hex(author),
    at: int(at),
    erased: int(erased),
    readers: readers.length === 0 ? 0 : unpackFields(readers).length,
  };
}

/** An actor as stored: certificate hash, licence expiry, registration time. */
export async function chainActor(c: EhrClient, id: string) {
  const [, , cert, licence, , registered] = unpackFields(await query(c, 'actorInfo', [fromHex(id)]));
  return { cert: hex(cert), licence: int(licence), registered: int(registered) };
}
