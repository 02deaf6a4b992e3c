/**
 * Decoders from the consent contract's query results (docs/consent.md, "Queries") to the reference
 * model's shapes (types.ts): `grantInfo` to a Grant, `requestInfo` to an AccessRequest, `trailEntry`
 * to an audit entry as stored. The one decoder of these structs: the FHIR facade, the TypeScript
 * client's views and the differential test against the model all use it. Pure: bytes in, values
 * out; a malformed value throws RangeError.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeInt, unpackFields } from '../abi.js';
import { ACTION_BIT, PURPOSE_BIT, REQUEST_STATUS_CODE, ROLE_CODE } from './abi.js';
import type {
  AccessRequest,
  Action,
  Exception,
  Grant,
  Grantee,
  Purpose,
  Role,
  Scope,
  Terms,
} from './types.js';

const dec = new TextDecoder();
const str = (b: Uint8Array): string => dec.decode(b);

function need(fields: readonly Uint8Array[], n: number, what: string): readonly Uint8Array[] {
  if (fields.length < n) throw new RangeError(`malformed ${what}: ${fields.length} fields, ${n} expected`);
  return fields;
}

const at = (f: readonly Uint8Array[], i: number): Uint8Array => f[i] ?? new Uint8Array(0);
const int = (f: readonly Uint8Array[], i: number): number => decodeInt(at(f, i));

function fromBits<T extends string>(set: number, table: Readonly<Record<T, number>>): T[] {
  return (Object.keys(table) as T[]).filter((k) => (set & table[k]) !== 0);
}

const ROLE_OF: ReadonlyMap<number, Role> = new Map(
  (Object.entries(ROLE_CODE) as [Role, number][]).map(([r, c]) => [c, r]),
);

/** The role of a role code; RangeError for an unknown code. */
export function roleOfCode(code: number): Role {
  const r = ROLE_OF.get(code);
  if (r === undefined) throw new RangeError(`unknown role code ${code}`);
  return r;
}

function granteeOf(kind: number, b: Uint8Array): Grantee {
  if (kind === 1) return { kind: 'actor', id: bytesToHex(b) };
  if (kind === 2) return { kind: 'org', id: str(b) };
  if (kind === 3) return { kind: 'role', id: roleOfCode(decodeInt(b)) };
  throw new RangeError(`unknown grantee kind ${kind}`);
}

const packed = (b: Uint8Array): Uint8Array[] => (b.length === 0 ? [] : unpackFields(b));

function scopeOf(kind: number, b: Uint8Array): Scope {
  if (kind === 1) return { kind: 'all' };
  if (kind === 2) return { kind: 'categories', categories: packed(b).map(str) };
  if (kind === 3) return { kind: 'record', recordId: bytesToHex(b) };
  throw new RangeError(`unknown scope kind ${kind}`);
}

/** Terms stored as (actions, purposes, skind, scope, start, end, xcats, xrecs) from field `i`. */
export function termsOf(f: readonly Uint8Array[], i: number): Terms {
  const exceptions: Exception[] = [
    ...packed(at(f, i + 6)).map((c): Exception => ({ kind: 'category', category: str(c) })),
    ...packed(at(f, i + 7)).map((r): Exception => ({ kind: 'record', recordId: bytesToHex(r) })),
  ];
  return {
    actions: fromBits<Action>(int(f, i), ACTION_BIT),
    purposes: fromBits<Purpose>(int(f, i + 1), PURPOSE_BIT),
    scope: scopeOf(int(f, i + 2), at(f, i + 3)),
    start: int(f, i + 4),
    end: int(f, i + 5),
    exceptions,
  };
}

/**
 * Grant `id` from its `grantInfo` fields (patient, grantor, gkind, grantee, actions, purposes,
 * skind, scope, start, end, xcats, xrecs, granted, revoked) and `grantRequest` (0: none).
 */
export function grantFromFields(id: number, fields: readonly Uint8Array[], request = 0): Grant {
  const f = need(fields, 14, 'grant');
  const t = termsOf(f, 4);
  const revoked = int(f, 13);
  return {
    id,
    patient: bytesToHex(at(f, 0)),
    grantor: bytesToHex(at(f, 1)),
    grantee: granteeOf(int(f, 2), at(f, 3)),
    ...t,
    grantedAt: int(f, 12),
    revokedAt: revoked < 0 ? null : revoked,
    ...(request > 0 ? { request } : {}),
  };
}

const STATUS_OF = new Map(Object.entries(REQUEST_STATUS_CODE).map(([k, v]) => [v, k])) as ReadonlyMap<
  number,
  AccessRequest['status']
>;

/**
 * Request `id` from its `requestInfo` fields (patient, requester, the terms, reason, requested,
 * expires, status, answered, by, grant, note).
 */
export function requestFromFields(id: number, fields: readonly Uint8Array[]): AccessRequest {
  const f = need(fields, 18, 'request');
  const status = STATUS_OF.get(int(f, 13));
  if (status === undefined) throw new RangeError(`unknown request status ${int(f, 13)}`);
  const answered = int(f, 14);
  const grant = int(f, 16);
  return {
    id,
    patient: bytesToHex(at(f, 0)),
    requester: bytesToHex(at(f, 1)),
    ...termsOf(f, 2),
    reason: str(at(f, 10)),
    requestedAt: int(f, 11),
    expiresAt: int(f, 12),
    status,
    answeredBy: answered < 0 ? null : bytesToHex(at(f, 15)),
    answeredAt: answered < 0 ? null : answered,
    grantId: grant > 0 ? grant : null,
    denyReason: str(at(f, 17)),
  };
}

/** One entry of a patient's trail as stored: Entry{op, at, by, patient, subject, purpose, detail, via}. */
export interface TrailEntry {
  /** Index on the patient's trail, from 0. */
  readonly seq: number;
  readonly op: string;
  readonly at: number;
  readonly by: string;
  readonly patient: string;
  /** Raw: an 8-byte id, an actor id, `record ++ bytes(version)` or a record id, by op. */
  readonly subject: Uint8Array;
  /** Purpose bits (0: none). */
  readonly purpose: number;
  /** Raw: a reason code, grantee, category, reader id, by op. */
  readonly detail: Uint8Array;
  /** The node that recorded a read (hex), or ''. */
  readonly via: string;
}

/** A `trailEntry` result as a TrailEntry. */
export function entryFromFields(seq: number, fields: readonly Uint8Array[]): TrailEntry {
  const f = need(fields, 8, 'trail entry');
  return {
    seq,
    op: str(at(f, 0)),
    at: int(f, 1),
    by: bytesToHex(at(f, 2)),
    patient: bytesToHex(at(f, 3)),
    subject: at(f, 4),
    purpose: int(f, 5),
    detail: at(f, 6),
    via: bytesToHex(at(f, 7)),
  };
}

/** The purpose of a single purpose bit, or null (0 or not one purpose). */
export function purposeOfBit(bit: number): Purpose | null {
  return fromBits<Purpose>(bit, PURPOSE_BIT)[0] ?? null;
}
