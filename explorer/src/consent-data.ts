/**
 * Consent contract reads over `GET /v1/query/consent/<method>`, decoded on the client (the VM's
 * int and pack encodings, docs/language.md; the structs of vm/consent/consent.ehr).
 */
import { api, HttpError } from './api.js';
import { decodeInt, encodeInt, fromHex, printable, toHex, unpack } from './format.js';

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

/** One `trailEntry` return: pack(seq, Entry{op, at, by, patient, subject, purpose, detail, via}). */
export function decodeTrailEntry(b: Uint8Array): AuditEntry {
  const [seq, entry] = unpack(b);
  if (seq === undefined || entry === undefined) throw new RangeError('malformed trail entry');
  const [op, at, by, patient, subject, purpose, detail, via] = unpack(entry);
  return {
    seq: int(seq),
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
      entries[i - first] = decodeTrailEntry(await consentQuery('trailEntry', [id, encodeInt(i)], s));
    }
  };
  await Promise.all(Array.from({ length: Math.min(6, length - first) }, worker));
  return { length, entries };
}

export interface GrantInfo {
  readonly actions: number;
  readonly purposes: number;
  readonly scope: string;
  readonly start: number;
  readonly end: number;
  readonly revokedAt: number | null;
}

/**
 * `grantInfo(id)` (not in the contract yet: the Grant struct of consent.ehr is assumed). Null when
 * the contract has no such method, so the view can say what it cannot know.
 */
export async function grantInfo(id: number, s?: AbortSignal): Promise<GrantInfo | null> {
  let b: Uint8Array;
  try {
    b = await consentQuery('grantInfo', [encodeInt(id)], s);
  } catch (e) {
    if (e instanceof NoSuchMethod) return null;
    throw e;
  }
  const f = unpack(b);
  const skind = int(f[6]);
  const scope =
    skind === 1
      ? 'all'
      : skind === 2
        ? unpack(f[7] ?? new Uint8Array(0))
            .map(str)
            .join(', ')
        : `record ${hex(f[7])}`;
  const revoked = int(f[13]);
  return {
    actions: int(f[4]),
    purposes: int(f[5]),
    scope,
    start: int(f[8]),
    end: int(f[9]),
    revokedAt: revoked < 0 ? null : revoked,
  };
}

/** `versionInfo(record, version)` (not in the contract yet): the CID of a version, or null. */
export async function versionCid(record: string, version: number, s?: AbortSignal): Promise<string | null> {
  try {
    const b = await consentQuery('versionInfo', [fromHex(record), encodeInt(version)], s);
    return b.length === 0 ? null : str(unpack(b)[0]);
  } catch (e) {
    if (e instanceof NoSuchMethod) return null;
    throw e;
  }
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
