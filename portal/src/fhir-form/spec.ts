/**
 * What the FHIR form editor shows for each resource type: one field spec per form field, saying
 * where in the resource its value lives (`at`, a JSON path), what kind of input it is, and which
 * FHIR path a validation issue about it names (`fhirPath`, as @medplum/core reports it: a choice
 * element as `effective[x]`). Pure data.
 */
import type { PickListName } from './codes.js';

/** A step of a JSON path: a property name or an array index. */
export type Step = string | number;

interface Base {
  /** Form field id, unique within its resource type. */
  readonly id: string;
  readonly label: string;
  readonly at: readonly Step[];
  readonly fhirPath: string;
  /** A short hint under the label (format, example). */
  readonly hint?: string;
  /** FHIR R4 requires it (1..1), shown as such; the validator is what enforces it. */
  readonly required?: boolean;
}

/** The kinds of field. A `concept` is a CodeableConcept (system + code + display, or text). */
export type FieldSpec =
  | (Base & { readonly kind: 'concept'; readonly list: PickListName })
  | (Base & { readonly kind: 'coding'; readonly list: PickListName })
  | (Base & { readonly kind: 'status-concept'; readonly system: string; readonly options: readonly string[] })
  | (Base & { readonly kind: 'select'; readonly options: readonly string[] })
  | (Base & { readonly kind: 'text' | 'dateTime' | 'decimal' | 'reference' });

/** The resource types the form covers. */
export const FORM_TYPES = [
  'Observation',
  'Condition',
  'MedicationRequest',
  'AllergyIntolerance',
  'Immunization',
  'Encounter',
] as const;
export type FormType = (typeof FORM_TYPES)[number];

/** Whether `t` is a resource type the form covers. */
export const isFormType = (t: unknown): t is FormType => (FORM_TYPES as readonly unknown[]).includes(t);

const DATE_HINT = 'YYYY-MM-DD, or with a time: 2026-11-01T09:30:00Z';
const subject = (type: string, prop: 'subject' | 'patient'): FieldSpec => ({
  id: 'subject',
  label: 'Patient reference',
  hint: 'A FHIR reference, e.g. Patient/123',
  kind: 'reference',
  // Optional on an Observation (0..1), required on the others.
  required: type !== 'Observation',
  at: [prop],
  fhirPath: `${type}.${prop}`,
});

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';

/** The fields of each form type, in display order. */
export const FORM_SPECS: Readonly<Record<FormType, readonly FieldSpec[]>> = {
  Observation: [
    {
      id: 'code',
      label: 'What was observed',
      kind: 'concept',
      list: 'observation',
      at: ['code'],
      fhirPath: 'Observation.code',
      required: true,
    },
    {
      id: 'status',
      label: 'Status',
      kind: 'select',
      options: [
        'registered',
        'preliminary',
        'final',
        'amended',
        'corrected',
        'cancelled',
        'entered-in-error',
        'unknown',
      ],
      at: ['status'],
      fhirPath: 'Observation.status',
      required: true,
    },
    {
      id: 'value',
      label: 'Value',
      hint: 'A number, e.g. 37.2',
      kind: 'decimal',
      at: ['valueQuantity', 'value'],
      fhirPath: 'Observation.value[x]',
    },
    {
      id: 'unit',
      label: 'Unit',
      hint: 'UCUM, e.g. Cel, mm[Hg], g/dL',
      kind: 'text',
      at: ['valueQuantity', 'unit'],
      fhirPath: 'Observation.value[x].unit',
    },
    {
      id: 'effective',
      label: 'When (effective time)',
      hint: DATE_HINT,
      kind: 'dateTime',
      at: ['effectiveDateTime'],
      fhirPath: 'Observation.effective[x]',
    },
    subject('Observation', 'subject'),
  ],
  Condition: [
    {
      id: 'code',
      label: 'Condition',
      kind: 'concept',
      list: 'condition',
      at: ['code'],
      fhirPath: 'Condition.code',
    },
    {
      id: 'clinicalStatus',
      label: 'Clinical status',
      kind: 'status-concept',
      system: CLINICAL,
      options: ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'],
      at: ['clinicalStatus'],
      fhirPath: 'Condition.clinicalStatus',
    },
    {
      id: 'onset',
      label: 'Onset',
      hint: DATE_HINT,
      kind: 'dateTime',
      at: ['onsetDateTime'],
      fhirPath: 'Condition.onset[x]',
    },
    subject('Condition', 'subject'),
  ],
  MedicationRequest: [
    {
      id: 'medication',
      label: 'Medication',
      kind: 'concept',
      list: 'medication',
      at: ['medicationCodeableConcept'],
      fhirPath: 'MedicationRequest.medication[x]',
      required: true,
    },
    {
      id: 'dosage',
      label: 'Dosage',
      hint: 'In words, e.g. 500 mg twice a day with meals',
      kind: 'text',
      at: ['dosageInstruction', 0, 'text'],
      fhirPath: 'MedicationRequest.dosageInstruction',
    },
    {
      id: 'status',
      label: 'Status',
      kind: 'select',
      options: [
        'active',
        'on-hold',
        'cancelled',
        'completed',
        'entered-in-error',
        'stopped',
        'draft',
        'unknown',
      ],
      at: ['status'],
      fhirPath: 'MedicationRequest.status',
      required: true,
    },
    {
      id: 'intent',
      label: 'Intent',
      kind: 'select',
      options: [
        'proposal',
        'plan',
        'order',
        'original-order',
        'reflex-order',
        'filler-order',
        'instance-order',
        'option',
      ],
      at: ['intent'],
      fhirPath: 'MedicationRequest.intent',
      required: true,
    },
    subject('MedicationRequest', 'subject'),
  ],
  AllergyIntolerance: [
    {
      id: 'code',
      label: 'Allergic to',
      kind: 'concept',
      list: 'allergen',
      at: ['code'],
      fhirPath: 'AllergyIntolerance.code',
    },
    {
      id: 'clinicalStatus',
      label: 'Clinical status',
      kind: 'status-concept',
      system: ALLERGY_CLINICAL,
      options: ['active', 'inactive', 'resolved'],
      at: ['clinicalStatus'],
      fhirPath: 'AllergyIntolerance.clinicalStatus',
    },
    {
      id: 'criticality',
      label: 'Criticality',
      kind: 'select',
      options: ['low', 'high', 'unable-to-assess'],
      at: ['criticality'],
      fhirPath: 'AllergyIntolerance.criticality',
    },
    {
      id: 'reaction',
      label: 'Reaction',
      kind: 'concept',
      list: 'reaction',
      at: ['reaction', 0, 'manifestation', 0],
      fhirPath: 'AllergyIntolerance.reaction',
    },
    subject('AllergyIntolerance', 'patient'),
  ],
  Immunization: [
    {
      id: 'vaccine',
      label: 'Vaccine',
      kind: 'concept',
      list: 'vaccine',
      at: ['vaccineCode'],
      fhirPath: 'Immunization.vaccineCode',
      required: true,
    },
    {
      id: 'occurrence',
      label: 'Given on',
      hint: DATE_HINT,
      kind: 'dateTime',
      at: ['occurrenceDateTime'],
      fhirPath: 'Immunization.occurrence[x]',
      required: true,
    },
    {
      id: 'status',
      label: 'Status',
      kind: 'select',
      options: ['completed', 'entered-in-error', 'not-done'],
      at: ['status'],
      fhirPath: 'Immunization.status',
      required: true,
    },
    subject('Immunization', 'patient'),
  ],
  Encounter: [
    {
      id: 'status',
      label: 'Status',
      kind: 'select',
      options: [
        'planned',
        'arrived',
        'triaged',
        'in-progress',
        'onleave',
        'finished',
        'cancelled',
        'entered-in-error',
        'unknown',
      ],
      at: ['status'],
      fhirPath: 'Encounter.status',
      required: true,
    },
    {
      id: 'class',
      label: 'Class',
      kind: 'coding',
      list: 'encounterClass',
      at: ['class'],
      fhirPath: 'Encounter.class',
      required: true,
    },
    {
      id: 'type',
      label: 'Type',
      kind: 'concept',
      list: 'encounterType',
      at: ['type', 0],
      fhirPath: 'Encounter.type',
    },
    {
      id: 'start',
      label: 'Start',
      hint: DATE_HINT,
      kind: 'dateTime',
      at: ['period', 'start'],
      fhirPath: 'Encounter.period.start',
    },
    {
      id: 'end',
      label: 'End',
      hint: DATE_HINT,
      kind: 'dateTime',
      at: ['period', 'end'],
      fhirPath: 'Encounter.period.end',
    },
    subject('Encounter', 'subject'),
  ],
};

/** The values a new form of each type starts with (a field not named here starts empty). */
export const FORM_DEFAULTS: Readonly<Record<FormType, Readonly<Record<string, string>>>> = {
  Observation: { status: 'final' },
  Condition: { clinicalStatus: 'active' },
  MedicationRequest: { status: 'active', intent: 'order' },
  // FHIR's ait-1: clinicalStatus must be present (unless the record is entered in error).
  AllergyIntolerance: { clinicalStatus: 'active' },
  Immunization: { status: 'completed' },
  Encounter: {
    status: 'finished',
    'class.system': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
    'class.code': 'AMB',
    'class.display': 'ambulatory',
  },
};
