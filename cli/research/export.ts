/**
 * `ehrchain research export --config export.json`: the custodian's side of the honest-broker flow
 * (docs/research.md). Lists the candidate patients the contract says may be included (research
 * consent now, `researchConsent`), fetches and decrypts their records under HRESCH (each read is
 * consent-checked by the serving node and recorded on the patient's trail), runs the pure export
 * (Safe Harbor, then Mondrian k-anonymity with l-diversity), writes the CSV, NDJSON and report,
 * then records the export (`recordExport`: hash of the CSV, k, l, quasi-identifiers, parameters)
 * and one disclosure per released patient (`recordDisclosures`, batches of 64).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { EhrClient } from '../../client/client.js';
import { ConsentClient } from '../../client/consent.js';
import { readKeyFile } from '../../client/keyfile.js';
import { RecordsClient } from '../../client/records.js';
import { exportCohort } from '../../research/export.js';
import type { ExportReport } from '../../research/report.js';
import type { PatientRecord } from '../../research/types.js';
import { tableToCsv, tableToNdjson } from '../../research/writers.js';
import { decodeInt, encodeInt, unpackFields } from '../../vm/abi.js';
import { MAX_DISCLOSURE_BATCH } from '../../vm/consent/types.js';
import type { ExportConfig } from './config.js';

/** What an export did. */
export interface ExportSummary {
  readonly exportId: string;
  /** sha256 of the CSV, as recorded on chain. */
  readonly fileHash: string;
  /** Candidates with research consent at the start. */
  readonly consenting: readonly string[];
  /** Patients released in the file and disclosed on chain. */
  readonly disclosed: readonly string[];
  /** Records that could not be read (not allowed for HRESCH, no key for the custodian, erased). */
  readonly unreadable: number;
  /** Records left unread because their category is outside the research request's scope. */
  readonly outOfScope: number;
  readonly report: ExportReport;
}

/** Progress callbacks (the CLI draws a bar; tests pass none). */
export interface ExportProgress {
  start(phase: 'fetch' | 'disclose', total: number): void;
  tick(): void;
  stop(): void;
}

/** An export that cannot go on; nothing is recorded on chain. */
export class ResearchExportError extends Error {
  constructor(
    readonly code:
      | 'no_consenting_patients'
      | 'suppression_cap_exceeded'
      | 'no_patient_resource'
      | 'unknown_research_request',
    message: string,
  ) {
    super(message);
    this.name = 'ResearchExportError';
  }
}

/** `birthYear` -> `birth-year`: quasi-identifier names as the contract's codes. */
const codeOf = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The resources of a record: a Bundle's entries, or the resource itself. */
const resourcesOf = (r: Resource): Resource[] =>
  r.resourceType === 'Bundle'
    ? ((r as Bundle).entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))
    : [r];

/** Runs the export described by `c`. */
export async function runResearchExport(c: ExportConfig, progress?: ExportProgress): Promise<ExportSummary> {
  const client = new EhrClient(c.url);
  const { chainId } = await client.status();
  const { seed } = await readKeyFile(c.key);
  const cc = new ConsentClient(client, seed, chainId);
  const rc = new RecordsClient(client, seed, chainId);

  const inScope = await requestScope(client, c.requestId);
  const now = Date.now();
  const consenting: string[] = [];
  for (const p of c.patients) if (await researchConsent(client, cc.id, p, now)) consenting.push(p);
  if (consenting.length === 0)
    throw new ResearchExportError('no_consenting_patients', 'no candidate patient consents to research');

  // Fetch and decrypt each consenting patient's records (heads of the records anchored on their trail).
  const records: PatientRecord[] = [];
  const owners: string[] = [];
  let unreadable = 0;
  let outOfScope = 0;
  progress?.start('fetch', consenting.length);
  for (const p of consenting) {
    const ids = new Set(
      (await cc.trail(p)).filter((e) => e.op === 'anchor').map((e) => e.subject.slice(0, 64)),
    );
    const resources: Resource[] = [];
    for (const id of ids) {
      try {
        const record = hexToBytes(id);
        const { category } = await rc.version(record, await rc.head(record));
        if (!inScope(category)) {
          outOfScope++;
          continue;
        }
        resources.push(...resourcesOf((await rc.get(record, { purpose: 'HRESCH' })).resource));
      } catch {
        unreadable++;
      }
    }
    progress?.tick();
    const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
    if (!patient) continue;
    records.push({ patient, resources: resources.filter((r) => r !== patient) });
    owners.push(p);
  }
  progress?.stop();
  if (records.length === 0)
    throw new ResearchExportError(
      'no_patient_resource',
      'no consenting patient has a readable Patient resource',
    );

  const params = {
    k: c.k,
    l: c.l,
    suppressionCap: c.suppressionCap,
    quasiIdentifiers: c.quasiIdentifiers,
    sensitive: { kind: 'condition' as const, system: c.sensitiveSystem },
    dates: c.dates,
    referenceYear: c.referenceYear,
  };
  // The pseudonym seed is the export's secret: it never leaves the custodian.
  const x = exportCohort(records, { ...params, pseudonymSeed: randomBytes(4).readUInt32BE(0) });
  if (!x.ok)
    throw new ResearchExportError(
      'suppression_cap_exceeded',
      'suppression would exceed the cap: nothing released',
    );
  const csv = tableToCsv(x.release);
  const fileHash = bytesToHex(sha256(utf8ToBytes(csv)));
  const paramsHash = bytesToHex(sha256(utf8ToBytes(JSON.stringify(params))));
  const exportId = bytesToHex(randomBytes(32));
  const disclosed = x.included.map((i) => owners[i] ?? '');
  for (const path of Object.values(c.out)) await mkdir(dirname(path), { recursive: true });
  await writeFile(c.out.csv, csv);
  await writeFile(c.out.ndjson, tableToNdjson(x.release));
  const report = { exportId, fileHash, requestId: c.requestId, parameters: params, paramsHash, ...x.report };
  await writeFile(c.out.report, `${JSON.stringify(report, null, 2)}\n`);

  await cc.run({
    op: 'recordExport',
    exportId,
    requestId: c.requestId,
    fileHash,
    k: x.report.kAchieved,
    l: x.report.lAchieved,
    quasiIdentifiers: c.quasiIdentifiers.map(codeOf),
    sensitive: 'condition',
    paramsHash,
  });
  progress?.start('disclose', disclosed.length);
  for (let i = 0; i < disclosed.length; i += MAX_DISCLOSURE_BATCH) {
    const batch = disclosed.slice(i, i + MAX_DISCLOSURE_BATCH);
    await cc.run({ op: 'recordDisclosures', exportId, patients: batch });
    for (const _ of batch) progress?.tick();
  }
  progress?.stop();
  return { exportId, fileHash, consenting, disclosed, unreadable, outOfScope, report: x.report };
}

/** `ResearchRequest.skind` for "all categories" (consent.ehr SCOPE_ALL). */
const SCOPE_ALL = 1;

/**
 * Which record categories the research request asked for (its scope: all, or categories). A
 * record outside it is not read at all, so the custodian reads and releases nothing the researcher
 * did not ask for; the quasi-identifiers come from the Patient resource, so its record's category
 * must be in the scope (docs/research.md).
 */
async function requestScope(client: EhrClient, requestId: number): Promise<(category: string) => boolean> {
  const r = await client.query('consent', 'researchRequestInfo', [encodeInt(requestId)]);
  const f = r.status === 'ok' && r.returnData !== '' ? unpackFields(hexToBytes(r.returnData)) : [];
  const skind = f[2];
  if (f.length !== 6 || skind === undefined)
    throw new ResearchExportError('unknown_research_request', `no research request ${requestId} on chain`);
  if (decodeInt(skind) === SCOPE_ALL) return () => true;
  const wanted = new Set(unpackFields(f[3] ?? new Uint8Array(0)).map((b) => new TextDecoder().decode(b)));
  return (category) => wanted.has(category);
}

async function researchConsent(
  client: EhrClient,
  custodian: string,
  patient: string,
  at: number,
): Promise<boolean> {
  const r = await client.query('consent', 'researchConsent', [
    hexToBytes(custodian),
    hexToBytes(patient),
    encodeInt(at),
  ]);
  return r.status === 'ok' && decodeInt(hexToBytes(r.returnData)) === 1;
}
