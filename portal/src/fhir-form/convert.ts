/**
 * The FHIR form editor's pure core: form values (one string per input) -> a FHIR R4 resource,
 * and a resource -> form values plus the rest of the resource the form does not show (kept as
 * is). Nothing here validates: the resource goes through the same validateFhir as the JSON
 * editor's, and its issues are put back beside the fields (issues.ts).
 */
import { PICK_LISTS, type PickCode } from './codes.js';
import { type FieldSpec, FORM_DEFAULTS, FORM_SPECS, type FormType, isFormType, type Step } from './spec.js';

type J = Record<string, unknown>;

/** The values of a form's inputs, by input key (`status`, or `code.system` for a code's part). */
export type FormValues = Readonly<Record<string, string>>;

/** A form: its resource type, input values, and the rest of the resource (top-level keys it does not show). */
export interface FhirForm {
  readonly type: FormType;
  readonly values: FormValues;
  readonly rest: Readonly<J>;
}

const obj = (v: unknown): J => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const CODE_PARTS = ['system', 'code', 'display'] as const;

/** The input keys of a field: its id, or one per part of a code. */
export function inputKeys(f: FieldSpec): readonly string[] {
  return f.kind === 'concept' || f.kind === 'coding' ? CODE_PARTS.map((p) => `${f.id}.${p}`) : [f.id];
}

/** A new, empty form of `type` with its defaults. */
export function newForm(type: FormType): FhirForm {
  return { type, values: { ...FORM_DEFAULTS[type] }, rest: {} };
}

function getIn(v: unknown, path: readonly Step[]): unknown {
  let cur = v;
  for (const step of path) {
    if (typeof step === 'number') cur = Array.isArray(cur) ? cur[step] : undefined;
    else cur = obj(cur)[step];
    if (cur === undefined) return undefined;
  }
  return cur;
}

function setIn(root: J, path: readonly Step[], value: unknown): void {
  let cur: J | unknown[] = root;
  path.forEach((step, i) => {
    const last = i === path.length - 1;
    const next = path[i + 1];
    const slot = (cur as Record<Step, unknown>)[step];
    if (last) (cur as Record<Step, unknown>)[step] = value;
    else {
      const fresh = typeof next === 'number' ? [] : {};
      const child = typeof slot === 'object' && slot !== null ? slot : fresh;
      (cur as Record<Step, unknown>)[step] = child;
      cur = child as J | unknown[];
    }
  });
}

function codeOf(values: FormValues, id: string): J | undefined {
  const c: J = {};
  for (const p of CODE_PARTS) {
    const v = values[`${id}.${p}`] ?? '';
    if (v !== '') c[p] = v;
  }
  return Object.keys(c).length === 0 ? undefined : c;
}

// What a field puts in the resource, or undefined when its inputs are empty.
function fieldValue(f: FieldSpec, values: FormValues): unknown {
  const v = values[f.id] ?? '';
  switch (f.kind) {
    case 'concept': {
      const c = codeOf(values, f.id);
      if (c === undefined) return undefined;
      // Only words, no code: the concept's text (a Coding of a display alone says less).
      return c.system === undefined && c.code === undefined ? { text: c.display } : { coding: [c] };
    }
    case 'coding':
      return codeOf(values, f.id);
    case 'status-concept':
      return v === '' ? undefined : { coding: [{ system: f.system, code: v }] };
    case 'decimal': {
      if (v === '') return undefined;
      const n = Number(v);
      // Not a number: left as typed, for the validator to name the path (the same as in JSON).
      return v.trim() !== '' && Number.isFinite(n) ? n : v;
    }
    case 'reference':
      return v === '' ? undefined : { reference: v };
    default:
      return v === '' ? undefined : v;
  }
}

/** The top-level keys of a resource a form type writes. */
export function ownedKeys(type: FormType): ReadonlySet<string> {
  return new Set(FORM_SPECS[type].map((f) => String(f.at[0])));
}

/** A form as a FHIR resource: resourceType, what the inputs say, then the rest. */
export function formToResource(form: FhirForm): J {
  const out: J = { resourceType: form.type };
  for (const f of FORM_SPECS[form.type]) {
    const v = fieldValue(f, form.values);
    if (v !== undefined) setIn(out, f.at, v);
  }
  const owned = ownedKeys(form.type);
  for (const [k, v] of Object.entries(form.rest)) if (k !== 'resourceType' && !owned.has(k)) out[k] = v;
  return out;
}

function fieldInputs(f: FieldSpec, r: J): Record<string, string> {
  const x = getIn(r, f.at);
  switch (f.kind) {
    case 'concept': {
      const c = obj(x);
      const coding = obj(Array.isArray(c.coding) ? c.coding[0] : undefined);
      return {
        [`${f.id}.system`]: str(coding.system),
        [`${f.id}.code`]: str(coding.code),
        [`${f.id}.display`]: str(coding.display) || str(c.text),
      };
    }
    case 'coding': {
      const c = obj(x);
      return {
        [`${f.id}.system`]: str(c.system),
        [`${f.id}.code`]: str(c.code),
        [`${f.id}.display`]: str(c.display),
      };
    }
    case 'status-concept': {
      const coding = obj(Array.isArray(obj(x).coding) ? (obj(x).coding as unknown[])[0] : undefined);
      return { [f.id]: str(coding.code) };
    }
    case 'decimal':
      return { [f.id]: typeof x === 'number' ? String(x) : str(x) };
    case 'reference':
      return { [f.id]: str(obj(x).reference) };
    default:
      return { [f.id]: str(x) };
  }
}

/** A resource as a form, or null when the form does not cover its type. */
export function resourceToForm(resource: unknown): FhirForm | null {
  const r = obj(resource);
  if (!isFormType(r.resourceType)) return null;
  const type = r.resourceType;
  const values: Record<string, string> = {};
  for (const f of FORM_SPECS[type]) Object.assign(values, fieldInputs(f, r));
  const owned = ownedKeys(type);
  const rest = Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'resourceType' && !owned.has(k)));
  return { type, values, rest };
}

// JSON with sorted keys, to compare two values whatever their key order.
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((v as J)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}

/**
 * The top-level keys of `resource` that the form would rewrite with less than they hold (a second
 * coding, a dosage's timing, a concept's text beside its coding): editing in the form drops what
 * they hold beyond the form's inputs. Empty when the form shows the resource whole.
 */
export function formLoses(resource: unknown): readonly string[] {
  const form = resourceToForm(resource);
  if (form === null) return [];
  const again = formToResource(form);
  const r = obj(resource);
  return [...ownedKeys(form.type)].filter((k) => stable(r[k]) !== stable(again[k]));
}

// The usual unit of a code in the pick lists, if it has one.
const usualUnit = (system: string, code: string): string | undefined =>
  Object.values(PICK_LISTS)
    .flat()
    .find((c: PickCode) => c.system === system && c.code === code)?.unit;

/** The form with one input changed. */
export const setValue = (form: FhirForm, key: string, value: string): FhirForm => ({
  ...form,
  values: { ...form.values, [key]: value },
});

/**
 * The form with a code from a pick list put into field `id` (system, code, display), and the
 * code's usual unit into the `unit` input when it is empty or still the previous pick's unit.
 */
export function pickCode(form: FhirForm, id: string, pick: PickCode): FhirForm {
  const before = usualUnit(form.values[`${id}.system`] ?? '', form.values[`${id}.code`] ?? '');
  const unit = form.values.unit ?? '';
  const values: Record<string, string> = {
    ...form.values,
    [`${id}.system`]: pick.system,
    [`${id}.code`]: pick.code,
    [`${id}.display`]: pick.display,
  };
  const hasUnit = FORM_SPECS[form.type].some((f) => f.id === 'unit');
  if (hasUnit && pick.unit !== undefined && (unit === '' || unit === before)) values.unit = pick.unit;
  return { ...form, values };
}

/** The form switched to another type: that type's defaults, the patient reference kept. */
export function changeType(form: FhirForm, type: FormType): FhirForm {
  const fresh = newForm(type);
  const subject = form.values.subject ?? '';
  return subject === '' ? fresh : setValue(fresh, 'subject', subject);
}
