/**
 * The Safe Harbor engine: applies a rule set (rules.ts) to one FHIR resource and returns a new,
 * de-identified resource plus a log of what it did. Default deny: an element is removed unless a rule
 * names it, a kept ancestor covers it, or rules name elements below it (then only those survive).
 * Inside a kept subtree, a string shaped like a FHIR date (with at least a month) is still cut by the
 * date policy: a safety net for dates nested in kept structures. Pure: no clock, no randomness.
 */
import type { Age, Extension, Resource } from '@medplum/fhirtypes';
import { ResearchError, ResearchErrorCode } from '../errors.js';
import { AGE_90_OR_OLDER, type Rule, RuleAction } from './rules.js';
import {
  capAge,
  type DatePolicy,
  deidentifyBirthDate,
  deidentifyDate,
  validateDatePolicy,
  zipToZip3,
} from './transforms.js';

/** Inputs of one export's de-identification; the same options give the same output. */
export interface DeidentifyOptions {
  /** Dates to the year (Safe Harbor) or shifted by a secret per-export offset. */
  readonly dates: DatePolicy;
  /** The year of the export: who is over 89 is judged against it. */
  readonly referenceYear: number;
  /** Patient id -> the export's pseudonym; references to other patients are dropped. */
  readonly pseudonyms: ReadonlyMap<string, string>;
}

/** What happened to which path: `path action` -> count. Actions include `default-remove` and `date-net`. */
export type DeidentifyLog = Map<string, number>;

/** A rule set compiled for lookup by path. */
export interface CompiledRules {
  readonly byPath: ReadonlyMap<string, Rule>;
  /** Paths with rules below them but none of their own: descended into, other children default-denied. */
  readonly inner: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
}

const ACTIONS = new Set<string>(Object.values(RuleAction));

/** Compiles and checks a rule set (no path twice, known actions, urls on `extensions` rules). */
export function compileRules(rules: Readonly<Record<string, readonly Rule[]>>): CompiledRules {
  const byPath = new Map<string, Rule>();
  for (const [type, list] of Object.entries(rules)) {
    for (const rule of list) {
      if (!rule.path.startsWith(`${type}.`)) {
        throw new ResearchError(ResearchErrorCode.InvalidRule, `${rule.path} is not under ${type}`);
      }
      if (!ACTIONS.has(rule.action)) {
        throw new ResearchError(
          ResearchErrorCode.InvalidRule,
          `unknown action ${rule.action} at ${rule.path}`,
        );
      }
      if (rule.action === RuleAction.Extensions && !rule.urls) {
        throw new ResearchError(
          ResearchErrorCode.InvalidRule,
          `extensions rule without urls at ${rule.path}`,
        );
      }
      if (byPath.has(rule.path)) throw new ResearchError(ResearchErrorCode.InvalidRule, `${rule.path} twice`);
      byPath.set(rule.path, rule);
    }
  }
  const inner = new Set<string>();
  for (const path of byPath.keys()) {
    for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) {
      const prefix = path.slice(0, i);
      if (!byPath.has(prefix)) inner.add(prefix);
    }
  }
  return { byPath, inner, types: new Set(Object.keys(rules)) };
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

class Run {
  over89 = false;
  constructor(
    readonly rules: CompiledRules,
    readonly opts: DeidentifyOptions,
    readonly log: DeidentifyLog,
  ) {}

  note(path: string, action: string): void {
    const key = `${path} ${action}`;
    this.log.set(key, (this.log.get(key) ?? 0) + 1);
  }

  /** The children of an object under the rules; undefined when nothing survives. */
  object(obj: JsonObject, path: string, kept: boolean): JsonObject | undefined {
    const out: JsonObject = {};
    let any = false;
    for (const [key, value] of Object.entries(obj)) {
      const childPath = `${path}.${key}`;
      const rule = this.rules.byPath.get(childPath);
      let v: Json | undefined;
      if (rule) v = this.apply(rule, value, childPath);
      else if (kept) v = this.keep(value, childPath);
      else if (this.rules.inner.has(childPath)) v = this.inner(value, childPath);
      else this.note(childPath, 'default-remove');
      if (v !== undefined) {
        out[key] = v;
        any = true;
      }
    }
    return any ? out : undefined;
  }

  /** Keeps a value (rules below still apply); strings shaped like dates are cut all the same. */
  keep(value: Json, path: string): Json | undefined {
    if (Array.isArray(value)) return this.list(value, (v) => this.keep(v, path));
    if (isObject(value)) return this.object(value, path, true);
    // A bare year is already Safe Harbor, and 4-digit codes (RxNorm 1191) must not be "shifted".
    if (typeof value === 'string' && /^\d{4}-\d{2}/.test(value)) {
      const d = deidentifyDate(value, this.opts.dates);
      if (d !== undefined && d !== value) {
        this.note(path, 'date-net');
        return d;
      }
    }
    return value;
  }

  /** A value with no rule of its own but rules below it: only what those rules keep survives. */
  inner(value: Json, path: string): Json | undefined {
    if (Array.isArray(value)) return this.list(value, (v) => this.inner(v, path));
    return isObject(value) ? this.object(value, path, false) : undefined;
  }

  list(values: Json[], f: (v: Json) => Json | undefined): Json[] | undefined {
    const out: Json[] = [];
    for (const v of values) {
      const r = f(v);
      if (r !== undefined) out.push(r);
    }
    return out.length > 0 ? out : undefined;
  }

  apply(rule: Rule, value: Json, path: string): Json | undefined {
    this.note(path, rule.action);
    switch (rule.action) {
      case RuleAction.Remove:
        return undefined;
      case RuleAction.Keep:
        return this.keep(value, path);
      case RuleAction.Date:
        if (Array.isArray(value)) return this.list(value, (v) => this.date(v));
        return this.date(value);
      case RuleAction.BirthDate: {
        if (typeof value !== 'string') return undefined;
        const b = deidentifyBirthDate(value, this.opts.dates, this.opts.referenceYear);
        if (b?.over89) this.over89 = true;
        return b?.value;
      }
      case RuleAction.Zip3:
        return typeof value === 'string' ? zipToZip3(value) : undefined;
      case RuleAction.Age:
        return isObject(value) ? (capAge(value as Age) as JsonObject) : undefined;
      case RuleAction.Pseudonym:
        return this.pseudonym(value);
      case RuleAction.Extensions: {
        if (!Array.isArray(value)) return undefined;
        const urls = new Set(rule.urls);
        return this.list(value, (v) => {
          if (!isObject(v) || typeof v.url !== 'string' || !urls.has(v.url)) return undefined;
          return this.keep(v, path);
        });
      }
    }
  }

  date(value: Json): Json | undefined {
    return typeof value === 'string' ? deidentifyDate(value, this.opts.dates) : undefined;
  }

  pseudonym(value: Json): Json | undefined {
    if (typeof value === 'string') return this.opts.pseudonyms.get(value);
    if (!isObject(value) || typeof value.reference !== 'string') return undefined;
    const m = /^(?:.*\/)?Patient\/([^/]+)$/.exec(value.reference);
    const p = m ? this.opts.pseudonyms.get(m[1] as string) : undefined;
    return p === undefined ? undefined : { reference: `Patient/${p}` };
  }
}

/**
 * De-identifies one resource under `rules`. Resource types without rules are dropped whole (logged as
 * `<Type> default-remove`). A Patient 90 or older gets the AGE_90_OR_OLDER extension.
 */
export function deidentifyResource<T extends Resource>(
  resource: T,
  rules: CompiledRules,
  opts: DeidentifyOptions,
  log: DeidentifyLog = new Map(),
): T | null {
  validateDatePolicy(opts.dates);
  const type = resource.resourceType;
  const run = new Run(rules, opts, log);
  if (!rules.types.has(type)) {
    run.note(type, 'default-remove');
    return null;
  }
  const { resourceType: _, ...rest } = resource as unknown as JsonObject;
  const body = run.object(rest, type, false) ?? {};
  const out: JsonObject = { resourceType: type, ...body };
  if (run.over89) {
    const ext: Extension = { url: AGE_90_OR_OLDER, valueBoolean: true };
    const existing = Array.isArray(out.extension) ? out.extension : [];
    out.extension = [...existing, ext as unknown as JsonObject];
  }
  return out as unknown as T;
}
