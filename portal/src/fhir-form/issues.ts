/**
 * Validation issues put beside the form field they are about. The issues are validateFhir's
 * (protocol/records/fhir.ts), each a FHIR path as @medplum/core names it
 * (`Observation.effective[x]`, `Condition.subject`, `Observation.code.coding[0].system`) and a
 * message. Pure.
 */
import type { FhirIssue } from '../../../protocol/records/fhir.js';
import { FORM_SPECS, type FormType } from './spec.js';

/** The issues a failed write carries: a RecordError `invalid_fhir`'s `issues`, else its path (`detail`). */
export function fhirIssuesOf(err: unknown): readonly FhirIssue[] {
  const e = err as { code?: unknown; issues?: unknown; detail?: unknown; message?: unknown };
  if (e?.code !== 'invalid_fhir') return [];
  if (Array.isArray(e.issues))
    return e.issues.filter(
      (i): i is FhirIssue => typeof i?.path === 'string' && typeof i?.message === 'string',
    );
  return [{ path: typeof e.detail === 'string' ? e.detail : '', message: String(e.message ?? 'invalid') }];
}

// `path` is `prefix` itself or inside it (a child `.x` or an index `[0]`).
const within = (path: string, prefix: string): boolean =>
  path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/**
 * The id of the field of a `type` form that `issue` is about, or null (an issue about something
 * the form does not show). A constraint on the whole resource (path `AllergyIntolerance`) goes to
 * the field its message names.
 */
export function fieldOfIssue(type: FormType, issue: FhirIssue): string | null {
  let best: { id: string; len: number } | null = null;
  for (const f of FORM_SPECS[type])
    if (within(issue.path, f.fhirPath) && (best === null || f.fhirPath.length > best.len))
      best = { id: f.id, len: f.fhirPath.length };
  if (best !== null) return best.id;
  if (issue.path === type || issue.path === '')
    for (const f of FORM_SPECS[type])
      if (new RegExp(`${f.fhirPath.replace(/[.[\]]/g, '\\$&')}(?![A-Za-z])`).test(issue.message)) return f.id;
  return null;
}

/** Issues grouped by field id; those about no field under `''`. */
export function issuesByField(
  type: FormType,
  issues: readonly FhirIssue[],
): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const i of issues) {
    const id = fieldOfIssue(type, i) ?? '';
    const text = id === '' && i.path !== '' ? `${i.path}: ${i.message}` : i.message;
    out.set(id, [...(out.get(id) ?? []), text]);
  }
  return out;
}
