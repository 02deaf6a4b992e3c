/**
 * The honest-broker research export on a real node (one validator over loopback): five synthetic
 * patients consent to research by hospital-1's custodian, one of them revokes before the export,
 * one never consents; a researcher asks; the custodian runs `research export` (cli/research).
 * The disclosures are on each released patient's trail and on no one else's, the revoked and
 * the non-consenting patients are not in the file, and the export record names the file's hash.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExportConfig } from '../../../cli/research/config.js';
import { type ExportSummary, runResearchExport } from '../../../cli/research/export.js';
import { Account } from '../../../client/client.js';
import { ConsentClient } from '../../../client/consent.js';
import { generateKeyPair, writeKeyFile } from '../../../client/keyfile.js';
import { encodeAction } from '../../../node/contracts/governance.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSyntheticPatient } from '../../../research/synthetic.js';
import { unpackFields } from '../../../vm/abi.js';
import { encodeOp } from '../../../vm/consent/abi.js';
import { createNetwork, type Network } from '../../helpers/network.js';
import { type Actor, HOUR, RecordsWorld } from '../records/world.js';

const DAY = 24 * HOUR;

describe('research export through the custodian on a real node', () => {
  let net: Network;
  let world: RecordsWorld;
  let dir: string;
  let patients: Actor[];
  let researcherId: string;
  let summary: ExportSummary;
  let csv: string;
  let exportOutOfScope: () => Promise<ExportSummary>;
  const trail = (id: string) =>
    new ConsentClient(net.node(0).client, new Uint8Array(32), net.chainId).trail(id);

  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    await net.waitLeader();
    world = await new RecordsWorld(net).init();
    dir = await mkdtemp(join(tmpdir(), 'ehr-research-'));
    // Governance (the one validator) adds a research institute; its admin registers a researcher.
    const researchAdmin = generateKeyPair();
    const addOrg = encodeOp({
      op: 'addOrg',
      org: 'research-1',
      kind: 'research',
      adminKey: toHex(researchAdmin.publicKey),
      adminCertHash: toHex(sha256(researchAdmin.publicKey)),
    });
    const validator = (await import('../../../client/keyfile.js')).readKeyFile(
      join(net.dir, 'node1', 'keys', 'validator.json'),
    );
    const gov = new Account((await validator).seed, net.chainId);
    const p = await gov.call(
      net.node(0).client,
      'governance',
      'propose',
      [encodeAction({ kind: 'consentCall', method: addOrg.method, args: addOrg.args })],
      { timeoutMs: 30_000 },
    );
    expect(p.receipt?.status).toBe('ok');
    const researcher = generateKeyPair();
    const resAdmin = new Account(researchAdmin.seed, net.chainId);
    const register = (key: Uint8Array, role: 'researcher' | 'custodian', by = world.admin) =>
      world.run(by, {
        op: 'registerActor',
        publicKey: toHex(key),
        role,
        certHash: toHex(sha256(key)),
        licenceExpiry: role === 'researcher' ? Date.now() + 365 * DAY : 0,
      });
    await register(researcher.publicKey, 'researcher', resAdmin);
    researcherId = bytesToHex(sha256(researcher.publicKey));
    const custodian = generateKeyPair();
    await writeKeyFile(join(dir, 'custodian.json'), custodian);
    await register(custodian.publicKey, 'custodian');
    const custodianId = bytesToHex(sha256(custodian.publicKey));

    // Six patients; a doctor writes each one's synthetic record, the custodian a reader of it.
    const doctor = await world.register('doctor');
    patients = [];
    for (let i = 0; i < 6; i++) patients.push(await world.register('patient'));
    const now = Date.now();
    const dr = world.client(doctor, 0);
    // Each patient signs their own grants, so patients go in parallel; the doctor writes in turn.
    const grant = (
      i: number,
      grantee: string,
      purposes: ['TREAT'] | ['HRESCH'],
      actions: ('read' | 'write')[],
    ) =>
      world.run(new Account(patients[i]!.seed, net.chainId), {
        op: 'grant',
        patient: patients[i]!.id,
        grantee: { kind: 'actor', id: grantee },
        actions,
        scope: { kind: 'all' },
        purposes,
        start: now - HOUR,
        end: now + 30 * DAY,
        exceptions: [],
      });
    await Promise.all(patients.map((_, i) => grant(i, doctor.id, ['TREAT'], ['read', 'write'])));
    for (const [i, pat] of patients.entries()) {
      const rec = createSyntheticPatient(7, i, '2026-06-30');
      await dr.put({
        patientKey: pat.key,
        category: 'lab',
        readerKeys: [custodian.publicKey],
        resource: {
          resourceType: 'Bundle',
          type: 'collection',
          entry: [rec.patient, ...rec.resources].map((resource) => ({ resource })),
        },
      });
    }
    // Patients 0-4 consent to research by the custodian; 5 never does; 2 revokes before the export.
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) => {
        const g = await grant(i, custodianId, ['HRESCH'], ['read']);
        if (i === 2)
          await world.run(new Account(patients[2]!.seed, net.chainId), { op: 'revoke', grantId: g });
      }),
    );
    const requestId = await world.run(new Account(researcher.seed, net.chainId), {
      op: 'requestResearch',
      org: 'hospital-1',
      scope: { kind: 'all' },
      reason: 'cohort-study',
    });

    const config = {
      key: 'custodian.json',
      url: net.node(0).url,
      requestId,
      patients: patients.map((x) => x.id),
      k: 2,
      l: 1,
      quasiIdentifiers: ['birthYear', 'sex'],
      suppressionCap: 0.5,
      out: { csv: 'out/cohort.csv', ndjson: 'out/cohort.ndjson', report: 'out/report.json' },
    };
    await writeFile(join(dir, 'export.json'), JSON.stringify(config));
    summary = await runResearchExport(
      parseExportConfig(
        JSON.parse(await readFile(join(dir, 'export.json'), 'utf8')),
        join(dir, 'export.json'),
      ),
    );
    csv = await readFile(join(dir, 'out', 'cohort.csv'), 'utf8');
    const imagingOnly = await world.run(new Account(researcher.seed, net.chainId), {
      op: 'requestResearch',
      org: 'hospital-1',
      scope: { kind: 'categories', categories: ['imaging'] },
      reason: 'imaging-study',
    });
    exportOutOfScope = () =>
      runResearchExport(parseExportConfig({ ...config, requestId: imagingOnly }, join(dir, 'export.json')));
  }, 180_000);

  afterAll(async () => {
    await net?.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('includes only the patients with research consent at the export: not the revoked one, not the one who never consented', () => {
    const ids = patients.map((p) => p.id);
    expect([...summary.consenting].sort()).toEqual([ids[0], ids[1], ids[3], ids[4]].sort());
    expect(summary.disclosed).not.toContain(ids[2]);
    expect(summary.disclosed).not.toContain(ids[5]);
    expect(summary.disclosed.every((p) => summary.consenting.includes(p))).toBe(true);
  });

  it('releases one row per disclosed patient, with k and l checked', async () => {
    expect(csv.trim().split('\n')).toHaveLength(1 + summary.disclosed.length);
    expect(summary.disclosed.length).toBeGreaterThan(0);
    expect(summary.report.kAchieved).toBeGreaterThanOrEqual(2);
  });

  it("puts one disclosure on each released patient's trail and on no one else's", async () => {
    for (const p of patients) {
      const d = (await trail(p.id)).filter((e) => e.op === 'disclose');
      if (summary.disclosed.includes(p.id)) {
        expect(d.map((e) => [e.subject, e.detail, e.purposes])).toEqual([
          [summary.exportId, researcherId, ['HRESCH']],
        ]);
      } else expect(d, `no disclosure of patient ${patients.indexOf(p)}`).toEqual([]);
    }
  });

  it('never read the records of the revoked patient or of the one who did not consent', async () => {
    const readers = async (i: number) =>
      (await trail(patients[i]!.id)).filter((e) => e.op === 'read').map((e) => e.purposes[0]);
    expect(await readers(2)).not.toContain('HRESCH');
    expect(await readers(5)).not.toContain('HRESCH');
  });

  it("reads no record outside the research request's scope", async () => {
    // Served reads are counted when served (the trail gets them a batch later).
    const served = async () => {
      const text = await (await fetch(`${net.node(0).url}/metrics`)).text();
      return text
        .split('\n')
        .filter((l) => l.startsWith('ehrchain_records_reads_served_total'))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    };
    const before = await served();
    expect(before).toBeGreaterThan(0); // the first export's reads
    await expect(exportOutOfScope()).rejects.toMatchObject({ code: 'no_patient_resource' });
    expect(await served()).toBe(before);
  });

  it('records the export: the hash of the released file, k, l and the quasi-identifiers', async () => {
    const r = await net.node(0).client.query('consent', 'exportInfo', [fromHex(summary.exportId)]);
    const f = unpackFields(fromHex(r.returnData));
    const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
    expect(bytesToHex(f[3]!)).toBe(bytesToHex(sha256(new TextEncoder().encode(csv))));
    expect(unpackFields(f[6]!).map(text)).toEqual(['birth-year', 'sex']);
    expect(bytesToHex(f[2]!)).toBe(researcherId);
  });
});
