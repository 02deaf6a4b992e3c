/**
 * A seeded generator of realistic synthetic FHIR R4 patients, identifiers and all (names, MRNs,
 * addresses, phone numbers, photos, narrative), so the de-identification has something to remove.
 * The same seed, index and reference date give the same patient. Every value is fictional: SSNs start
 * with 9 (never issued), phone numbers are 555-01xx, e-mail and photo hosts are example.org.
 */
import type {
  AllergyIntolerance,
  Condition,
  DiagnosticReport,
  Encounter,
  Extension,
  Immunization,
  MedicationRequest,
  Observation,
  Patient,
  Practitioner,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { ResearchError, ResearchErrorCode } from './errors.js';
import { createPrng, type Prng } from './prng.js';
import { US_CORE_ETHNICITY, US_CORE_RACE } from './safe-harbor/rules.js';
import { yearOf } from './safe-harbor/transforms.js';
import {
  AGE_BANDS,
  CONDITIONS,
  ETHNICITIES,
  FAMILY,
  GIVEN,
  RACES,
  STREETS,
  ZIP3S,
} from './synthetic-data.js';
import type { PatientRecord } from './types.js';

/** Options of the generator. */
export interface SyntheticOptions {
  /** Any 32-bit integer; the same seed gives the same cohort. */
  readonly seed: number;
  /** How many patients. */
  readonly count: number;
  /** "Today" for the cohort, YYYY-MM-DD: ages and every date are relative to it. */
  readonly referenceDate: string;
}

const SNOMED = 'http://snomed.info/sct';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const LOINC = 'http://loinc.org';
const OMB = 'urn:oid:2.16.840.1.113883.6.238';
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function usCoreExtension(url: string, code: string, display: string): Extension {
  return {
    url,
    extension: [
      { url: 'ombCategory', valueCoding: { system: OMB, code, display } },
      { url: 'text', valueString: display },
    ],
  };
}

function dateIn(prng: Prng, fromYear: number, toYear: number): string {
  return `${prng.int(fromYear, toYear)}-${pad(prng.int(1, 12))}-${pad(prng.int(1, 28))}`;
}

function quantity(value: number, unit: string, code: string): Observation['valueQuantity'] {
  return { value, unit, system: 'http://unitsofmeasure.org', code };
}

/** One synthetic patient, the `index`-th of the cohort seeded by `seed`. */
export function createSyntheticPatient(seed: number, index: number, referenceDate: string): PatientRecord {
  const refYear = yearOf(referenceDate);
  if (refYear === undefined) {
    throw new ResearchError(ResearchErrorCode.InvalidOption, `reference date: ${referenceDate}`);
  }
  // One stream per patient, so patient i does not depend on how many came before it.
  const prng = createPrng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77)) >>> 0);
  const id = `syn-${(seed >>> 0).toString(16)}-${index}`;
  const ref: Reference<Patient> = { reference: `Patient/${id}` };
  const doctor: Reference<Practitioner> = {
    reference: `Practitioner/dr-${prng.int(1, 400)}`,
    display: `Dr ${prng.pick(FAMILY)}`,
  };
  const [from, to] = prng.weighted(AGE_BANDS.map(([a, b, w]) => [[a, b] as const, w] as const));
  const age = prng.int(from, to);
  const birthYear = refYear - age;
  const birthDate = dateIn(prng, birthYear, birthYear);
  const gender = prng.weighted([
    ['female', 50.5],
    ['male', 49],
    ['other', 0.3],
    ['unknown', 0.2],
  ] as const);
  const [zip3, state, city] = prng.weighted(ZIP3S.map((z) => [z, z[3]] as const));
  const given = prng.pick(GIVEN);
  const family = prng.pick(FAMILY);
  const mrn = `MRN${pad(prng.int(0, 9_999_999), 7)}`;
  const extension: Extension[] = [];
  const race = prng.weighted(RACES.map((r) => [r, r[2]] as const));
  if (race[0] !== null) extension.push(usCoreExtension(US_CORE_RACE, race[0], race[1]));
  const eth = prng.weighted(ETHNICITIES.map((e) => [e, e[2]] as const));
  if (eth[0] !== null) extension.push(usCoreExtension(US_CORE_ETHNICITY, eth[0], eth[1]));
  extension.push({ url: 'https://example.org/fhir/favourite-colour', valueString: 'teal' });

  const patient: Patient = {
    resourceType: 'Patient',
    id,
    meta: { lastUpdated: `${referenceDate}T08:00:00Z`, source: 'https://ehr.example.org/fhir' },
    text: {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml">${given} ${family}, ${mrn}</div>`,
    },
    extension,
    identifier: [
      { system: 'https://hospital.example.org/mrn', value: mrn },
      {
        system: 'http://hl7.org/fhir/sid/us-ssn',
        value: `9${pad(prng.int(0, 99))}-${pad(prng.int(1, 99))}-${pad(prng.int(1, 9999), 4)}`,
      },
    ],
    active: true,
    name: [{ use: 'official', family, given: [given] }],
    telecom: [
      { system: 'phone', value: `555-01${pad(prng.int(0, 99))}`, use: 'home' },
      { system: 'email', value: `${given}.${family}@example.org`.toLowerCase() },
    ],
    gender,
    birthDate,
    address: [
      {
        use: 'home',
        line: [`${prng.int(1, 999)} ${prng.pick(STREETS)} St`],
        city,
        state,
        postalCode: `${zip3}${pad(prng.int(0, 99))}`,
        country: 'US',
      },
    ],
    maritalStatus: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
          code: prng.pick(['M', 'S', 'D', 'W']),
        },
      ],
    },
    generalPractitioner: [doctor],
    managingOrganization: { reference: 'Organization/general-hospital' },
  };
  if (prng.chance(0.05))
    patient.photo = [{ contentType: 'image/jpeg', url: `https://example.org/photos/${id}.jpg` }];
  if (prng.chance(0.3)) {
    patient.contact = [
      { name: { family, given: [prng.pick(GIVEN)] }, telecom: [{ system: 'phone', value: '555-0100' }] },
    ];
  }

  const resources: Resource[] = [];
  const t = Math.min(age, 80) / 80;
  const conditions = CONDITIONS.filter((c) => prng.chance(c.p0 + (c.p80 - c.p0) * t));
  const recent = (): string =>
    `${dateIn(prng, Math.max(birthYear, refYear - 3), refYear - 1)}T${pad(prng.int(7, 18))}:${pad(prng.int(0, 59))}:00Z`;
  conditions.forEach((c, i) => {
    const condition: Condition = {
      resourceType: 'Condition',
      id: `${id}-cond-${i}`,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' },
          ],
        },
      ],
      code: {
        coding: [
          { system: SNOMED, code: c.snomed, display: c.display },
          { system: ICD10, code: c.icd10, display: c.display },
        ],
        text: c.display,
      },
      subject: ref,
      onsetDateTime: dateIn(prng, Math.max(birthYear, refYear - 30), refYear - 1),
      recordedDate: dateIn(prng, refYear - 1, refYear - 1),
      recorder: doctor,
      note: [{ text: `Discussed with ${given} ${family} (${mrn}).` }],
    };
    if (age > 89 && prng.chance(0.5))
      condition.onsetAge = { value: age - 1, unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' };
    resources.push(condition);
    if (c.rx) {
      const med: MedicationRequest = {
        resourceType: 'MedicationRequest',
        id: `${id}-rx-${i}`,
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: {
          coding: [
            { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: c.rx[0], display: c.rx[1] },
          ],
        },
        subject: ref,
        authoredOn: dateIn(prng, refYear - 1, refYear - 1),
        requester: doctor,
        reasonCode: [{ coding: [{ system: SNOMED, code: c.snomed }] }],
        dosageInstruction: [
          {
            text: `Take one daily, ${given}`,
            timing: {
              repeat: {
                frequency: 1,
                period: 1,
                periodUnit: 'd',
                boundsPeriod: { start: dateIn(prng, refYear - 1, refYear - 1) },
              },
            },
            route: { coding: [{ system: SNOMED, code: '26643006', display: 'Oral route' }] },
          },
        ],
      };
      resources.push(med);
    }
  });

  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: `${id}-enc`,
    identifier: [{ system: 'https://hospital.example.org/visit', value: `V${prng.int(100000, 999999)}` }],
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: ref,
    participant: [{ individual: doctor }],
    period: { start: recent(), end: recent() },
    serviceProvider: { reference: 'Organization/general-hospital' },
  };
  resources.push(encounter);

  const heightM = gender === 'male' ? 1.75 : 1.62;
  const bmi = Math.round((18 + prng.next() * 18) * 10) / 10;
  resources.push({
    resourceType: 'Observation',
    id: `${id}-bmi`,
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
        ],
      },
    ],
    code: { coding: [{ system: LOINC, code: '39156-5', display: 'Body mass index' }] },
    subject: ref,
    effectiveDateTime: recent(),
    issued: `${referenceDate}T08:00:00.000Z`,
    performer: [doctor],
    valueQuantity: quantity(bmi, 'kg/m2', 'kg/m2'),
    note: [{ text: `Weighed ${Math.round(bmi * heightM * heightM)} kg` }],
  } satisfies Observation);
  resources.push({
    resourceType: 'Observation',
    id: `${id}-bp`,
    status: 'final',
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
    subject: ref,
    effectiveDateTime: recent(),
    device: { reference: `Device/cuff-${prng.int(1, 50)}` },
    component: [
      {
        code: { coding: [{ system: LOINC, code: '8480-6' }] },
        valueQuantity: quantity(prng.int(100, 170), 'mm[Hg]', 'mm[Hg]'),
      },
      {
        code: { coding: [{ system: LOINC, code: '8462-4' }] },
        valueQuantity: quantity(prng.int(60, 100), 'mm[Hg]', 'mm[Hg]'),
      },
    ],
  } satisfies Observation);
  if (prng.chance(0.1)) {
    resources.push({
      resourceType: 'AllergyIntolerance',
      id: `${id}-allergy`,
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
      code: {
        coding: [
          prng.pick([
            { system: SNOMED, code: '764146007', display: 'Penicillin' },
            { system: SNOMED, code: '256349002', display: 'Peanut' },
          ]),
        ],
      },
      patient: ref,
      recordedDate: dateIn(prng, Math.max(birthYear, refYear - 10), refYear - 1),
      recorder: doctor,
      reaction: [
        {
          manifestation: [{ coding: [{ system: SNOMED, code: '247472004', display: 'Hives' }] }],
          description: `${given} came out in hives`,
        },
      ],
    } satisfies AllergyIntolerance);
  }
  if (prng.chance(0.5)) {
    resources.push({
      resourceType: 'Immunization',
      id: `${id}-imm`,
      status: 'completed',
      vaccineCode: {
        coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal' }],
      },
      patient: ref,
      occurrenceDateTime: recent(),
      lotNumber: `LOT${prng.int(1000, 9999)}`,
      performer: [{ actor: doctor }],
    } satisfies Immunization);
  }
  if (prng.chance(0.2)) {
    resources.push({
      resourceType: 'DiagnosticReport',
      id: `${id}-dr`,
      status: 'final',
      code: { coding: [{ system: LOINC, code: '58410-2', display: 'CBC panel' }] },
      subject: ref,
      effectiveDateTime: recent(),
      performer: [doctor],
      conclusion: `Normal for ${given} ${family}`,
      presentedForm: [
        {
          contentType: 'application/pdf',
          data: 'JVBERi0xLjQK',
          url: `https://ehr.example.org/reports/${id}.pdf`,
        },
      ],
    } satisfies DiagnosticReport);
  }
  resources.push({
    resourceType: 'Practitioner',
    id: doctor.reference?.split('/')[1],
    name: [{ family: 'Doctor' }],
  });
  return { patient, resources };
}

/** The cohort, lazily: patient 0 to count - 1 of the seed. */
export function* generateSyntheticCohort(opts: SyntheticOptions): Generator<PatientRecord> {
  for (let i = 0; i < opts.count; i++) yield createSyntheticPatient(opts.seed, i, opts.referenceDate);
}
