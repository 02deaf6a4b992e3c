/**
 * Consent contract reads over `GET /v1/query/consent/<method>`, decoded on the client (the VM's
 * int and pack encodings, docs/language.md; the structs of vm/consent/consent.ehr).
 */
import { api, HttpError } from './api.js';
import { decodeInt, encodeInt, fromHex, printable, short, toHex, unpack } from './format.js';

export const CONSENT = 'consent';

/** The chain has no consent contract (the query answered 404 unknown_contract). */
export class ConsentMissing extends Error {}
/** The contract lacks a query method this view wanted (an older or newer contract). */
export class NoSuchMethod extends Error {}

export const ROLES = ['', 'admin', 'doctor', 'patient', 'guardian', 'insurer', 'researcher', 'node'] as const;
export const roleName = (n: number | null): string => (n !== null && ROLES[n]) || `role ${n}`;
const PURPOSES: readonly [number, string][] = [
  [1, 'TREAT'],
  [2, 'HPAYMT'],
  [4, 'HRESCH'],
  [8, 'ETREAT'],
];
export const purposeNames = (bits: number): string[] =>
  PURPOSES.filter(([b]) => (bits & b) !== 0).map(([, n]) => n);
export const actionNames = (bits: number): string[] =>
  [(bits & 1) !== 0 ? 'read' : '', (bits & 2) !== 0 ? 'write' : ''].filter((s) => s !== '');
/** canAccess reasons that mean the access was allowed. */
export const ALLOWED_REASONS = new Set(['own_record', 'guardian', 'granted', 'emergency']);

/** Calls a consent query method; returns its return data. */
export async function consentQuery(method: string, args: readonly Uint8Array[], s?: AbortSignal) {
  try {
    const r = await api.query(CONSENT, method, args.map(toHex), s);
    if (r.status !== 'ok') {
      if (r.error === 'no_such_method' || r.error === 'unknown_method') throw new NoSuchMethod(method);
      throw new Error(`consent.${method} reverted: ${r.error ?? 'unknown reason'}`);
    }
    return fromHex(r.returnData);
  } catch (e) {
    if (e instanceof HttpError && e.status === 404 && e.code === 'unknown_contract')
      throw new ConsentMissing();
    throw e;
  }
}

const int = (b: Uint8Array | undefined): number => decodeInt(b) ?? Number.NaN;
const str = (b: Uint8Array | undefined): string => (b === undefined ? '' : (printable(b) ?? toHex(b)));
const hex = (b: Uint8Array | undefined): string => (b === undefined ? '' : toHex(b));

export interface Actor {
  readonly role: string;
  readonly org: string;
  readonly certHash: string;
  readonly licenceExpiry: number;
  readonly suspended: boolean;
  readonly registeredAt: number;
}

/** `actorInfo(id)`: the Actor struct, or null when unknown (empty return). */
export async function actorInfo(id: string, s?: AbortSignal): Promise<Actor | null> {
  const b = await consentQuery('actorInfo', [fromHex(id)], s);
  if (b.length === 0) return null;
  const [role, org, cert, licence, suspended, registered] = unpack(b);
  return {
    role: roleName(decodeInt(role)),
    org: str(org),
    certHash: hex(cert),
    licenceExpiry: int(licence),
    suspended: int(suspended) !== 0,
    registeredAt: int(registered),
  };
}

export interface AuditEntry {
  readonly seq: number;
  readonly op: string;
  readonly at: number;
  readonly by: string;
  readonly patient: string;
  readonly subject: Uint8Array;
  readonly purpose: number;
  readonly detail: Uint8Array;
  readonly via: string;
}

/** Entry `seq` of a trail: the `trailEntry` return, Entry{op, at, by, patient, subject, purpose, detail, via}. */
export function decodeTrailEntry(seq: number, b: Uint8Array): AuditEntry {
  const f = unpack(b);
  if (f.length !== 8) throw new RangeError('malformed trail entry');
  const [op, at, by, patient, subject, purpose, detail, via] = f;
  return {
    seq,
    op: str(op),
    at: int(at),
    by: hex(by),
    patient: hex(patient),
    subject: subject ?? new Uint8Array(0),
    purpose: decodeInt(purpose) ?? 0,
    detail: detail ?? new Uint8Array(0),
    via: hex(via),
  };
}

/** The newest `max` entries of a patient's trail, oldest first, and the trail's full length. */
export async function auditTrail(patient: string, max: number, s?: AbortSignal) {
  const id = fromHex(patient);
  const length = int(await consentQuery('trailLength', [id], s));
  const first = Math.max(0, length - max);
  const entries: AuditEntry[] = new Array(length - first);
  let next = first;
  const worker = async () => {
    while (next < length) {
      const i = next++;
      entries[i - first] = decodeTrailEntry(i, await consentQuery('trailEntry', [id, encodeInt(i)], s));
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, length - first) }, worker));
  return { length, entries };
}

export interface GrantInfo {
  readonly id: number;
  readonly patient: string;
  readonly grantor: string;
  /** Who the grant names: an actor id, an organisation code, or a role. */
  readonly grantee: Grantee;
  readonly actions: number;
  readonly purposes: number;
  readonly scope: string;
  /** Deny exceptions: categories and record ids (hex). */
  readonly exceptCategories: readonly string[];
  readonly exceptRecords: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly grantedAt: number;
  readonly revokedAt: number | null;
}

export type Grantee =
  | { readonly kind: 'actor'; readonly id: string }
  | { readonly kind: 'org'; readonly org: string }
  | { readonly kind: 'role'; readonly role: string };

function grantee(kind: number, b: Uint8Array | undefined): Grantee {
  if (kind === 1) return { kind: 'actor', id: hex(b) };
  if (kind === 2) return { kind: 'org', org: str(b) };
  return { kind: 'role', role: roleName(decodeInt(b)) };
}

/** The fields of a pack of codes (scope and exception lists). */
const codes = (b: Uint8Array | undefined): string[] =>
  b === undefined || b.length === 0 ? [] : unpack(b).map(str);

/**
 * `grantInfo(id)`: the Grant struct of consent.ehr (patient, grantor, gkind, grantee, actions,
 * purposes, skind, scope, start, end, xcats, xrecs, granted, revoked). Null for an unknown grant;
 * throws NoSuchMethod on a contract without the query.
 */
export async function grantInfo(id: number, s?: AbortSignal): Promise<GrantInfo | null> {
  const b = await consentQuery('grantInfo', [encodeInt(id)], s);
  if (b.length === 0) return null;
  const f = unpack(b);
  const skind = int(f[6]);
  const scope =
    skind === 1 ? 'all records' : skind === 2 ? codes(f[7]).join(', ') : `record ${short(hex(f[7]))}`;
  const revoked = int(f[13]);
  return {
    id,
    patient: hex(f[0]),
    grantor: hex(f[1]),
    grantee: grantee(int(f[2]), f[3]),
    actions: int(f[4]),
    purposes: int(f[5]),
    scope,
    exceptCategories: codes(f[10]),
    exceptRecords: f[11] === undefined || f[11].length === 0 ? [] : unpack(f[11]).map(hex),
    start: int(f[8]),
    end: int(f[9]),
    grantedAt: int(f[12]),
    revokedAt: revoked < 0 ? null : revoked,
  };
}

export interface VersionInfo {
  readonly record: string;
  readonly version: number;
  readonly patient: string;
  /** CID of the ciphertext blob. */
  readonly cid: string;
  readonly category: string;
  readonly author: string;
  readonly anchoredAt: number;
  /** Block time of the record's erasure, or null. */
  readonly erasedAt: number | null;
  /** Actor ids the version's data key is wrapped for (empty once erased). */
  readonly readers: readonly string[];
}

/**
 * `versionInfo(record, version)` = pack(patient, cid, category, author, anchoredAt, erasedAt) and
 * `readersOf(record, version)`; null when there is no such version.
 */
export async function versionInfo(
  record: string,
  version: number,
  s?: AbortSignal,
): Promise<VersionInfo | null> {
  const args = [fromHex(record), encodeInt(version)];
  const [b, r] = await Promise.all([
    consentQuery('versionInfo', args, s),
    consentQuery('readersOf', args, s),
  ]);
  if (b.length === 0) return null;
  const [patient, cid, category, author, at, erased] = unpack(b);
  const erasedAt = int(erased);
  return {
    record,
    version,
    patient: hex(patient),
    cid: str(cid),
    category: str(category),
    author: hex(author),
    anchoredAt: int(at),
    erasedAt: erasedAt > 0 ? erasedAt : null,
    readers: r.length === 0 ? [] : unpack(r).map(hex),
  };
}

/** `recordOfCid(cid)` = pack(record, version): the record version a CID was anchored as, or null. */
export async function recordOfCid(
  cid: string,
  s?: AbortSignal,
): Promise<{ record: string; version: number } | null> {
  const b = await consentQuery('recordOfCid', [new TextEncoder().encode(cid)], s);
  if (b.length === 0) return null;
  const [record, version] = unpack(b);
  return { record: hex(record), version: int(version) };
}

/** Grantee bytes of a `grant` entry's detail: bytes(kind) ++ grantee. */
export function granteeOf(detail: Uint8Array): string {
  const kind = decodeInt(detail.subarray(0, 8));
  const g = detail.subarray(8);
  if (kind === 1) return `actor ${toHex(g)}`;
  if (kind === 2) return `organisation ${str(g)}`;
  if (kind === 3) return `any ${roleName(decodeInt(g))}`;
  return toHex(detail);
}
