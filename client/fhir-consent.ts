/**
 * An R4 `Consent` (parsed JSON) read back into a grant: the patient, the grantee and the terms
 * `ConsentClient.grant` takes, or the list of what the Consent says that a grant cannot (each
 * with its FHIR path). The inverse of node/fhir/consent.ts's `grantToConsent` for an active grant
 * made directly (docs/fhir.md, "Importing a Consent"). Nothing is dropped silently: a field that
 * would change who may see what and that a grant cannot hold is a problem. Pure; never throws.
 */
import { SYSTEM } from '../protocol/fhir-systems.js';
import { validateFhir } from '../protocol/records/fhir.js';
import {
  ACCESSOR_ROLES,
  type Action,
  CODE_PATTERN,
  type Exception,
  type Grantee,
  HASH_PATTERN,
  MAX_LIST,
  Purpose,
  type Role,
  type Scope,
  type Terms,
} from '../vm/consent/types.js';

/** One thing the Consent says that a grant cannot: where (a FHIRPath) and what. */
export interface ConsentProblem {
  readonly path: string;
  readonly message: string;
}

/** A grant read from a Consent: what `ConsentClient.grant(grantee, terms, patient)` takes. */
export interface ImportedGrant {
  readonly patient: string;
  readonly grantee: Grantee;
  readonly terms: Terms;
  /** The actor id `Consent.performer` names (the grantor must be its signer), or null. */
  readonly performer: string | null;
}

/** The outcome: a grant, or every problem found. */
export type ConsentImport =
  | { readonly ok: true; readonly grant: ImportedGrant }
  | { readonly ok: false; readonly problems: readonly ConsentProblem[] };

const SYS = SYSTEM;

/** Largest input read: JSON values (objects, arrays, scalars) in all, and nesting depth. */
export const CONSENT_IMPORT_LIMITS = { values: 5_000, depth: 24 } as const;

const ACTIONS: Readonly<Record<string, Action>> = { access: 'read', correct: 'write' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Whether a value stays within the limits (counted without recursion past them). */
function withinLimits(v: unknown): boolean {
  let count = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop() as [unknown, number];
    if (++count > CONSENT_IMPORT_LIMITS.values || d > CONSENT_IMPORT_LIMITS.depth) return false;
    if (Array.isArray(x)) for (const y of x) stack.push([y, d + 1]);
    else if (isObj(x)) for (const y of Object.values(x)) stack.push([y, d + 1]);
  }
  return true;
}

/** Collects problems while reading; every reader returns null on a problem. */
class Reader {
  readonly problems: ConsentProblem[] = [];
  fail(path: string, message: string): null {
    this.problems.push({ path, message });
    return null;
  }

  /** Refuses any field of `o` not in `allowed`. */
  only(o: Obj, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, 'not supported: a grant cannot hold it');
  }

  /** A Coding (or the single coding of a CodeableConcept) with `system`; its code. */
  code(v: unknown, path: string, system: string, concept: boolean): string | null {
    let c = v;
    let p = path;
    if (concept) {
      if (!isObj(v)) return this.fail(path, 'expected a CodeableConcept');
      this.only(v, path, ['coding', 'text']);
      const codings = arr(v.coding);
      if (codings.length !== 1) return this.fail(`${path}.coding`, 'expected exactly one coding');
      c = codings[0];
      p = `${path}.coding[0]`;
    }
    if (!isObj(c)) return this.fail(p, 'expected a Coding');
    this.only(c, p, ['system', 'code', 'display']);
    if (c.system !== system) return this.fail(`${p}.system`, `must be ${system}`);
    if (typeof c.code !== 'string') return this.fail(`${p}.code`, 'required');
    return c.code;
  }

  /** A logical reference by identifier in `system`; its value (literal references cannot be resolved). */
  identifier(v: unknown, path: string, system: string, type: string | null): string | null {
    if (!isObj(v)) return this.fail(path, 'expected a Reference');
    this.only(v, path, ['type', 'identifier', 'display']);
    if (v.type !== undefined && v.type !== type && type !== null)
      return this.fail(`${path}.type`, `must be ${type}`);
    if (!isObj(v.identifier)) return this.fail(`${path}.identifier`, `required (system ${system})`);
    this.only(v.identifier, `${path}.identifier`, ['system', 'value']);
    if (v.identifier.system !== system) return this.fail(`${path}.identifier.system`, `must be ${system}`);
    const value = v.identifier.value;
    if (typeof value !== 'string') return this.fail(`${path}.identifier.value`, 'required');
    return value;
  }

  actorId(v: unknown, path: string, type: string | null): string | null {
    const id = this.identifier(v, path, SYS.actor, type);
    if (id !== null && !HASH_PATTERN.test(id))
      return this.fail(`${path}.identifier.value`, 'an actor id is 64 lowercase hex digits');
    return id;
  }

  time(v: unknown, path: string): number | null {
    if (typeof v !== 'string') return this.fail(path, 'required');
    const t = Date.parse(v);
    if (Number.isNaN(t)) return this.fail(path, 'not a date');
    return t;
  }

  category(v: unknown, path: string): string | null {
    const c = this.code(v, path, SYS.category, false);
    if (c !== null && !CODE_PATTERN.test(c))
      return this.fail(`${path}.code`, 'a category is 1-32 of a-z 0-9 -');
    return c;
  }

  record(v: unknown, path: string): string | null {
    if (!isObj(v)) return this.fail(path, 'expected a data element');
    this.only(v, path, ['meaning', 'reference']);
    if (v.meaning !== 'instance') return this.fail(`${path}.meaning`, 'only instance is supported');
    const id = this.identifier(v.reference, `${path}.reference`, SYS.record, null);
    if (id !== null && !HASH_PATTERN.test(id))
      return this.fail(`${path}.reference.identifier.value`, 'a record id is 64 lowercase hex digits');
    return id;
  }
}

function grantee(r: Reader, provision: Obj, path: string): Grantee | null {
  const actors = arr(provision.actor);
  if (actors.length === 0) return r.fail(`${path}.actor`, 'required: the grantee');
  if (actors.length > 1) return r.fail(`${path}.actor[1]`, 'more than one actor');
  const p = `${path}.actor[0]`;
  const a = actors[0];
  if (!isObj(a)) return r.fail(p, 'expected an actor');
  r.only(a, p, ['role', 'reference']);
  const role = r.code(a.role, `${p}.role`, SYS.participation, true);
  if (role === null) return null;
  if (role !== 'IRCP') return r.fail(`${p}.role`, 'only IRCP (information recipient) is supported');
  const ref = a.reference;
  const type = isObj(ref) ? ref.type : undefined;
  if (type === 'Organization') {
    const id = r.identifier(ref, `${p}.reference`, SYS.org, 'Organization');
    if (id === null) return null;
    if (!CODE_PATTERN.test(id)) return r.fail(`${p}.reference.identifier.value`, 'not an organisation code');
    return { kind: 'org', id };
  }
  if (type === 'PractitionerRole') {
    const id = r.identifier(ref, `${p}.reference`, SYS.role, 'PractitionerRole');
    if (id === null) return null;
    if (!(ACCESSOR_ROLES as readonly string[]).includes(id))
      return r.fail(`${p}.reference.identifier.value`, `a role is one of ${ACCESSOR_ROLES.join(', ')}`);
    return { kind: 'role', id: id as Role };
  }
  const id = r.actorId(ref, `${p}.reference`, null);
  return id === null ? null : { kind: 'actor', id };
}

function exception(r: Reader, v: unknown, path: string): Exception | null {
  if (!isObj(v)) return r.fail(path, 'expected a provision');
  r.only(v, path, ['type', 'class', 'data']);
  if (v.type !== 'deny') return r.fail(`${path}.type`, 'a nested provision must be deny (an exception)');
  const classes = arr(v.class);
  const data = arr(v.data);
  if (classes.length + data.length !== 1)
    return r.fail(path, 'an exception is exactly one class or one data reference');
  if (classes.length === 1) {
    const category = r.category(classes[0], `${path}.class[0]`);
    return category === null ? null : { kind: 'category', category };
  }
  const recordId = r.record(data[0], `${path}.data[0]`);
  return recordId === null ? null : { kind: 'record', recordId };
}

function terms(r: Reader, prov: Obj, path: string): Terms | null {
  r.only(prov, path, ['type', 'period', 'actor', 'action', 'purpose', 'class', 'data', 'provision']);
  if (prov.type !== 'permit') r.fail(`${path}.type`, 'the provision must be a permit');
  const actions: Action[] = [];
  const actionList = arr(prov.action);
  if (actionList.length === 0) r.fail(`${path}.action`, 'required: access and/or correct');
  actionList.forEach((a, i) => {
    const code = r.code(a, `${path}.action[${i}]`, SYS.consentAction, true);
    const action = code !== null && Object.hasOwn(ACTIONS, code) ? ACTIONS[code] : undefined;
    if (code !== null && action === undefined)
      r.fail(`${path}.action[${i}]`, `${code}: only access and correct are supported`);
    else if (action !== undefined && actions.includes(action)) r.fail(`${path}.action[${i}]`, 'repeated');
    else if (action !== undefined) actions.push(action);
  });
  const purposes: Purpose[] = [];
  const purposeList = arr(prov.purpose);
  if (purposeList.length === 0) r.fail(`${path}.purpose`, 'required: TREAT, HPAYMT, HRESCH or ETREAT');
  purposeList.forEach((p, i) => {
    const code = r.code(p, `${path}.purpose[${i}]`, SYS.actReason, false);
    if (code === null) return;
    if (!Object.hasOwn(Purpose, code))
      r.fail(`${path}.purpose[${i}]`, `${code}: only TREAT, HPAYMT, HRESCH, ETREAT`);
    else if (purposes.includes(code as Purpose)) r.fail(`${path}.purpose[${i}]`, 'repeated');
    else purposes.push(code as Purpose);
  });
  let start: number | null = null;
  let end: number | null = null;
  if (!isObj(prov.period)) r.fail(`${path}.period`, 'required: a grant has a start and an end');
  else {
    r.only(prov.period, `${path}.period`, ['start', 'end']);
    start = r.time(prov.period.start, `${path}.period.start`);
    end = r.time(prov.period.end, `${path}.period.end`);
    if (start !== null && end !== null && end <= start) r.fail(`${path}.period`, 'end must be after start');
  }
  const scope = scopeOf(r, prov, path);
  const exceptions: Exception[] = [];
  const nested = arr(prov.provision);
  if (nested.length > MAX_LIST) r.fail(`${path}.provision`, `at most ${MAX_LIST} exceptions`);
  else
    nested.forEach((n, i) => {
      const e = exception(r, n, `${path}.provision[${i}]`);
      if (e !== null) exceptions.push(e);
    });
  if (start === null || end === null || scope === null || r.problems.length > 0) return null;
  return { actions, scope, purposes, start, end, exceptions };
}

function scopeOf(r: Reader, prov: Obj, path: string): Scope | null {
  const classes = arr(prov.class);
  const data = arr(prov.data);
  if (classes.length > 0 && data.length > 0)
    return r.fail(`${path}.data`, 'a grant covers categories or one record, not both');
  if (data.length > 1) return r.fail(`${path}.data[1]`, 'more than one record');
  if (data.length === 1) {
    const recordId = r.record(data[0], `${path}.data[0]`);
    return recordId === null ? null : { kind: 'record', recordId };
  }
  if (classes.length === 0) return { kind: 'all' };
  if (classes.length > MAX_LIST) return r.fail(`${path}.class`, `at most ${MAX_LIST} categories`);
  const categories: string[] = [];
  classes.forEach((c, i) => {
    const category = r.category(c, `${path}.class[${i}]`);
    if (category !== null && categories.includes(category)) r.fail(`${path}.class[${i}]`, 'repeated');
    else if (category !== null) categories.push(category);
  });
  return categories.length === classes.length ? { kind: 'categories', categories } : null;
}

/** The FHIR validation's issues as problems, or none. */
function validationProblems(value: Obj): ConsentProblem[] {
  try {
    validateFhir(value);
    return [];
  } catch (err) {
    const issues = (err as { issues?: readonly ConsentProblem[] }).issues;
    if (Array.isArray(issues) && issues.length > 0)
      return issues.map((i: ConsentProblem) => ({ path: i.path, message: `invalid R4: ${i.message}` }));
    return [{ path: '', message: `invalid R4: ${err instanceof Error ? err.message : String(err)}` }];
  }
}

/** Reads a parsed R4 Consent as a grant (docs/fhir.md, "Importing a Consent"). */
export function consentToGrant(value: unknown): ConsentImport {
  const no = (path: string, message: string): ConsentImport => ({ ok: false, problems: [{ path, message }] });
  if (!isObj(value)) return no('', 'a Consent must be a JSON object');
  if (value.resourceType !== 'Consent') return no('resourceType', 'must be Consent');
  if (!withinLimits(value))
    return no(
      '',
      `too large: at most ${CONSENT_IMPORT_LIMITS.values} JSON values, nested at most ${CONSENT_IMPORT_LIMITS.depth} deep`,
    );
  const invalid = validationProblems(value);
  if (invalid.length > 0) return { ok: false, problems: invalid };

  const r = new Reader();
  const C = 'Consent';
  r.only(value, C, [
    'resourceType',
    'id',
    'meta',
    'identifier',
    'status',
    'scope',
    'category',
    'patient',
    'dateTime',
    'performer',
    'policyRule',
    'provision',
  ]);
  // id, identifier, dateTime and meta's version say where the Consent came from, not what it
  // permits: the import makes a new grant with its own number and time.
  if (isObj(value.meta)) r.only(value.meta, `${C}.meta`, ['versionId', 'lastUpdated', 'source']);
  if (value.status !== 'active') r.fail(`${C}.status`, 'only an active Consent becomes a grant');
  const scope = r.code(value.scope, `${C}.scope`, SYS.consentScope, true);
  if (scope !== null && scope !== 'patient-privacy')
    r.fail(`${C}.scope`, 'only patient-privacy is supported');
  arr(value.category).forEach((c, i) => {
    const code = r.code(c, `${C}.category[${i}]`, SYS.loinc, true);
    if (code !== null && code !== '59284-0') r.fail(`${C}.category[${i}]`, 'only LOINC 59284-0 is supported');
  });
  if (value.policyRule !== undefined) {
    const code = r.code(value.policyRule, `${C}.policyRule`, SYS.actCode, true);
    if (code !== null && code !== 'OPTIN') r.fail(`${C}.policyRule`, 'only OPTIN is supported');
  }
  const patient = r.actorId(value.patient, `${C}.patient`, 'Patient');
  const performers = arr(value.performer);
  if (performers.length > 1) r.fail(`${C}.performer[1]`, 'more than one performer');
  const performer = performers.length === 1 ? r.actorId(performers[0], `${C}.performer[0]`, null) : null;
  const g = isObj(value.provision) ? grantee(r, value.provision, `${C}.provision`) : null;
  const t = isObj(value.provision)
    ? terms(r, value.provision, `${C}.provision`)
    : r.fail(`${C}.provision`, 'required: one permit provision');
  if (r.problems.length > 0 || patient === null || g === null || t === null)
    return { ok: false, problems: r.problems.length > 0 ? r.problems : [{ path: C, message: 'unreadable' }] };
  return { ok: true, grant: { patient, grantee: g, terms: t, performer } };
}
