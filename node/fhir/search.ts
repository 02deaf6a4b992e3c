/**
 * FHIR search parameters of the views (docs/fhir.md): which each resource supports, how they are
 * parsed, and the searchset Bundle with its `next` link. An unsupported or malformed parameter is
 * a SearchError naming it (the route answers 400 with an OperationOutcome), never ignored. Pure.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { HASH_PATTERN } from '../../vm/consent/types.js';

/** A refused search: the parameter and why. */
export class SearchError extends Error {
  constructor(
    readonly code: 'not-supported' | 'invalid' | 'required',
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'SearchError';
  }
}

/** Page size when `_count` is absent, and its upper bound. */
const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;

/** A date bound of `date=<prefix><instant>`: ge, gt, le, lt, eq (eq: the same ms). */
export interface DateBound {
  readonly prefix: 'ge' | 'gt' | 'le' | 'lt' | 'eq';
  readonly ms: number;
}

/** A parsed search. */
export interface Search {
  readonly patient: string;
  readonly count: number;
  readonly offset: number;
  readonly dates: readonly DateBound[];
}

/** Supported parameters per resource type. */
export const SEARCH_PARAMS = {
  Consent: ['patient', '_count', '_offset'],
  AuditEvent: ['patient', 'date', '_count', '_offset'],
} as const;

type Query = Readonly<Record<string, string | readonly string[] | undefined>>;

const list = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

function one(q: Query, name: string): string | undefined {
  const v = list(q[name]);
  if (v.length > 1) throw new SearchError('invalid', name, `${name} given ${v.length} times`);
  return v[0];
}

function intParam(q: Query, name: string, def: number, min: number, max: number): number {
  const v = one(q, name);
  if (v === undefined) return def;
  if (!/^[0-9]{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new SearchError('invalid', name, `${name} must be an integer in ${min}..${max}`);
  return Number(v);
}

/** Parses a `date` value: a prefix (default eq) and a FHIR date or dateTime. */
export function parseDateBound(v: string): DateBound {
  const m =
    /^(ge|gt|le|lt|eq)?(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?)$/.exec(v);
  const ms = m?.[2] === undefined ? Number.NaN : Date.parse(m[3] === undefined ? `${m[2]}T00:00:00Z` : m[2]);
  if (!m || Number.isNaN(ms))
    throw new SearchError('invalid', 'date', `date ${JSON.stringify(v)} is not [prefix]date`);
  return { prefix: (m[1] ?? 'eq') as DateBound['prefix'], ms };
}

/** Parses the query of a search on `type`; throws SearchError. */
export function parseSearch(type: keyof typeof SEARCH_PARAMS, q: Query): Search {
  const allowed: readonly string[] = SEARCH_PARAMS[type];
  for (const name of Object.keys(q))
    if (!allowed.includes(name))
      throw new SearchError(
        'not-supported',
        name,
        `${type} search parameter ${name} is not supported (supported: ${allowed.join(', ')})`,
      );
  const patient = one(q, 'patient');
  if (patient === undefined) throw new SearchError('required', 'patient', 'patient is required');
  const id = patient.startsWith('Patient/') ? patient.slice(8) : patient;
  if (!HASH_PATTERN.test(id))
    throw new SearchError('invalid', 'patient', 'patient must be an actor id (64 hex)');
  return {
    patient: id,
    count: intParam(q, '_count', DEFAULT_COUNT, 1, MAX_COUNT),
    offset: intParam(q, '_offset', 0, 0, 1e9),
    dates: list(q.date).map(parseDateBound),
  };
}

/** Whether `ms` satisfies every date bound. */
export function inDates(ms: number, dates: readonly DateBound[]): boolean {
  return dates.every((d) => {
    if (d.prefix === 'ge') return ms >= d.ms;
    if (d.prefix === 'gt') return ms > d.ms;
    if (d.prefix === 'le') return ms <= d.ms;
    if (d.prefix === 'lt') return ms < d.ms;
    return ms === d.ms;
  });
}

/**
 * A searchset Bundle of one page: `total` matches, the page's resources, a `self` link and, when
 * more follow, a `next` link (the same search from the next offset). `base` is the search URL's
 * path with no query, e.g. `http://127.0.0.1:8080/fhir/Consent`.
 */
export function searchsetBundle(
  base: string,
  s: Search,
  extra: Readonly<Record<string, readonly string[]>>,
  total: number,
  page: readonly Resource[],
): Bundle {
  const url = (offset: number): string => {
    const p = new URLSearchParams({ patient: s.patient });
    for (const [k, vs] of Object.entries(extra)) for (const v of vs) p.append(k, v);
    p.set('_count', String(s.count));
    p.set('_offset', String(offset));
    return `${base}?${p.toString()}`;
  };
  const link: NonNullable<Bundle['link']> = [{ relation: 'self', url: url(s.offset) }];
  if (s.offset + page.length < total) link.push({ relation: 'next', url: url(s.offset + s.count) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total,
    link,
    entry: page.map((resource) => ({
      fullUrl: `${base}/${resource.id ?? ''}`,
      resource,
      search: { mode: 'match' },
    })),
  };
}
