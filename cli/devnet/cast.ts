/**
 * Who the demo consortium is: its organisations, staff and patients, and which synthetic FHIR
 * resources become each patient's records. Pure data and pure functions (docs/devnet.md lists the
 * same people); seed.ts turns it into transactions. Everything is synthetic: the patients come from
 * the seeded generator of research/synthetic.ts, whose values are all fictional.
 */
import type { Resource } from '@medplum/fhirtypes';
import { createSyntheticPatient } from '../../research/synthetic.js';
import type { PatientRecord } from '../../research/types.js';
import type { Role } from '../../vm/consent/types.js';

/** A chain is a demo chain when its id ends in `-demo` (docs/devnet.md); the explorer says so too. */
export const isDemoChain = (chainId: string): boolean => chainId.endsWith('-demo');

/** The chain id `ehrchain devnet` gives a new devnet with the demo consortium. */
export const DEMO_CHAIN_ID = 'ehrchain-demo';

/** The demo's organisations: two hospitals from genesis and an insurer added by governance. */
export const DemoOrg = { h1: 'hospital-1', h2: 'hospital-2', insurer: 'insurer-1' } as const;
export type DemoOrg = (typeof DemoOrg)[keyof typeof DemoOrg];

/** The validator (0-based) whose HTTP API each organisation's people use. */
export const ORG_NODE: Readonly<Record<DemoOrg, number>> = {
  'hospital-1': 0,
  'hospital-2': 1,
  'insurer-1': 2,
};

/** One demo person. `file` is `<role>-<name>`, the key file's name under people/. */
export interface DemoPerson {
  readonly name: string;
  readonly role: Role;
  readonly org: DemoOrg;
  /** What they are in the story, for the printed list and docs. */
  readonly about: string;
}

/** The file stem of a person's key file: `patient-ana`. */
export const personFile = (p: Pick<DemoPerson, 'role' | 'name'>): string => `${p.role}-${p.name}`;

/** Staff: the three admins, three doctors, the insurer's claims officer and a guardian. */
export const DEMO_STAFF: readonly DemoPerson[] = [
  { name: 'maria', role: 'admin', org: 'hospital-1', about: 'first admin (the genesis key)' },
  {
    name: 'noah',
    role: 'admin',
    org: 'hospital-2',
    about: 'first admin (the genesis key); co-signed an emergency',
  },
  { name: 'olga', role: 'admin', org: 'insurer-1', about: 'first admin (added by governance)' },
  { name: 'rosa', role: 'doctor', org: 'hospital-1', about: 'GP of dana, fatima and jo' },
  { name: 'sam', role: 'doctor', org: 'hospital-1', about: 'cardiologist; dana approved his request' },
  { name: 'tariq', role: 'doctor', org: 'hospital-2', about: "ana's doctor; broke the glass for dana" },
  { name: 'uma', role: 'insurer', org: 'insurer-1', about: 'claims officer; reads what dana granted' },
  { name: 'victor', role: 'guardian', org: 'hospital-1', about: "jo's guardian" },
];

/** What each demo patient did, by the name the generator gives them (seed 2026). */
const PATIENT_ABOUT: Readonly<Record<string, string>> = {
  dana: 'granted rosa (except mental-health), uma (payment), sam (on request); tariq broke the glass',
  fatima: "granted rosa; sam's grant starts next week; revoked uma's",
  jo: 'victor, the guardian, granted rosa',
  lena: 'granted all of hospital-2; an open request from uma waits',
  ana: 'granted tariq',
};

/** The synthetic cohort's seed; its patients 0.. with distinct given names are the demo patients. */
export const COHORT_SEED = 2026;

/** Where each demo patient is registered, in cohort order (the generator gives the names). */
const PATIENT_ORGS: readonly DemoOrg[] = [
  'hospital-1',
  'hospital-1',
  'hospital-1',
  'hospital-2',
  'hospital-2',
];

/** A demo patient: the person and their synthetic FHIR resources. */
export interface DemoPatient extends DemoPerson {
  readonly record: PatientRecord;
}

/**
 * The demo patients: the first cohort members with distinct given names (dana, fatima, jo, lena,
 * ana for seed 2026), as of `referenceDate` (YYYY-MM-DD; only dates depend on it, not names).
 */
export function demoPatients(referenceDate: string): DemoPatient[] {
  const out: DemoPatient[] = [];
  const seen = new Set<string>();
  // Bounded: the generator draws from a dozen given names, so five distinct ones come early.
  for (let i = 0; i < 200 && out.length < PATIENT_ORGS.length; i++) {
    const record = createSyntheticPatient(COHORT_SEED, i, referenceDate);
    const given = record.patient.name?.[0]?.given?.[0]?.toLowerCase() ?? `patient${i}`;
    if (seen.has(given)) continue;
    seen.add(given);
    const org = PATIENT_ORGS[out.length] ?? 'hospital-1';
    out.push({ name: given, role: 'patient', org, about: PATIENT_ABOUT[given] ?? 'a patient', record });
  }
  return out;
}

/** The consent category a resource type is filed under (codes of docs/consent.md's vocabulary). */
export const CATEGORY_OF: Readonly<Record<string, string>> = {
  Condition: 'problems',
  Observation: 'lab',
  DiagnosticReport: 'lab',
  MedicationRequest: 'medication',
  Immunization: 'immunization',
  AllergyIntolerance: 'allergy',
  Encounter: 'encounter',
};

/** Which resource types become records, in order of preference; three per patient. */
const RECORD_TYPES = [
  'Condition',
  'Observation',
  'MedicationRequest',
  'Immunization',
  'AllergyIntolerance',
  'DiagnosticReport',
  'Encounter',
];
export const RECORDS_PER_PATIENT = 3;

/** A patient's demo records: the first resource of each preferred type, three at most. */
export function demoRecords(record: PatientRecord): { resource: Resource; category: string }[] {
  const out: { resource: Resource; category: string }[] = [];
  for (const type of RECORD_TYPES) {
    const r = record.resources.find((x) => x.resourceType === type);
    const category = CATEGORY_OF[type];
    if (r !== undefined && category !== undefined) out.push({ resource: r, category });
    if (out.length === RECORDS_PER_PATIENT) break;
  }
  return out;
}
