/**
 * The consent contract calls the records layer uses, beyond `vm/consent/abi.ts`: key sharing,
 * erasure, and the version / reader / actor queries, with decoders of their return data.
 * Pure: shared by the node (which queries its state directly) and the client (over HTTP).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeInt, encodeInt, packFields, unpackFields } from '../../vm/abi.js';
import { decodeDecision, encodeCanAccess } from '../../vm/consent/abi.js';
import { toHex } from '../chain/encoding.js';
import { PURPOSES, type PurposeName } from './request.js';

/** A contract call: method and arguments. */
export interface Call {
  readonly method: string;
  readonly args: Uint8Array[];
}

/** The pseudonymous actor id (sha256) of an ed25519 public key. */
export const actorId = (publicKey: Uint8Array): Uint8Array => sha256(publicKey);

/** Patient / guardian: wrap the data key of (record, version) for one more reader. */
export const shareKeyCall = (
  record: Uint8Array,
  version: number,
  reader: Uint8Array,
  key: Uint8Array,
): Call => ({
  method: 'shareKey',
  args: [record, encodeInt(version), reader, key],
});

/** Patient / guardian: erase a record (crypto-shredding). */
export const eraseCall = (record: Uint8Array): Call => ({ method: 'erase', args: [record] });

/** Query: a version's facts. */
export const versionInfoCall = (record: Uint8Array, version: number): Call => ({
  method: 'versionInfo',
  args: [record, encodeInt(version)],
});

/** Query: the head version (0 if none). */
export const recordHeadCall = (record: Uint8Array): Call => ({ method: 'recordHead', args: [record] });

/** Query: the data key of a version wrapped for a reader id (empty if none). */
export const wrappedKeyCall = (record: Uint8Array, version: number, reader: Uint8Array): Call => ({
  method: 'wrappedKey',
  args: [record, encodeInt(version), reader],
});

/** Query: readers of a version. */
export const readersOfCall = (record: Uint8Array, version: number): Call => ({
  method: 'readersOf',
  args: [record, encodeInt(version)],
});

/** Query: an actor's record (empty if unknown). */
export const actorInfoCall = (id: Uint8Array): Call => ({ method: 'actorInfo', args: [id] });

/** Query: may `reader` read (record, version) of `patient` for `purpose` at `at`? */
export function canReadCall(
  reader: Uint8Array,
  patient: Uint8Array,
  record: Uint8Array,
  version: number,
  purpose: PurposeName,
  at: number,
): Call {
  const c = encodeCanAccess(
    toHex(reader),
    toHex(patient),
    { kind: 'record', recordId: toHex(record), version },
    'read',
    purpose,
    at,
  );
  return { method: c.method, args: c.args };
}

export { decodeDecision };

/** One version's facts as the chain holds them. */
export interface VersionInfo {
  readonly patient: Uint8Array;
  /** CID string of the ciphertext blob. */
  readonly cid: string;
  readonly category: string;
  readonly author: Uint8Array;
  readonly anchoredAt: number;
  /** Block time of the record's erasure, 0 if not erased. */
  readonly erasedAt: number;
}

const dec = new TextDecoder();

/** Decodes `versionInfo` return data; null for "no such version". */
export function decodeVersionInfo(data: Uint8Array): VersionInfo | null {
  if (data.length === 0) return null;
  const [patient, cid, category, author, at, erased] = unpackFields(data);
  if (!patient || !cid || !category || !author || !at || !erased)
    throw new RangeError('malformed versionInfo');
  return {
    patient,
    cid: dec.decode(cid),
    category: dec.decode(category),
    author,
    anchoredAt: decodeInt(at),
    erasedAt: decodeInt(erased),
  };
}

/** An actor as `actorInfo` returns it (the Actor struct of consent.ehr). */
export interface ActorInfo {
  readonly role: number;
  readonly org: string;
  readonly licence: number;
  readonly suspended: boolean;
}

/** Decodes `actorInfo`; null for an unknown actor. */
export function decodeActorInfo(data: Uint8Array): ActorInfo | null {
  if (data.length === 0) return null;
  const [role, org, , licence, suspended] = unpackFields(data);
  if (!role || !org || !licence || !suspended) throw new RangeError('malformed actorInfo');
  return {
    role: decodeInt(role),
    org: dec.decode(org),
    licence: decodeInt(licence),
    suspended: decodeInt(suspended) !== 0,
  };
}

/** Decodes a pack of reader ids. */
export const decodeReaders = (data: Uint8Array): Uint8Array[] =>
  data.length === 0 ? [] : unpackFields(data);

/** One served read, as `recordReads` takes it. */
export interface ServedRead {
  readonly reader: Uint8Array;
  readonly patient: Uint8Array;
  readonly recordId: Uint8Array;
  readonly version: number;
  readonly purpose: PurposeName;
  readonly at: number;
}

/** Node: record served reads (1..64). */
export const recordReadsCall = (reads: readonly ServedRead[]): Call => ({
  method: 'recordReads',
  args: [
    packFields(
      reads.map((r) => packFields([r.reader, r.patient, r.recordId, r.version, PURPOSES[r.purpose], r.at])),
    ),
  ],
});
