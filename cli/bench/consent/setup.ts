/**
 * consent-mix setup, before the clock and not measured: through real txs, each hospital's genesis
 * admin registers its extra admins, doctors and patients; then each patient grants its doctors
 * read+write (TREAT, all categories; anchors need write access) and creates one grant to its own
 * hospital per revoke it will send in the run (the plan says how many), whose ids come back in the
 * receipts; with approvals in the mix, doctors make one request per approval a patient will send,
 * whose ids come back the same way. The result is what the load workers sign their txs with.
 */
import { createHash } from 'node:crypto';
import { readKeyFile } from '../../../client/keyfile.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { decodeInt } from '../../../vm/abi.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import { actorIdOf } from '../../../vm/consent/common.js';
import type { ConsentOp } from '../../../vm/consent/ops.js';
import {
  newSetupStats,
  runSetup,
  type SetupBatch,
  type SetupCall,
  type SetupStats,
} from '../load/setup-txs.js';
import {
  actorSeed,
  adminCount,
  approvedRequesterOf,
  type ConsentMix,
  type ConsentShape,
  OP_APPROVE,
  opsPerActor,
  patientOfDoctor,
  revokesPerPatient,
} from './plan.js';
import { adminSeedOf, benchRequest, type ConsentInit, HOUR, treatingGrant } from './pregen.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const call = (op: ConsentOp): SetupCall => encodeOp(op);
const cert = (s: string) => hex(createHash('sha256').update(s).digest());

/** Reads the genesis admins' key files (hex seeds, one per hospital, in hospital order). */
export async function readAdminSeeds(files: readonly string[]): Promise<string[]> {
  return Promise.all(files.map(async (f) => hex((await readKeyFile(f)).seed)));
}

/** The next nonce of a sender as a node sees it. */
async function nonceOf(url: string, publicKey: Uint8Array): Promise<number> {
  const r = await fetch(`${url}/v1/accounts/${hex(publicKey)}`);
  if (!r.ok) throw new Error(`${url}/v1/accounts: HTTP ${r.status}`);
  return ((await r.json()) as { nonce: number }).nonce;
}

/** What the setup did. */
export interface ConsentSetup {
  readonly init: ConsentInit;
  readonly stats: SetupStats;
  readonly actors: { readonly admins: number; readonly doctors: number; readonly patients: number };
  readonly revocable_grants: number;
  readonly approvable_requests: number;
}

/** Builds the consent world for a run; `txsPerWorker` and `workers` are the load's. */
export async function consentSetup(
  urls: readonly string[],
  chainId: string,
  adminSeeds: readonly string[],
  shape: ConsentShape,
  mix: ConsentMix,
  workers: number,
  txsPerWorker: number,
  seed: string,
): Promise<ConsentSetup> {
  const s = shape;
  if (adminSeeds.length < s.hospitals)
    throw new Error(`consent-mix needs ${s.hospitals} hospital admin keys, got ${adminSeeds.length}`);
  const now = Date.now();
  const stats = newSetupStats();
  const base = { seed, shape: s, genesisAdminSeeds: adminSeeds };
  const per = 1 + s.extraAdmins;
  const adminNonces: number[] = [];
  for (let a = 0; a < adminCount(s); a++) adminNonces.push(0);
  // 1. Each genesis admin registers its hospital's extra admins, doctors and patients.
  const regs: SetupBatch[] = [];
  for (let h = 0; h < s.hospitals; h++) {
    const signer = createSigner(adminSeedOf(base, h * per));
    const nonce = await nonceOf(urls[h % urls.length] ?? '', signer.publicKey);
    const calls: SetupCall[] = [];
    const reg = (cls: 'admin' | 'doctor' | 'patient', i: number) => {
      const key = hex(createSigner(actorSeed(seed, cls, i)).publicKey);
      const role = cls;
      calls.push(
        call({
          op: 'registerActor',
          publicKey: key,
          role,
          certHash: cert(key),
          licenceExpiry: role === 'doctor' ? now + 365 * 24 * HOUR : 0,
        }),
      );
    };
    for (let x = 1; x <= s.extraAdmins; x++) reg('admin', h * per + x);
    for (let d = 0; d < s.doctors; d++) reg('doctor', h * s.doctors + d);
    for (let p = 0; p < s.patients; p++) reg('patient', h * s.patients + p);
    regs.push({ signer, nonce, calls });
    adminNonces[h * per] = nonce + calls.length;
  }
  await runSetup(urls, chainId, regs, stats);
  // 2. Patients: write grants to their doctors, then the grants their revokes will target.
  const revokes = revokesPerPatient(s, mix, workers, txsPerWorker);
  const nPatients = s.hospitals * s.patients;
  const doctorsOf = new Map<number, number[]>();
  for (let d = 0; d < s.hospitals * s.doctors; d++) {
    const p = patientOfDoctor(s, d);
    doctorsOf.set(p, [...(doctorsOf.get(p) ?? []), d]);
  }
  const grants: SetupBatch[] = [];
  const writeGrants: number[] = [];
  for (let p = 0; p < nPatients; p++) {
    const signer = createSigner(actorSeed(seed, 'patient', p));
    const id = actorIdOf(hex(signer.publicKey));
    const calls: SetupCall[] = [];
    for (const d of doctorsOf.get(p) ?? []) {
      const doctorId = actorIdOf(hex(createSigner(actorSeed(seed, 'doctor', d)).publicKey));
      calls.push(call(treatingGrant(id, doctorId, now)));
    }
    writeGrants.push(calls.length);
    const hospital = `hospital-${Math.floor(p / s.patients) + 1}`;
    for (let r = 0; r < (revokes.get(p) ?? 0); r++) {
      calls.push(
        call({
          op: 'grant',
          patient: id,
          grantee: { kind: 'org', id: hospital },
          actions: ['read'],
          scope: { kind: 'categories', categories: ['imaging'] },
          purposes: ['TREAT'],
          start: now - HOUR,
          end: now + 24 * HOUR,
          exceptions: [],
        }),
      );
    }
    grants.push({ signer, nonce: 0, calls });
  }
  // 3. Doctors: one request to each patient per approval the patient will send in the run.
  const approves = opsPerActor(s, mix, workers, txsPerWorker, OP_APPROVE);
  const nDoctors = s.hospitals * s.doctors;
  const asked: { patient: number; j: number }[][] = Array.from({ length: nDoctors }, () => []);
  const requestCalls: SetupCall[][] = Array.from({ length: nDoctors }, () => []);
  for (let p = 0; p < nPatients; p++) {
    const id = actorIdOf(hex(createSigner(actorSeed(seed, 'patient', p)).publicKey));
    for (let j = 0; j < (approves.get(p) ?? 0); j++) {
      const d = approvedRequesterOf(s, p, j);
      asked[d]?.push({ patient: p, j });
      requestCalls[d]?.push(call(benchRequest(id, now)));
    }
  }
  for (let d = 0; d < nDoctors; d++)
    grants.push({
      signer: createSigner(actorSeed(seed, 'doctor', d)),
      nonce: 0,
      calls: requestCalls[d] ?? [],
    });
  const receipts = await runSetup(urls, chainId, grants, stats);
  const doctorNonces: number[] = [];
  const approvable: Record<string, number[]> = {};
  let approvableRequests = 0;
  for (let d = 0; d < nDoctors; d++) {
    const rs = receipts[nPatients + d] ?? [];
    doctorNonces.push(rs.length);
    for (const [i, r] of rs.entries()) {
      const a = asked[d]?.[i];
      if (a === undefined || r.status !== 'ok') continue;
      const list = approvable[String(a.patient)] ?? [];
      list[a.j] = decodeInt(Buffer.from(r.returnData, 'hex'));
      approvable[String(a.patient)] = list;
      approvableRequests++;
    }
  }
  const revocable: Record<string, number[]> = {};
  const patientNonces: number[] = [];
  let revocableGrants = 0;
  for (let p = 0; p < nPatients; p++) {
    const rs = receipts[p] ?? [];
    patientNonces.push(rs.length);
    const ids = rs
      .slice(writeGrants[p] ?? 0)
      .filter((r) => r.status === 'ok')
      .map((r) => decodeInt(Buffer.from(r.returnData, 'hex')));
    revocable[String(p)] = ids;
    revocableGrants += ids.length;
  }
  if (stats.reverted > 0)
    throw new Error(
      `consent-mix setup: ${stats.reverted} setup txs reverted (${JSON.stringify(stats.errors)})`,
    );
  return {
    init: { ...base, mix, adminNonces, patientNonces, revocable, doctorNonces, approvable, now },
    stats,
    actors: { admins: adminCount(s), doctors: s.hospitals * s.doctors, patients: nPatients },
    revocable_grants: revocableGrants,
    approvable_requests: approvableRequests,
  };
}
