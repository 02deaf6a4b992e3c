/**
 * Decoders of the consent contract's query results into plain objects with the model's names
 * (vm/consent/types.ts): access requests, trail entries, a version's attestation status. Pure.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeInt, unpackFields } from '../vm/abi.js';
import { ACTION_BIT, PURPOSE_BIT, REQUEST_STATUS_CODE, ROLE_CODE } from '../vm/consent/abi.js';
import type { Action, Exception, Purpose, Role, Scope, Terms } from '../vm/consent/types.js';

const dec = new TextDecoder();
const str = (b: Uint8Array): string => dec.decode(b);

const namesOf = <T extends string>(bits: number, table: Readonly<Record<T, number>>): T[] =>
  (Object.entries(table) as [T, number][]).filter(([, b]) => (bits & b) !== 0).map(([n]) => n);

/** The role name of a role code (`node` etc.), or `role-<n>` for an unknown code. */
export function roleName(code: number): Role | string {
  const e = (Object.entries(ROLE_CODE) as [Role, number][]).find(([, c]) => c === code);
  return e?.[0] ?? `role-${code}`;
}

const packed = (b: Uint8Array): Uint8Array[] => (b.length === 0 ? [] : unpackFields(b));

/** Terms from their stored fields (actions, purposes, skind, scope, start, end, xcats, xrecs). */
export function termsFromFields(f: readonly Uint8Array[]): Terms {
  const [actions, purposes, skind, scope, start, end, xcats, xrecs] = f;
  if (!actions || !purposes || !skind || !scope || !start || !end || !xcats || !xrecs)
    throw new RangeError('malformed terms');
  const k = decodeInt(skind);
  const s: Scope =
    k === 1
      ? { kind: 'all' }
      : k === 2
        ? { kind: 'categories', categories: packed(scope).map(str) }
        : { kind: 'record', recordId: bytesToHex(scope) };
  const exceptions: Exception[] = [
    ...packed(xcats).map((c): Exception => ({ kind: 'category', category: str(c) })),
    ...packed(xrecs).map((r): Exception => ({ kind: 'record', recordId: bytesToHex(r) })),
  ];
  return {
    actions: namesOf<Action>(decodeInt(actions), ACTION_BIT),
    purposes: namesOf<Purpose>(decodeInt(purposes), PURPOSE_BIT),
    scope: s,
    start: decodeInt(start),
    end: decodeInt(end),
    exceptions,
  };
}

/** Stored status of a request (`expired` comes from requestStatus, which knows the time). */
export type StoredRequestStatus = keyof typeof REQUEST_STATUS_CODE;

/** An access request as `requestInfo` returns it. */
export interface RequestView {
  readonly id: number;
  readonly patient: string;
  readonly requester: string;
  readonly terms: Terms;
  readonly reason: string;
  readonly requestedAt: number;
  readonly expiresAt: number;
  readonly status: StoredRequestStatus;
  /** Block time of the answer or withdrawal; null while open. */
  readonly answeredAt: number | null;
  /** Who answered (patient or guardian) or withdrew; null while open. */
  readonly answeredBy: string | null;
  /** The grant an approval made; null otherwise. */
  readonly grantId: number | null;
  /** The deny reason; null otherwise. */
  readonly denyReason: string | null;
}

/** Decodes `requestInfo` return data; null for "no such request". */
export function decodeRequest(id: number, data: Uint8Array): RequestView | null {
  if (data.length === 0) return null;
  const f = unpackFields(data);
  if (f.length !== 18) throw new RangeError('malformed request');
  const at = (i: number): Uint8Array => f[i] ?? new Uint8Array(0);
  const st = decodeInt(at(13));
  const name = (Object.entries(REQUEST_STATUS_CODE) as [StoredRequestStatus, number][]).find(
    ([, c]) => c === st,
  )?.[0];
  if (name === undefined) throw new RangeError(`unknown request status ${st}`);
  const answered = decodeInt(at(14));
  const grant = decodeInt(at(16));
  const by = at(15);
  return {
    id,
    patient: bytesToHex(at(0)),
    requester: bytesToHex(at(1)),
    terms: termsFromFields(f.slice(2, 10)),
    reason: str(at(10)),
    requestedAt: decodeInt(at(11)),
    expiresAt: decodeInt(at(12)),
    status: name,
    answeredAt: answered < 0 ? null : answered,
    answeredBy: by.length === 0 ? null : bytesToHex(by),
    grantId: grant === 0 ? null : grant,
    denyReason: name === 'denied' ? str(at(17)) : null,
  };
}

/** One entry of a patient's audit trail (`trailEntry`). */
export interface TrailEntry {
  readonly seq: number;
  /** The operation: grant, revoke, read, requestAccess, approveRequest, anchor, ... */
  readonly op: string;
  readonly at: number;
  /** Actor id (hex) of who did it. */
  readonly by: string;
  readonly patient: string;
  /** Hex of the subject (a grant or request id as 8 bytes, record ++ version, ...). */
  readonly subject: string;
  /** Purpose names (bits) the entry names; empty for none. */
  readonly purposes: Purpose[];
  /** Hex of the detail (a reason code for reads, a grantee for grants, ...). */
  readonly detail: string;
  /** The detail as text when it is a printable code (e.g. a read's canAccess reason), else null. */
  readonly detailText: string | null;
  /** Hex of the node that recorded a read; empty otherwise. */
  readonly via: string;
}

const PRINTABLE = /^[a-z0-9_.:-]+$/i;

/** Decodes `trailEntry` return data. */
export function decodeTrailEntry(seq: number, data: Uint8Array): TrailEntry {
  const f = unpackFields(data);
  const [op, at, by, patient, subject, purpose, detail, via] = f;
  if (f.length !== 8 || !op || !at || !by || !patient || !subject || !purpose || !detail || !via)
    throw new RangeError('malformed trail entry');
  const text = str(detail);
  return {
    seq,
    op: str(op),
    at: decodeInt(at),
    by: bytesToHex(by),
    patient: bytesToHex(patient),
    subject: bytesToHex(subject),
    purposes: namesOf<Purpose>(decodeInt(purpose), PURPOSE_BIT),
    detail: bytesToHex(detail),
    detailText: PRINTABLE.test(text) ? text : null,
    via: bytesToHex(via),
  };
}

/** The attestation fields versionInfo added at its end: kinds (bits) and final / pending. */
export function decodeVersionStatus(data: Uint8Array): { kinds: number; status: string } | null {
  if (data.length === 0) return null;
  const f = unpackFields(data);
  const [kinds, status] = [f[6], f[7]];
  if (!kinds || !status) throw new RangeError('malformed versionInfo');
  return { kinds: decodeInt(kinds), status: str(status) };
}

/** A grant as `grantInfo` returns it, with the model's names. */
export interface GrantView {
  readonly id: number;
  readonly patient: string;
  readonly grantor: string;
  /** actor: an actor id (hex); org: an organisation code; role: a role name. */
  readonly grantee: { readonly kind: 'actor' | 'org' | 'role'; readonly id: string };
  readonly terms: Terms;
  readonly grantedAt: number;
  /** Block time of the revocation; null while not revoked. */
  readonly revokedAt: number | null;
}

/** Decodes `grantInfo` return data (the Grant struct of consent.ehr); null for "no such grant". */
export function decodeGrant(id: number, data: Uint8Array): GrantView | null {
  if (data.length === 0) return null;
  const f = unpackFields(data);
  if (f.length !== 14) throw new RangeError('malformed grant');
  const at = (i: number): Uint8Array => f[i] ?? new Uint8Array(0);
  const kind = decodeInt(at(2));
  const grantee =
    kind === 1
      ? { kind: 'actor' as const, id: bytesToHex(at(3)) }
      : kind === 2
        ? { kind: 'org' as const, id: str(at(3)) }
        : { kind: 'role' as const, id: String(roleName(decodeInt(at(3)))) };
  const revoked = decodeInt(at(13));
  return {
    id,
    patient: bytesToHex(at(0)),
    grantor: bytesToHex(at(1)),
    grantee,
    terms: termsFromFields(f.slice(4, 12)),
    grantedAt: decodeInt(at(12)),
    revokedAt: revoked < 0 ? null : revoked,
  };
}
