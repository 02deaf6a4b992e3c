/**
 * Flattening de-identified records to the anonymiser's table: one row per patient with the chosen
 * quasi-identifiers and one sensitive value. Reads only what the Safe Harbor engine left in place.
 */
import type { CodeableConcept, Condition, Extension, Patient } from '@medplum/fhirtypes';
import { flatHierarchy, type HierarchySpec, prefixHierarchy } from './anonymity/hierarchy.js';
import { US_CORE_ETHNICITY, US_CORE_RACE } from './safe-harbor/rules.js';
import { yearOf } from './safe-harbor/transforms.js';
import type { PatientRecord } from './types.js';

/** The quasi-identifiers the flattener knows: birth year is numeric, the rest categorical. */
export const QI_NAMES = ['birthYear', 'sex', 'zip3', 'ethnicity', 'race', 'state'] as const;
export type QiName = (typeof QI_NAMES)[number];

/** The sensitive attribute: the code, in `system`, of the patient's earliest-onset condition (`none` if none). */
export interface SensitiveSpec {
  readonly kind: 'condition';
  readonly system: string;
}

/** Value used when a categorical quasi-identifier is absent. */
const UNKNOWN = 'unknown';

function ombCode(p: Patient, url: string): string {
  const ext = p.extension?.find((e: Extension) => e.url === url);
  const code = ext?.extension?.find((e) => e.url === 'ombCategory')?.valueCoding?.code;
  return code ?? UNKNOWN;
}

/** A quasi-identifier of a de-identified Patient; undefined when a numeric one is missing. */
function extractQi(p: Patient, name: QiName): number | string | undefined {
  const address = p.address?.[0];
  switch (name) {
    case 'birthYear':
      return p.birthDate === undefined ? undefined : yearOf(p.birthDate);
    case 'sex':
      return p.gender ?? UNKNOWN;
    case 'zip3':
      // A missing ZIP joins the restricted areas: both say "somewhere small or unknown".
      return address?.postalCode ?? '000';
    case 'ethnicity':
      return ombCode(p, US_CORE_ETHNICITY);
    case 'race':
      return ombCode(p, US_CORE_RACE);
    case 'state':
      return address?.state ?? UNKNOWN;
  }
}

function codeIn(cc: CodeableConcept | undefined, system: string): string | undefined {
  return cc?.coding?.find((c) => c.system === system)?.code;
}

/** The sensitive value of a de-identified record. */
function extractSensitive(rec: PatientRecord, spec: SensitiveSpec): string {
  let best: { onset: string; code: string } | undefined;
  for (const r of rec.resources) {
    if (r.resourceType !== 'Condition') continue;
    const code = codeIn((r as Condition).code, spec.system);
    if (code === undefined) continue;
    const onset = (r as Condition).onsetDateTime ?? '9999';
    if (!best || onset < best.onset || (onset === best.onset && code < best.code)) best = { onset, code };
  }
  return best?.code ?? 'none';
}

/** One row, or undefined when a numeric quasi-identifier is missing (the row cannot be placed). */
export function flattenRecord(
  rec: PatientRecord,
  qis: readonly QiName[],
  sensitive: SensitiveSpec,
): { qi: (number | string)[]; sensitive: string } | undefined {
  const qi: (number | string)[] = [];
  for (const name of qis) {
    const v = extractQi(rec.patient, name);
    if (v === undefined) return undefined;
    qi.push(v);
  }
  return { qi, sensitive: extractSensitive(rec, sensitive) };
}

const KNOWN: Readonly<Partial<Record<QiName, readonly string[]>>> = {
  sex: ['female', 'male', 'other', UNKNOWN],
  ethnicity: ['2135-2', '2186-5', UNKNOWN],
  race: ['1002-5', '2028-9', '2054-5', '2076-8', '2106-3', '2131-1', UNKNOWN],
};

/**
 * The default hierarchy of a categorical quasi-identifier over the values seen: ZIP3 by prefix
 * (021 -> 02* -> 0** -> *), the others straight to `*` over their known codes plus anything seen.
 */
export function defaultHierarchy(name: QiName, seen: Iterable<string>): HierarchySpec {
  const values = new Set([...(KNOWN[name] ?? []), ...seen]);
  return name === 'zip3' ? prefixHierarchy(values) : flatHierarchy(values);
}
