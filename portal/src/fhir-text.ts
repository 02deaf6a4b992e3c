/**
 * FHIR R4 resources as label/value lines a clinician can read: Patient, Observation, Condition,
 * MedicationRequest, AllergyIntolerance, Immunization, DiagnosticReport, Encounter (a Bundle is
 * its entries). Pure: the view renders every value as text, never as HTML; a narrative's markup
 * is reduced to its text.
 */

type J = Record<string, unknown>;
const obj = (v: unknown): J => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/** A CodeableConcept's text, else its codings' display or system|code. */
export function concept(v: unknown): string {
  const c = obj(v);
  if (s(c.text) !== '') return s(c.text);
  return arr(c.coding)
    .map((x) => {
      const k = obj(x);
      return (
        s(k.display) || [s(k.code), s(k.system) === '' ? '' : `(${s(k.system)})`].filter(Boolean).join(' ')
      );
    })
    .filter(Boolean)
    .join('; ');
}
const concepts = (v: unknown): string => arr(v).map(concept).filter(Boolean).join(', ');
const ref = (v: unknown): string => s(obj(v).display) || s(obj(v).reference);
const quantity = (v: unknown): string => {
  const q = obj(v);
  return [s(q.comparator), s(q.value), s(q.unit) || s(q.code)].filter(Boolean).join(' ');
};
const period = (v: unknown): string => {
  const p = obj(v);
  return [s(p.start), s(p.end)].some(Boolean) ? `${s(p.start) || '…'} – ${s(p.end) || 'ongoing'}` : '';
};
const humanName = (v: unknown): string =>
  arr(v)
    .map((n) => {
      const o = obj(n);
      return (
        s(o.text) || [...arr(o.prefix).map(s), ...arr(o.given).map(s), s(o.family)].filter(Boolean).join(' ')
      );
    })
    .filter(Boolean)
    .join('; ');
const value = (r: J): string =>
  quantity(r.valueQuantity) ||
  concept(r.valueCodeableConcept) ||
  s(r.valueString) ||
  s(r.valueBoolean) ||
  s(r.valueInteger) ||
  s(r.valueDateTime) ||
  '';

/** The text of a narrative's XHTML (markup removed, entities for <, >, & decoded). */
export function narrativeText(div: string): string {
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One resource as a title and label/value lines (empty values left out). */
export interface ReadableResource {
  readonly title: string;
  readonly lines: readonly (readonly [string, string])[];
  readonly narrative: string;
  /** A Bundle's entries. */
  readonly entries: readonly ReadableResource[];
}

/** A FHIR resource made readable. */
export function readable(resource: unknown): ReadableResource {
  const r = obj(resource);
  const type = s(r.resourceType) || 'Resource';
  const L: [string, string][] = [];
  const add = (label: string, v: string) => {
    if (v !== '') L.push([label, v]);
  };
  let title = type;
  // "Allergy: Penicillin", or just "Allergy" when the resource does not say what.
  const titled = (what: string, about: string) => (about === '' ? what : `${what}: ${about}`);
  switch (type) {
    case 'Patient':
      title = `Patient ${humanName(r.name)}`.trim();
      add('Name', humanName(r.name));
      add('Born', s(r.birthDate));
      add('Gender', s(r.gender));
      add(
        'Identifier',
        arr(r.identifier)
          .map((i) => s(obj(i).value))
          .filter(Boolean)
          .join(', '),
      );
      break;
    case 'Observation':
      title = titled('Observation', concept(r.code));
      add('Status', s(r.status));
      add('Category', concepts(r.category));
      add('Value', value(r));
      for (const c of arr(r.component)) add(concept(obj(c).code) || 'Component', value(obj(c)));
      add('Interpretation', concepts(r.interpretation));
      add('When', s(r.effectiveDateTime) || period(r.effectivePeriod));
      add('Performer', arr(r.performer).map(ref).join(', '));
      break;
    case 'Condition':
      title = titled('Condition', concept(r.code));
      add('Clinical status', concept(r.clinicalStatus));
      add('Verification', concept(r.verificationStatus));
      add('Severity', concept(r.severity));
      add('Onset', s(r.onsetDateTime) || period(r.onsetPeriod));
      add('Recorded', s(r.recordedDate));
      break;
    case 'MedicationRequest':
      title = titled('Medication', concept(r.medicationCodeableConcept) || ref(r.medicationReference));
      add('Status', s(r.status));
      add('Intent', s(r.intent));
      add(
        'Dosage',
        arr(r.dosageInstruction)
          .map((d) => s(obj(d).text))
          .filter(Boolean)
          .join('; '),
      );
      add('Authored', s(r.authoredOn));
      add('Requester', ref(r.requester));
      break;
    case 'AllergyIntolerance':
      title = titled('Allergy', concept(r.code));
      add('Clinical status', concept(r.clinicalStatus));
      add('Criticality', s(r.criticality));
      add('Category', arr(r.category).map(s).join(', '));
      add(
        'Reactions',
        arr(r.reaction)
          .map((x) => concepts(obj(x).manifestation))
          .filter(Boolean)
          .join('; '),
      );
      break;
    case 'Immunization':
      title = titled('Immunization', concept(r.vaccineCode));
      add('Status', s(r.status));
      add('Given', s(r.occurrenceDateTime) || s(r.occurrenceString));
      add('Lot', s(r.lotNumber));
      break;
    case 'DiagnosticReport':
      title = titled('Report', concept(r.code));
      add('Status', s(r.status));
      add('Category', concepts(r.category));
      add('When', s(r.effectiveDateTime) || period(r.effectivePeriod));
      add('Results', arr(r.result).map(ref).join(', '));
      add('Conclusion', s(r.conclusion));
      break;
    case 'Encounter':
      title = titled('Encounter', concepts(r.type) || s(obj(r.class).display) || s(obj(r.class).code));
      add('Status', s(r.status));
      add('Class', s(obj(r.class).display) || s(obj(r.class).code));
      add('Period', period(r.period));
      add('Reason', concepts(r.reasonCode));
      break;
    case 'Bundle':
      title = `Bundle (${s(r.type)}, ${arr(r.entry).length} entries)`;
      break;
    default:
      add('Resource', type);
  }
  add('Subject', ref(r.subject) || ref(r.patient));
  add(
    'Note',
    arr(r.note)
      .map((n) => s(obj(n).text))
      .filter(Boolean)
      .join(' '),
  );
  const narrative = narrativeText(s(obj(r.text).div));
  const entries = type === 'Bundle' ? arr(r.entry).map((e) => readable(obj(e).resource)) : [];
  return { title, lines: L, narrative, entries };
}
