/**
 * Blind-index tokens of a FHIR record (docs/records.md, "Searchable encrypted index"; vectors in
 * docs/vectors/blind-index.json). Pure: no I/O, no randomness except `newIndexKey`.
 *
 *   term  = (kind, normalised value)          kind: code 1, category 2, year 3
 *   token = HMAC-SHA256(index key, "ehrchain/blind-index/v1" | 0x00 | kind u8 | UTF-8 value)[0..16]
 *
 * - code:     "system|code" of each coding of the resource's main code (Observation.code,
 *             Condition.code, MedicationRequest.medicationCodeableConcept, ... see FIELDS)
 * - category: "system|code" of each coding of its category (Encounter: its class Coding)
 * - year:     the 4-digit year of its clinically relevant date (effective, onset, authoredOn, ...)
 *
 * Normalisation: Unicode NFC and trimmed; a system's scheme and authority lower-cased (RFC 3986
 * says they are case-insensitive) and a trailing "/" dropped; codes keep their case (FHIR codes are
 * case-sensitive) except in the systems of CASE_INSENSITIVE_SYSTEMS, upper-cased.
 *
 * Tokens are 16 bytes: the node compares them for equality only, within one patient, so 128 bits
 * keep an accidental collision out of reach (birthday bound ~2^64 tokens per patient) while
 * halving what each stored token costs; the full 32 bytes buy nothing a node could use.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { platformCrypto } from '../crypto/platform.js';
import { concatBytes, utf8 } from './bytes.js';
import { RecordError } from './errors.js';

/** Bytes of a token. */
export const TOKEN_BYTES = 16;
/** Bytes of a patient's index key. */
export const INDEX_KEY_BYTES = 32;
/** Field kinds and their domain-separation byte. */
export const TERM_KINDS = { code: 1, category: 2, year: 3 } as const;
export type TermKind = keyof typeof TERM_KINDS;

const LABEL = utf8('ehrchain/blind-index/v1');

/** One searchable term of a record: a field kind and its normalised value. */
export interface IndexTerm {
  readonly kind: TermKind;
  readonly value: string;
}

/** Code systems whose codes compare without case (written upper-case). */
export const CASE_INSENSITIVE_SYSTEMS: ReadonlySet<string> = new Set([
  'http://hl7.org/fhir/sid/icd-10',
  'http://hl7.org/fhir/sid/icd-10-cm',
  'http://hl7.org/fhir/sid/icd-9-cm',
]);

/** Which fields of each resource type are indexed (FHIRPath-like, dotted; arrays are walked). */
export const FIELDS: Readonly<
  Record<string, { codes: readonly string[]; categories: readonly string[]; dates: readonly string[] }>
> = {
  Observation: {
    codes: ['code'],
    categories: ['category'],
    dates: ['effectiveDateTime', 'effectivePeriod.start', 'effectiveInstant', 'issued'],
  },
  Condition: {
    codes: ['code'],
    categories: ['category'],
    dates: ['onsetDateTime', 'onsetPeriod.start', 'recordedDate'],
  },
  MedicationRequest: {
    codes: ['medicationCodeableConcept'],
    categories: ['category'],
    dates: ['authoredOn'],
  },
  MedicationStatement: {
    codes: ['medicationCodeableConcept'],
    categories: ['category'],
    dates: ['effectiveDateTime', 'effectivePeriod.start', 'dateAsserted'],
  },
  Procedure: {
    codes: ['code'],
    categories: ['category'],
    dates: ['performedDateTime', 'performedPeriod.start'],
  },
  DiagnosticReport: {
    codes: ['code'],
    categories: ['category'],
    dates: ['effectiveDateTime', 'effectivePeriod.start', 'issued'],
  },
  Immunization: { codes: ['vaccineCode'], categories: [], dates: ['occurrenceDateTime'] },
  AllergyIntolerance: { codes: ['code'], categories: [], dates: ['onsetDateTime', 'recordedDate'] },
  Encounter: { codes: ['type'], categories: ['class'], dates: ['period.start'] },
};

const clean = (s: string): string => s.normalize('NFC').trim();

/** A code system URI, normalised: scheme and authority lower-cased, no trailing "/". */
export function normaliseSystem(system: string): string {
  let s = clean(system);
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/.exec(s);
  if (m !== null) s = `${m[1]!.toLowerCase()}${m[2]!.toLowerCase()}${m[3]!}`;
  else if (/^urn:/i.test(s)) s = `urn:${s.slice(4)}`;
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/** "system|code", normalised; throws bad_encoding when either is empty. */
export function codingValue(system: string, code: string): string {
  const sys = normaliseSystem(system);
  const c = CASE_INSENSITIVE_SYSTEMS.has(sys) ? clean(code).toUpperCase() : clean(code);
  if (sys === '' || c === '') throw new RecordError('bad_encoding', 'a coding needs a system and a code');
  return `${sys}|${c}`;
}

/** The term of a code (query side). */
export const codeTerm = (system: string, code: string): IndexTerm => ({
  kind: 'code',
  value: codingValue(system, code),
});
/** The term of a category coding (query side). */
export const categoryTerm = (system: string, code: string): IndexTerm => ({
  kind: 'category',
  value: codingValue(system, code),
});
/** The term of a year (query side). */
export function yearTerm(year: number): IndexTerm {
  if (!Number.isInteger(year) || year < 1 || year > 9999)
    throw new RecordError('bad_encoding', 'a year is 1..9999');
  return { kind: 'year', value: String(year).padStart(4, '0') };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Values at a dotted path, arrays walked at every step. */
function at(node: unknown, path: readonly string[]): unknown[] {
  if (Array.isArray(node)) return node.flatMap((n) => at(n, path));
  if (path.length === 0) return [node];
  if (!isObj(node)) return [];
  return at(node[path[0]!], path.slice(1));
}

/** Codings of a CodeableConcept or a bare Coding. */
function codingsOf(v: unknown): { system: string; code: string }[] {
  if (!isObj(v)) return [];
  const list = Array.isArray(v.coding) ? v.coding : 'code' in v ? [v] : [];
  return list.flatMap((c: unknown) =>
    isObj(c) && typeof c.system === 'string' && typeof c.code === 'string'
      ? [{ system: c.system, code: c.code }]
      : [],
  );
}

function termsOfResource(r: Json, out: Map<string, IndexTerm>): void {
  if (r.resourceType === 'Bundle') {
    for (const e of at(r, ['entry', 'resource'])) if (isObj(e)) termsOfResource(e, out);
    return;
  }
  const f = typeof r.resourceType === 'string' ? FIELDS[r.resourceType] : undefined;
  if (f === undefined) return;
  const add = (t: IndexTerm) => out.set(`${t.kind}\u0000${t.value}`, t);
  for (const [kind, paths] of [
    ['code', f.codes],
    ['category', f.categories],
  ] as const)
    for (const p of paths)
      for (const v of at(r, p.split('.')))
        for (const c of codingsOf(v)) {
          try {
            add({ kind, value: codingValue(c.system, c.code) });
          } catch {
            // A coding with a blank system or code names nothing searchable.
          }
        }
  for (const p of f.dates) {
    const d = at(r, p.split('.')).find((v): v is string => typeof v === 'string' && /^\d{4}/.test(v));
    if (d !== undefined) {
      add({ kind: 'year', value: d.slice(0, 4) });
      break;
    }
  }
}

/** The distinct searchable terms of a resource or Bundle, sorted by kind then value. */
export function termsOf(resource: unknown): IndexTerm[] {
  const out = new Map<string, IndexTerm>();
  if (isObj(resource)) termsOfResource(resource, out);
  return [...out.values()].sort((a, b) =>
    a.kind === b.kind
      ? a.value < b.value
        ? -1
        : a.value > b.value
          ? 1
          : 0
      : TERM_KINDS[a.kind] - TERM_KINDS[b.kind],
  );
}

/** The token of one term under a patient's index key. */
export function tokenOf(indexKey: Uint8Array, term: IndexTerm): Uint8Array {
  if (indexKey.length !== INDEX_KEY_BYTES)
    throw new RecordError('bad_encoding', 'index key must be 32 bytes');
  const msg = concatBytes(LABEL, Uint8Array.of(0, TERM_KINDS[term.kind]), utf8(term.value));
  return hmac(sha256, indexKey, msg).slice(0, TOKEN_BYTES);
}

/** The distinct tokens of a resource or Bundle, in term order. */
export function tokensOf(indexKey: Uint8Array, resource: unknown): Uint8Array[] {
  return termsOf(resource).map((t) => tokenOf(indexKey, t));
}

/** A fresh random index key (one per patient). */
export const newIndexKey = (): Uint8Array => platformCrypto.randomBytes(INDEX_KEY_BYTES);

/**
 * The pseudo record id an index key is wrapped under: wrapKey(indexKey, reader, indexKeyId(patient), 1)
 * reuses the data-key wrapping unchanged (docs/records.md) and binds the wrap to the patient.
 */
export const indexKeyId = (patient: Uint8Array): Uint8Array =>
  sha256(concatBytes(utf8('ehrchain/index-key/v1'), patient));
