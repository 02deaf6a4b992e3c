/**
 * The consent contract's query results as the client shows them: access requests and grants with
 * their terms grouped, trail entries in hex with purpose names, a version's attestation status.
 * The structs are decoded by vm/consent/results.ts (shared with the node's FHIR facade). Pure.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeInt, unpackFields } from '../vm/abi.js';
import { PURPOSE_BIT, type REQUEST_STATUS_CODE, ROLE_CODE } from '../vm/consent/abi.js';
import { entryFromFields, grantFromFields, requestFromFields } from '../vm/consent/results.js';
import type { Purpose, Role, Terms } from '../vm/consent/types.js';

const dec = new TextDecoder();
const str = (b: Uint8Array): string => dec.decode(b);

const namesOf = <T extends string>(bits: number, table: Readonly<Record<T, number>>): T[] =>
  (Object.entries(table) as [T, number][]).filter(([, b]) => (bits & b) !== 0).map(([n]) => n);

/** The role name of a role code (`node` etc.), or `role-<n>` for an unknown code. */
export function roleName(code: number): Role | string {
  const e = (Object.entries(ROLE_CODE) as [Role, number][]).find(([, c]) => c === code);
  return e?.[0] ?? `role-${code}`;
}

/** The terms of a grant or request, without its other fields. */
const termsOfView = ({ actions, purposes, scope, start, end, exceptions }: Terms): Terms => ({
  actions,
  purposes,
  scope,
  start,
  end,
  exceptions,
});

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
  const r = requestFromFields(id, unpackFields(data));
  return {
    id,
    patient: r.patient,
    requester: r.requester,
    terms: termsOfView(r),
    reason: r.reason,
    requestedAt: r.requestedAt,
    expiresAt: r.expiresAt,
    status: r.status,
    answeredAt: r.answeredAt,
    answeredBy: r.answeredBy,
    grantId: r.grantId,
    denyReason: r.status === 'denied' ? r.denyReason : null,
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
  const e = entryFromFields(seq, unpackFields(data));
  const text = str(e.detail);
  return {
    seq,
    op: e.op,
    at: e.at,
    by: e.by,
    patient: e.patient,
    subject: bytesToHex(e.subject),
    purposes: namesOf<Purpose>(e.purpose, PURPOSE_BIT),
    detail: bytesToHex(e.detail),
    detailText: PRINTABLE.test(text) ? text : null,
    via: e.via,
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
  const g = grantFromFields(id, unpackFields(data));
  return {
    id,
    patient: g.patient,
    grantor: g.grantor,
    grantee: g.grantee,
    terms: termsOfView(g),
    grantedAt: g.grantedAt,
    revokedAt: g.revokedAt,
  };
}
