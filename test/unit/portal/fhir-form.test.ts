/**
 * The FHIR form editor's pure core (portal/src/fhir-form/): a table per resource type of form
 * values, the resource they make and the form read back from it (the round trip), each resource
 * passing the same validateFhir as the JSON editor's output; what the form keeps, what it would
 * drop; the pick lists; and validation issues put beside the field they are about.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PICK_LISTS } from '../../../portal/src/fhir-form/codes.js';
import {
  changeType,
  type FhirForm,
  type FormValues,
  formLoses,
  formToResource,
  inputKeys,
  newForm,
  pickCode,
  resourceToForm,
} from '../../../portal/src/fhir-form/convert.js';
import { fhirIssuesOf, fieldOfIssue, issuesByField } from '../../../portal/src/fhir-form/issues.js';
import { FORM_SPECS, FORM_TYPES, type FormType } from '../../../portal/src/fhir-form/spec.js';
import { validateFhir } from '../../../protocol/records/fhir.js';

const PATIENT = 'Patient/synthetic-7';
const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';

/** Per resource type: filled form values and the resource they make. */
const CASES: readonly { type: FormType; values: FormValues; resource: Record<string, unknown> }[] = [
  {
    type: 'Observation',
    values: {
      'code.system': LOINC,
      'code.code': '8310-5',
      'code.display': 'Body temperature',
      status: 'final',
      value: '37.2',
      unit: 'Cel',
      effective: '2026-11-01T09:30:00Z',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'Observation',
      code: { coding: [{ system: LOINC, code: '8310-5', display: 'Body temperature' }] },
      status: 'final',
      valueQuantity: { value: 37.2, unit: 'Cel' },
      effectiveDateTime: '2026-11-01T09:30:00Z',
      subject: { reference: PATIENT },
    },
  },
  {
    type: 'Condition',
    values: {
      'code.system': SCT,
      'code.code': '38341003',
      'code.display': 'Hypertensive disorder',
      clinicalStatus: 'active',
      onset: '2025-03',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'Condition',
      code: { coding: [{ system: SCT, code: '38341003', display: 'Hypertensive disorder' }] },
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      onsetDateTime: '2025-03',
      subject: { reference: PATIENT },
    },
  },
  {
    type: 'MedicationRequest',
    values: {
      'medication.system': 'http://www.nlm.nih.gov/research/umls/rxnorm',
      'medication.code': '6809',
      'medication.display': 'metformin',
      dosage: '500 mg twice a day with meals',
      status: 'active',
      intent: 'order',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'MedicationRequest',
      medicationCodeableConcept: {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '6809', display: 'metformin' },
        ],
      },
      dosageInstruction: [{ text: '500 mg twice a day with meals' }],
      status: 'active',
      intent: 'order',
      subject: { reference: PATIENT },
    },
  },
  {
    type: 'AllergyIntolerance',
    values: {
      'code.system': SCT,
      'code.code': '373270004',
      'code.display': 'Penicillin (substance)',
      clinicalStatus: 'active',
      criticality: 'high',
      'reaction.system': SCT,
      'reaction.code': '247472004',
      'reaction.display': 'Weal (hives)',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'AllergyIntolerance',
      code: { coding: [{ system: SCT, code: '373270004', display: 'Penicillin (substance)' }] },
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
      criticality: 'high',
      reaction: [
        { manifestation: [{ coding: [{ system: SCT, code: '247472004', display: 'Weal (hives)' }] }] },
      ],
      patient: { reference: PATIENT },
    },
  },
  {
    type: 'Immunization',
    values: {
      'vaccine.system': 'http://hl7.org/fhir/sid/cvx',
      'vaccine.code': '140',
      'vaccine.display': 'Influenza, seasonal, injectable, preservative free',
      occurrence: '2026-10-15',
      status: 'completed',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'Immunization',
      vaccineCode: {
        coding: [
          {
            system: 'http://hl7.org/fhir/sid/cvx',
            code: '140',
            display: 'Influenza, seasonal, injectable, preservative free',
          },
        ],
      },
      occurrenceDateTime: '2026-10-15',
      status: 'completed',
      patient: { reference: PATIENT },
    },
  },
  {
    type: 'Encounter',
    values: {
      status: 'finished',
      'class.system': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      'class.code': 'AMB',
      'class.display': 'ambulatory',
      'type.system': SCT,
      'type.code': '185349003',
      'type.display': 'Encounter for check up',
      start: '2026-11-01T09:00:00Z',
      end: '2026-11-01T09:20:00Z',
      subject: PATIENT,
    },
    resource: {
      resourceType: 'Encounter',
      status: 'finished',
      class: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'AMB',
        display: 'ambulatory',
      },
      type: [{ coding: [{ system: SCT, code: '185349003', display: 'Encounter for check up' }] }],
      period: { start: '2026-11-01T09:00:00Z', end: '2026-11-01T09:20:00Z' },
      subject: { reference: PATIENT },
    },
  },
];

/** Every input key of a type, empty unless `values` says otherwise (what resourceToForm reads back). */
function complete(type: FormType, values: FormValues): FormValues {
  const all: Record<string, string> = {};
  for (const f of FORM_SPECS[type])
    for (const k of f.kind === 'concept' || f.kind === 'coding'
      ? [`${f.id}.system`, `${f.id}.code`, `${f.id}.display`]
      : [f.id])
      all[k] = values[k] ?? '';
  return all;
}

describe('the FHIR form, per resource type', () => {
  it('covers every type the table does', () => {
    expect(CASES.map((c) => c.type)).toEqual([...FORM_TYPES]);
  });

  describe.each(CASES)('$type', ({ type, values, resource }) => {
    const form: FhirForm = { type, values, rest: {} };

    it('makes the expected resource from the filled form', () => {
      expect(formToResource(form)).toEqual(resource);
    });

    it('reads the same values back from that resource', () => {
      expect(resourceToForm(formToResource(form))).toEqual({
        type,
        values: complete(type, values),
        rest: {},
      });
    });

    it('makes a resource that passes the FHIR R4 validator', () => {
      expect(() => validateFhir(formToResource(form))).not.toThrow();
    });

    it('makes a valid resource from a new form given a code, the patient and the dates it requires', () => {
      const code = FORM_SPECS[type].find((f) => f.kind === 'concept');
      const pick = code?.kind === 'concept' ? PICK_LISTS[code.list][0] : undefined;
      let f = newForm(type);
      if (code !== undefined && pick !== undefined) f = pickCode(f, code.id, pick);
      const dates = FORM_SPECS[type].filter((s) => s.kind === 'dateTime' && s.required === true);
      for (const d of dates) f = { ...f, values: { ...f.values, [d.id]: '2026-11-01' } };
      f = { ...f, values: { ...f.values, subject: PATIENT } };
      expect(() => validateFhir(formToResource(f))).not.toThrow();
    });

    it('shows the resource whole, so the form drops nothing of it', () => {
      expect(formLoses(resource)).toEqual([]);
    });
  });
});

describe('what the form keeps and what it would drop', () => {
  it('keeps the keys it does not show, after its own', () => {
    const r = { ...CASES[0]!.resource, note: [{ text: 'synthetic note' }], id: 'obs-1' };
    const form = resourceToForm(r);
    expect(form?.rest).toEqual({ note: [{ text: 'synthetic note' }], id: 'obs-1' });
    expect(formToResource(form!)).toEqual(r);
  });

  it("reads a concept's text when it has no coding, and writes it back as text", () => {
    const r = { resourceType: 'Observation', status: 'final', code: { text: 'Body temperature' } };
    expect(resourceToForm(r)?.values['code.display']).toBe('Body temperature');
    expect(formToResource(resourceToForm(r)!)).toEqual(r);
  });

  it('names the keys it would rewrite with less than they hold', () => {
    const r = {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: PATIENT },
      medicationCodeableConcept: { coding: [{ code: '1' }, { code: '2' }] },
      dosageInstruction: [{ text: 'daily', timing: { code: { text: 'QD' } } }],
    };
    expect(formLoses(r)).toEqual(['medicationCodeableConcept', 'dosageInstruction']);
  });

  it('does not cover a type outside its list', () => {
    expect(resourceToForm({ resourceType: 'Patient' })).toBeNull();
    expect(resourceToForm('not a resource')).toBeNull();
  });

  it('leaves a value that is not a number as typed, for the validator to refuse', () => {
    const f = resourceToForm(CASES[0]!.resource)!;
    const r = formToResource({ ...f, values: { ...f.values, value: '37,2' } });
    expect(r.valueQuantity).toEqual({ value: '37,2', unit: 'Cel' });
    expect(() => validateFhir(r)).toThrow(/Observation\.value\[x\]\.value/);
  });

  it.each(FORM_TYPES)('round-trips any %s form values (property)', (type) => {
    // Any text in every input; a decimal input as a number prints (37.2, not 37.20).
    const inputs = Object.fromEntries(
      FORM_SPECS[type].flatMap((f) =>
        f.kind === 'decimal'
          ? [
              [
                f.id,
                fc.oneof(fc.constant(''), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)),
              ],
            ]
          : inputKeys(f).map((k) => [k, fc.string()]),
      ),
    );
    fc.assert(
      fc.property(fc.record(inputs), (values) => {
        const back = resourceToForm(formToResource({ type, values, rest: {} }));
        expect(back?.values).toEqual(complete(type, values));
      }),
      { numRuns: 200 },
    );
  });
});

describe('pick lists', () => {
  it('fill system, code, display and an empty unit', () => {
    const temp = PICK_LISTS.observation[0]!;
    const f = pickCode(newForm('Observation'), 'code', temp);
    expect(f.values).toMatchObject({ 'code.system': LOINC, 'code.code': '8310-5', unit: 'Cel' });
  });

  it("replace the previous code's usual unit", () => {
    const temp = pickCode(newForm('Observation'), 'code', PICK_LISTS.observation[0]!);
    expect(pickCode(temp, 'code', PICK_LISTS.observation[1]!).values.unit).toBe('/min');
  });

  it('leave a unit already typed', () => {
    const f = pickCode(
      { ...newForm('Observation'), values: { unit: 'degF' } },
      'code',
      PICK_LISTS.observation[0]!,
    );
    expect(f.values.unit).toBe('degF');
  });

  it('hold distinct codes in each list', () => {
    for (const codes of Object.values(PICK_LISTS))
      expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
  });

  it('keep the patient reference when the type changes', () => {
    const f = changeType(
      { ...newForm('Observation'), values: { subject: PATIENT, status: 'final' } },
      'Immunization',
    );
    expect(f.values).toEqual({ status: 'completed', subject: PATIENT });
  });
});

/** An invalid resource made from the form and the field its first validation issue lands on. */
const ISSUES: readonly { what: string; type: FormType; change: FormValues; field: string }[] = [
  {
    what: 'an effective time in words',
    type: 'Observation',
    change: { effective: 'yesterday' },
    field: 'effective',
  },
  { what: 'a value with a comma', type: 'Observation', change: { value: '37,2' }, field: 'value' },
  {
    what: 'a code system that is not a URI',
    type: 'Observation',
    change: { 'code.system': 'not a uri' },
    field: 'code',
  },
  { what: 'no patient on a Condition', type: 'Condition', change: { subject: '' }, field: 'subject' },
  { what: 'an onset on the 13th month', type: 'Condition', change: { onset: '2025-13-01' }, field: 'onset' },
  {
    what: 'no clinical status on an allergy (ait-1)',
    type: 'AllergyIntolerance',
    change: { clinicalStatus: '' },
    field: 'clinicalStatus',
  },
  {
    what: 'a reaction without a manifestation',
    type: 'AllergyIntolerance',
    change: { 'reaction.system': 'x y' },
    field: 'reaction',
  },
  {
    what: 'an occurrence with minutes but no zone',
    type: 'Immunization',
    change: { occurrence: '2026-10-15T10:30' },
    field: 'occurrence',
  },
  { what: 'an encounter end that is not a date', type: 'Encounter', change: { end: 'later' }, field: 'end' },
  {
    what: 'no intent on a MedicationRequest',
    type: 'MedicationRequest',
    change: { intent: '' },
    field: 'intent',
  },
];

describe('validation issues beside the field that caused them', () => {
  it.each(ISSUES)('puts $what beside $field', ({ type, change, field }) => {
    const base = CASES.find((c) => c.type === type)!;
    const r = formToResource({ type, values: { ...base.values, ...change }, rest: {} });
    let err: unknown;
    try {
      validateFhir(r);
    } catch (e) {
      err = e;
    }
    const issues = fhirIssuesOf(err);
    expect(issues.length).toBeGreaterThan(0);
    expect(fieldOfIssue(type, issues[0]!)).toBe(field);
  });

  it('groups an issue about what the form does not show under no field, with its path', () => {
    const by = issuesByField('Observation', [
      { path: 'Observation.note[0].text', message: 'Invalid JSON type' },
      { path: 'Observation.status', message: 'Missing required property' },
    ]);
    expect(by.get('')).toEqual(['Observation.note[0].text: Invalid JSON type']);
    expect(by.get('status')).toEqual(['Missing required property']);
  });

  it('reads no issues from an error that is not invalid_fhir', () => {
    expect(fhirIssuesOf(new TypeError('fetch failed'))).toEqual([]);
  });
});
