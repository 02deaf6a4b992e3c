/**
 * The portal's readable FHIR (portal/src/fhir-text.ts, fhir-view.tsx) for the resource types the
 * first tests left out: MedicationRequest, AllergyIntolerance, Immunization, DiagnosticReport,
 * Encounter and Bundle, as a table of synthetic resources and the title and lines a clinician
 * reads; and a hostile narrative, reduced to text and rendered as a text child, never as HTML.
 */
import type { ComponentChildren, VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { readable } from '../../../portal/src/fhir-text.js';
import { Readable } from '../../../portal/src/fhir-view.js';

const SUBJECT = { reference: 'Patient/synthetic-7' };

const CASES: readonly {
  readonly type: string;
  readonly resource: Record<string, unknown>;
  readonly title: string;
  readonly lines: readonly (readonly [string, string])[];
}[] = [
  {
    type: 'MedicationRequest',
    resource: {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [
          {
            system: 'http://www.nlm.nih.gov/research/umls/rxnorm',
            code: '197361',
            display: 'Amlodipine 5 MG',
          },
        ],
      },
      subject: SUBJECT,
      authoredOn: '2026-11-02',
      requester: { reference: 'Practitioner/synthetic-2', display: 'Dr Synthetic' },
      dosageInstruction: [{ text: 'one tablet daily' }, { text: 'with food' }],
    },
    title: 'Medication: Amlodipine 5 MG',
    lines: [
      ['Status', 'active'],
      ['Intent', 'order'],
      ['Dosage', 'one tablet daily; with food'],
      ['Authored', '2026-11-02'],
      ['Requester', 'Dr Synthetic'],
      ['Subject', 'Patient/synthetic-7'],
    ],
  },
  {
    type: 'AllergyIntolerance',
    resource: {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
      criticality: 'high',
      category: ['medication'],
      code: { text: 'Penicillin' },
      patient: SUBJECT,
      reaction: [{ manifestation: [{ text: 'Hives' }, { text: 'Wheezing' }] }],
    },
    title: 'Allergy: Penicillin',
    lines: [
      ['Clinical status', 'active (http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical)'],
      ['Criticality', 'high'],
      ['Category', 'medication'],
      ['Reactions', 'Hives, Wheezing'],
      ['Subject', 'Patient/synthetic-7'],
    ],
  },
  {
    type: 'Immunization',
    resource: {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: {
        coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140', display: 'Influenza, seasonal' }],
      },
      patient: SUBJECT,
      occurrenceDateTime: '2026-10-15',
      lotNumber: 'SYN-LOT-1',
    },
    title: 'Immunization: Influenza, seasonal',
    lines: [
      ['Status', 'completed'],
      ['Given', '2026-10-15'],
      ['Lot', 'SYN-LOT-1'],
      ['Subject', 'Patient/synthetic-7'],
    ],
  },
  {
    type: 'DiagnosticReport',
    resource: {
      resourceType: 'DiagnosticReport',
      status: 'final',
      category: [{ text: 'Laboratory' }],
      code: { text: 'Complete blood count' },
      subject: SUBJECT,
      effectivePeriod: { start: '2026-11-01' },
      result: [{ reference: 'Observation/synthetic-1' }, { display: 'Hemoglobin 13.2 g/dL' }],
      conclusion: 'Within normal limits',
    },
    title: 'Report: Complete blood count',
    lines: [
      ['Status', 'final'],
      ['Category', 'Laboratory'],
      ['When', '2026-11-01 – ongoing'],
      ['Results', 'Observation/synthetic-1, Hemoglobin 13.2 g/dL'],
      ['Conclusion', 'Within normal limits'],
      ['Subject', 'Patient/synthetic-7'],
    ],
  },
  {
    type: 'Encounter',
    resource: {
      resourceType: 'Encounter',
      status: 'finished',
      class: {
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        code: 'AMB',
        display: 'ambulatory',
      },
      type: [{ text: 'Follow-up visit' }],
      subject: SUBJECT,
      period: { start: '2026-11-03T09:00:00Z', end: '2026-11-03T09:30:00Z' },
      reasonCode: [{ text: 'Hypertension' }],
    },
    title: 'Encounter: Follow-up visit',
    lines: [
      ['Status', 'finished'],
      ['Class', 'ambulatory'],
      ['Period', '2026-11-03T09:00:00Z – 2026-11-03T09:30:00Z'],
      ['Reason', 'Hypertension'],
      ['Subject', 'Patient/synthetic-7'],
    ],
  },
  {
    type: 'Bundle',
    resource: {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { resource: { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'Tetanus' } } },
        { resource: { resourceType: 'Encounter', status: 'planned', class: { code: 'AMB' } } },
      ],
    },
    title: 'Bundle (collection, 2 entries)',
    lines: [],
  },
];

describe('readable FHIR, per resource type', () => {
  it.each(CASES)('reads a $type as a title and labelled lines', ({ resource, title, lines }) => {
    const r = readable(resource);
    expect(r.title).toBe(title);
    expect(r.lines).toEqual(lines);
  });

  it("reads a Bundle's entries each as their own type", () => {
    const r = readable(CASES.find((c) => c.type === 'Bundle')?.resource);
    expect(r.entries.map((e) => [e.title, e.lines])).toEqual([
      ['Immunization: Tetanus', [['Status', 'completed']]],
      [
        'Encounter: AMB',
        [
          ['Status', 'planned'],
          ['Class', 'AMB'],
        ],
      ],
    ]);
  });

  it('leaves out what a resource does not say, title included', () => {
    expect(readable({ resourceType: 'MedicationRequest' })).toEqual({
      title: 'Medication',
      lines: [],
      narrative: '',
      entries: [],
    });
  });
});

/** Every string a vnode tree renders, calling function components; fails on raw-HTML props. */
function renderedText(node: ComponentChildren): string[] {
  if (node === null || node === undefined || typeof node === 'boolean') return [];
  if (typeof node === 'string' || typeof node === 'number') return [String(node)];
  if (Array.isArray(node)) return node.flatMap(renderedText);
  const v = node as VNode<Record<string, unknown>>;
  expect(Object.keys(v.props)).not.toContain('dangerouslySetInnerHTML');
  if (typeof v.type === 'function')
    return renderedText((v.type as (p: unknown) => ComponentChildren)(v.props));
  return renderedText(v.props.children as ComponentChildren);
}

describe('a hostile narrative', () => {
  const hostile = {
    resourceType: 'DiagnosticReport',
    status: 'final',
    code: { text: 'Chest X-ray' },
    text: {
      status: 'generated',
      div:
        '<div xmlns="http://www.w3.org/1999/xhtml"><script>window.__xss=1</script>' +
        '<img src="x" onerror="window.__xss=2"/><a href="javascript:alert(1)">Clear lungs</a>' +
        ' &lt;b&gt;no effusion&lt;/b&gt;</div>',
    },
  };

  it('is reduced to its text: no tag of the narrative is left', () => {
    expect(readable(hostile).narrative).toBe('window.__xss=1 Clear lungs <b>no effusion</b>');
  });

  it('renders as one text child of a paragraph, never as HTML', () => {
    const tree = Readable({ r: readable(hostile) });
    const text = renderedText(tree);
    expect(text).toContain('window.__xss=1 Clear lungs <b>no effusion</b>');
    expect(text).toContain('Report: Chest X-ray');
  });
});
