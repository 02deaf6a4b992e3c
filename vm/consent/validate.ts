/**
 * Argument shape checks shared by the model's operations. Each returns true when the value is
 * well formed; the operation then fails with `invalid_argument` otherwise.
 */
import type { ConsultEntry, ReadEntry } from './ops.js';
import {
  Action,
  AttestationKind,
  CODE_PATTERN,
  type Exception,
  type Grantee,
  HASH_PATTERN,
  MAX_CONSULT_BATCH,
  MAX_LIST,
  MAX_READ_BATCH,
  OrgKind,
  Purpose,
  Role,
  type Scope,
  type Terms,
  type WrappedKey,
} from './types.js';

const ROLES: readonly string[] = Object.values(Role);
const KINDS: readonly string[] = Object.values(OrgKind);
const PURPOSES: readonly string[] = Object.values(Purpose);
const ACTIONS: readonly string[] = Object.values(Action);
const ATTESTATION_KINDS: readonly string[] = Object.values(AttestationKind);
const KEY_PATTERN = /^(?:[0-9a-f]{2}){1,256}$/;

/** 32 bytes as lowercase hex (ids, keys, hashes). */
export const isHash = (v: string): boolean => HASH_PATTERN.test(v);
/** An org or category code. */
export const isCode = (v: string): boolean => CODE_PATTERN.test(v);
/** A time or count: a safe non-negative integer. */
export const isTime = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;
/** An id from a counter: a safe integer >= 1. */
export const isId = (v: number): boolean => Number.isSafeInteger(v) && v >= 1;
/** A role code. */
export const isRole = (v: string): v is Role => ROLES.includes(v);
/** An organisation kind. */
export const isOrgKind = (v: string): v is OrgKind => KINDS.includes(v);
/** A purpose-of-use code. */
const isPurpose = (v: string): v is Purpose => PURPOSES.includes(v);
/** A content id: 1-128 bytes in UTF-8 (normally a CIDv1 string); opaque to the rules. */
export const isCid = (v: string): boolean => {
  const n = new TextEncoder().encode(v).length;
  return n >= 1 && n <= 128;
};

/** A list of `min..MAX_LIST` items without duplicates, each passing `ok`. */
export function isSet<T>(
  list: readonly T[],
  min: number,
  ok: (v: T) => boolean,
  key: (v: T) => string,
): boolean {
  if (list.length < min || list.length > MAX_LIST) return false;
  const seen = new Set<string>();
  for (const v of list) {
    if (!ok(v)) return false;
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

const self = (v: string): string => v;

/** Grantee shape: an actor id, an org code or a role code (the role must be an accessor role). */
export function isGrantee(g: Grantee): boolean {
  if (g.kind === 'actor') return isHash(g.id);
  if (g.kind === 'org') return isCode(g.id);
  return g.id === 'doctor' || g.id === 'insurer' || g.id === 'researcher';
}

/** Scope shape: all, 1-16 distinct categories, or one record id. */
export function isScope(s: Scope): boolean {
  if (s.kind === 'all') return true;
  if (s.kind === 'categories') return isSet(s.categories, 1, isCode, self);
  return isHash(s.recordId);
}

/** 0-16 distinct deny exceptions. */
export function isExceptions(list: readonly Exception[]): boolean {
  return isSet(
    list,
    0,
    (e) => (e.kind === 'category' ? isCode(e.category) : isHash(e.recordId)),
    (e) => (e.kind === 'category' ? `c:${e.category}` : `r:${e.recordId}`),
  );
}

/** 1-2 distinct actions. */
export const isActions = (list: readonly Action[]): boolean =>
  isSet(list, 1, (a) => ACTIONS.includes(a), self);
/** 1-4 distinct purposes. */
export const isPurposes = (list: readonly Purpose[]): boolean => isSet(list, 1, isPurpose, self);

/** 1-16 wrapped keys for distinct readers. */
export function isWrappedKeys(list: readonly WrappedKey[]): boolean {
  return isSet(
    list,
    1,
    (k) => isHash(k.reader) && KEY_PATTERN.test(k.key),
    (k) => k.reader,
  );
}

/** 1-64 well-formed read entries. */
export function isReads(list: readonly ReadEntry[]): boolean {
  if (list.length < 1 || list.length > MAX_READ_BATCH) return false;
  return list.every(
    (r) =>
      isHash(r.reader) &&
      isHash(r.patient) &&
      isHash(r.recordId) &&
      isId(r.version) &&
      isPurpose(r.purpose) &&
      isTime(r.at),
  );
}

/** 1..MAX_CONSULT_BATCH consults, each with ids, a category or record (version 0 or absent: the head), action, purpose, time. */
export function isConsults(list: readonly ConsultEntry[]): boolean {
  if (list.length < 1 || list.length > MAX_CONSULT_BATCH) return false;
  return list.every((c) => {
    const t = c.target;
    const targetOk =
      t.kind === 'category'
        ? isCode(t.category)
        : isHash(t.recordId) && (t.version === undefined || isTime(t.version));
    return (
      isHash(c.actor) &&
      isHash(c.patient) &&
      targetOk &&
      ACTIONS.includes(c.action) &&
      isPurpose(c.purpose) &&
      isTime(c.at)
    );
  });
}

/** Terms of a permit: actions, scope, purposes and exceptions well formed, times non-negative. */
export function isTerms(t: Terms): boolean {
  return (
    isActions(t.actions) &&
    isScope(t.scope) &&
    isPurposes(t.purposes) &&
    isTime(t.start) &&
    isTime(t.end) &&
    isExceptions(t.exceptions)
  );
}

/** An attestation kind. */
export const isAttestationKind = (v: string): v is AttestationKind => ATTESTATION_KINDS.includes(v);
