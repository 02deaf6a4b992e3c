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

/** A node of the compiled rule trie: one element path, its rule if any, the paths below it. */
interface RuleNode {
  readonly id: number;
  readonly path: string;
  rule: Rule | undefined;
  readonly children: Map<string, RuleNode>;
}

/** A rule set compiled into a trie by path, per resource type. */
export interface CompiledRules {
  readonly roots: ReadonlyMap<string, RuleNode>;
  readonly nodes: readonly RuleNode[];
}

/**
 * What the engine did, accumulated over any number of resources: per rule, how many elements it
 * handled; per path, elements removed for having no rule (`default-remove`) and dates cut inside kept
 * elements (`date-net`). Counted on the rule trie, so logging costs no string building per element.
 */
export class DeidentifyLog {
  private readonly counts: number[];
  private readonly other = new Map<string, number>();

  constructor(private readonly rules: CompiledRules) {
    this.counts = rules.nodes.map(() => 0);
  }

  /** Counts one element handled by a node's rule. */
  rule(node: RuleNode): void {
    this.counts[node.id] = (this.counts[node.id] as number) + 1;
  }

  /** Counts one element at `path` for `what` (default-remove, date-net). */
  note(path: string, what: string): void {
    const key = `${path} ${what}`;
    this.other.set(key, (this.other.get(key) ?? 0) + 1);
  }

  /** `path action` -> count, rules first in rule order, then the rest. */
  entries(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.rules.nodes) {
      const c = this.counts[n.id] as number;
      if (c > 0 && n.rule) out.set(`${n.path} ${n.rule.action}`, c);
    }
    for (const [k, v] of this.other) out.set(k, v);
    return out;
  }
}

const ACTIONS = new Set<string>(Object.values(RuleAction));

/** Compiles and checks a rule set (no path twice, known actions, urls on `extensions` rules). */
export function compileRules(rules: Readonly<Record<string, readonly Rule[]>>): CompiledRules {
  const roots = new Map<string, RuleNode>();
  const nodes: RuleNode[] = [];
  const node = (path: string): RuleNode => {
    const n: RuleNode = { id: nodes.length, path, rule: undefined, children: new Map() };
    nodes.push(n);
    return n;
  };
  for (const [type, list] of Object.entries(rules)) {
    const root = node(type);
    roots.set(type, root);
    for (const rule of list) {
      const bad = (why: string) => new ResearchError(ResearchErrorCode.InvalidRule, `${rule.path}: ${why}`);
      if (!rule.path.startsWith(`${type}.`)) throw bad(`not under ${type}`);
      if (!ACTIONS.has(rule.action)) throw bad(`unknown action ${rule.action}`);
      if (rule.action === RuleAction.Extensions && !rule.urls) throw bad('extensions rule without urls');
      let at = root;
      for (const part of rule.path.split('.').slice(1)) {
        let next = at.children.get(part);
        if (!next) {
          next = node(`${at.path}.${part}`);
          at.children.set(part, next);
        }
        at = next;
      }
      if (at.rule) throw bad('named twice');
      at.rule = rule;
    }
  }
  return { roots, nodes };
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
// At least YYYY-MM: a bare year is already Safe Harbor, and 4-digit codes (RxNorm 1191) must not be "shifted".
const DATE_WITH_MONTH = /^\d{4}-\d{2}/;

class Run {
  over89 = false;
  constructor(
    readonly opts: DeidentifyOptions,
    readonly log: DeidentifyLog,
  ) {}

  /**
   * The children of an object under the rules; undefined when nothing survives. `node` is the trie node
   * of the object's path (undefined below the rules, inside a kept element); `kept` is true inside one.
   */
  object(obj: JsonObject, node: RuleNode | undefined, path: string, kept: boolean): JsonObject | undefined {
    const out: JsonObject = {};
    let any = false;
    for (const key in obj) {
      const value = obj[key] as Json;
      const child = node?.children.get(key);
      let v: Json | undefined;
      if (child?.rule) v = this.apply(child, value);
      else if (kept) v = this.keep(value, child, child ? child.path : `${path}.${key}`);
      else if (child) v = this.inner(value, child);
      else this.log.note(`${path}.${key}`, 'default-remove');
      if (v !== undefined) {
        out[key] = v;
        any = true;
      }
    }
    return any ? out : undefined;
  }

  /** Keeps a value (rules below still apply); strings shaped like dates are cut all the same. */
  keep(value: Json, node: RuleNode | undefined, path: string): Json | undefined {
    if (Array.isArray(value)) return this.list(value, (v) => this.keep(v, node, path));
    if (isObject(value)) return this.object(value, node, path, true);
    if (typeof value === 'string' && DATE_WITH_MONTH.test(value)) {
      const d = deidentifyDate(value, this.opts.dates);
      if (d !== undefined && d !== value) {
        this.log.note(path, 'date-net');
        return d;
      }
    }
    return value;
  }

  /** A value with no rule of its own but rules below it: only what those rules keep survives. */
  inner(value: Json, node: RuleNode): Json | undefined {
    if (Array.isArray(value)) return this.list(value, (v) => this.inner(v, node));
    return isObject(value) ? this.object(value, node, node.path, false) : undefined;
  }

  list(values: Json[], f: (v: Json) => Json | undefined): Json[] | undefined {
    const out: Json[] = [];
    for (const v of values) {
      const r = f(v);
      if (r !== undefined) out.push(r);
    }
    return out.length > 0 ? out : undefined;
  }

  apply(node: RuleNode, value: Json): Json | undefined {
    const rule = node.rule as Rule;
    this.log.rule(node);
    switch (rule.action) {
      case RuleAction.Remove:
        return undefined;
      case RuleAction.Keep:
        return this.keep(value, node, node.path);
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
          return this.keep(v, node, node.path);
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
  log: DeidentifyLog = new DeidentifyLog(rules),
): T | null {
  validateDatePolicy(opts.dates);
  const type = resource.resourceType;
  const root = rules.roots.get(type);
  if (!root) {
    log.note(type, 'default-remove');
    return null;
  }
  const run = new Run(opts, log);
  const { resourceType: _, ...rest } = resource as unknown as JsonObject;
  const body = run.object(rest, root, type, false) ?? {};
  const out: JsonObject = { resourceType: type, ...body };
  if (run.over89) {
    const ext: Extension = { url: AGE_90_OR_OLDER, valueBoolean: true };
    const existing = Array.isArray(out.extension) ? out.extension : [];
    out.extension = [...existing, ext as unknown as JsonObject];
  }
  return out as unknown as T;
}
