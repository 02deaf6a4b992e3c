/**
 * The consent contract's call interface: how a {@link ConsentOp} becomes a method name and byte
 * arguments (docs/language.md, "Argument encoding"), and how results come back. Ids and hashes
 * (hex in the model) travel as raw bytes, codes as UTF-8, enumerations as the ints of
 * consent.ehr, sets of actions and purposes as bit sets, lists as packed values.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeInt, encodeInt, packFields, unpackFields } from '../abi.js';
import type { AccessTarget } from './access.js';
import type { ConsentOp, ConsultEntry } from './ops.js';
import type {
  Action,
  Attestation,
  AttestationKind,
  Grantee,
  OrgKind,
  Purpose,
  Role,
  Scope,
  Terms,
} from './types.js';

/** Org kind codes of consent.ehr. */
export const ORG_KIND_CODE: Readonly<Record<OrgKind, number>> = { hospital: 1, insurer: 2, research: 3 };
/** Role codes of consent.ehr. */
export const ROLE_CODE: Readonly<Record<Role, number>> = {
  admin: 1,
  doctor: 2,
  patient: 3,
  guardian: 4,
  insurer: 5,
  researcher: 6,
  node: 7,
  custodian: 8,
};
/** Action bits. */
export const ACTION_BIT: Readonly<Record<Action, number>> = { read: 1, write: 2 };
/** Purpose-of-use bits. */
export const PURPOSE_BIT: Readonly<Record<Purpose, number>> = { TREAT: 1, HPAYMT: 2, HRESCH: 4, ETREAT: 8 };
/** Attestation kind bits (attest takes one; an organisation's policy is a set). */
export const ATTESTATION_BIT: Readonly<Record<AttestationKind, number>> = {
  'patient-confirmed': 1,
  'admin-validated': 2,
  'co-signed': 4,
};
/** Access request status codes of consent.ehr (`expired` is computed, never stored). */
export const REQUEST_STATUS_CODE = { open: 1, approved: 2, denied: 3, withdrawn: 4 } as const;

const GRANTEE_KIND = { actor: 1, org: 2, role: 3 } as const;
const SCOPE_KIND = { all: 1, categories: 2, record: 3 } as const;
const enc = new TextEncoder();

/** UTF-8 bytes of a code or CID. */
export const text = (s: string): Uint8Array => enc.encode(s);
/** Raw bytes of a hex id (the model's form of ids, keys and hashes). */
export const raw = (hex: string): Uint8Array => hexToBytes(hex);

/** A method call: name and positional args. */
export interface ConsentCall {
  readonly method: string;
  readonly args: Uint8Array[];
}

const bits = <T extends string>(list: readonly T[], table: Readonly<Record<T, number>>): number => {
  let b = 0;
  for (const v of list) b |= table[v];
  return b;
};

function granteeBytes(g: Grantee): Uint8Array {
  if (g.kind === 'actor') return raw(g.id);
  if (g.kind === 'org') return text(g.id);
  return encodeInt(ROLE_CODE[g.id]);
}

function scopeBytes(s: Scope): Uint8Array {
  if (s.kind === 'all') return new Uint8Array(0);
  if (s.kind === 'categories') return packFields(s.categories.map(text));
  return raw(s.recordId);
}

/** The contract call for an operation. */
export function encodeOp(op: ConsentOp): ConsentCall {
  const i = encodeInt;
  switch (op.op) {
    case 'addOrg':
      return call(op.op, text(op.org), i(ORG_KIND_CODE[op.kind]), raw(op.adminKey), raw(op.adminCertHash));
    case 'registerActor':
      return call(op.op, raw(op.publicKey), i(ROLE_CODE[op.role]), raw(op.certHash), i(op.licenceExpiry));
    case 'suspendActor':
    case 'reinstateActor':
      return call(op.op, raw(op.actor));
    case 'updateLicence':
      return call(op.op, raw(op.actor), raw(op.certHash), i(op.licenceExpiry));
    case 'linkGuardian':
    case 'unlinkGuardian':
      return call(op.op, raw(op.guardian), raw(op.patient));
    case 'grant':
      return call(
        op.op,
        raw(op.patient),
        i(GRANTEE_KIND[op.grantee.kind]),
        granteeBytes(op.grantee),
        ...termsArgs(op),
      );
    case 'revoke':
      return call(op.op, i(op.grantId));
    case 'anchor':
      return call(
        op.op,
        raw(op.patient),
        raw(op.recordId),
        i(op.previous),
        text(op.cid),
        text(op.category),
        packFields(op.keys.map((k) => raw(k.reader))),
        packFields(op.keys.map((k) => raw(k.key))),
      );
    case 'requestEmergency':
      return call(op.op, raw(op.patient), text(op.reason), i(op.durationMs));
    case 'cosignEmergency':
      return call(op.op, i(op.emergencyId));
    case 'shareKey':
      return call(op.op, raw(op.recordId), i(op.version), raw(op.reader), raw(op.key));
    case 'erase':
      return call(op.op, raw(op.recordId));
    case 'requestAccess':
      return call(op.op, raw(op.patient), ...termsArgs(op), text(op.reason), i(op.expiresAt));
    case 'approveRequest':
      return op.terms === undefined
        ? call(op.op, i(op.requestId), i(0), ...NO_TERMS)
        : call(op.op, i(op.requestId), i(1), ...termsArgs(op.terms));
    case 'denyRequest':
      return call(op.op, i(op.requestId), text(op.reason));
    case 'withdrawRequest':
      return call(op.op, i(op.requestId));
    case 'attest':
      return call(op.op, raw(op.recordId), i(op.version), i(ATTESTATION_BIT[op.kind]));
    case 'setAttestationPolicy':
      return call(op.op, text(op.org), i(bits(op.kinds, ATTESTATION_BIT)));
    case 'requestResearch':
      return call(op.op, text(op.org), i(SCOPE_KIND[op.scope.kind]), scopeBytes(op.scope), text(op.reason));
    case 'recordExport':
      return call(
        op.op,
        raw(op.exportId),
        i(op.requestId),
        raw(op.fileHash),
        i(op.k),
        i(op.l),
        packFields(op.quasiIdentifiers.map(text)),
        text(op.sensitive),
        raw(op.paramsHash),
      );
    case 'recordDisclosures':
      return call(op.op, raw(op.exportId), packFields(op.patients.map(raw)));
    case 'recordConsults':
      return call(op.op, packFields(op.consults.map(consultFields)));
    case 'recordReads':
      return call(
        op.op,
        packFields(
          op.reads.map((r) =>
            packFields([
              raw(r.reader),
              raw(r.patient),
              raw(r.recordId),
              r.version,
              PURPOSE_BIT[r.purpose],
              r.at,
            ]),
          ),
        ),
      );
  }
}

/** One consult as recordConsults takes it: pack(actor, patient, tkind, target, version, action, purpose, at). */
function consultFields(c: ConsultEntry): Uint8Array {
  const t = c.target;
  const isCat = t.kind === 'category';
  return packFields([
    raw(c.actor),
    raw(c.patient),
    isCat ? 1 : 2,
    isCat ? text(t.category) : raw(t.recordId),
    isCat ? 0 : (t.version ?? 0),
    ACTION_BIT[c.action],
    PURPOSE_BIT[c.purpose],
    c.at,
  ]);
}

/**
 * The terms as consent.ehr's grant, requestAccess and approveRequest take them: actions, purposes,
 * scope kind, scope, start, end, exceptions by category, exceptions by record.
 */
function termsArgs(t: Terms): Uint8Array[] {
  const cats = t.exceptions.flatMap((e) => (e.kind === 'category' ? [text(e.category)] : []));
  const recs = t.exceptions.flatMap((e) => (e.kind === 'record' ? [raw(e.recordId)] : []));
  return [
    encodeInt(bits(t.actions, ACTION_BIT)),
    encodeInt(bits(t.purposes, PURPOSE_BIT)),
    encodeInt(SCOPE_KIND[t.scope.kind]),
    scopeBytes(t.scope),
    encodeInt(t.start),
    encodeInt(t.end),
    packFields(cats),
    packFields(recs),
  ];
}

/** approveRequest's terms when approving as requested (ignored by the contract). */
const NO_TERMS: readonly Uint8Array[] = [0, 0, 0, -1, 0, 0, -1, -1].map((v) =>
  v < 0 ? new Uint8Array(0) : encodeInt(v),
);

function call(method: string, ...args: Uint8Array[]): ConsentCall {
  return { method, args };
}

/** The canAccess query call. */
export function encodeCanAccess(
  actor: string,
  patient: string,
  target: AccessTarget,
  action: Action,
  purpose: Purpose,
  at: number,
): ConsentCall {
  const isCat = target.kind === 'category';
  return call(
    'canAccess',
    raw(actor),
    raw(patient),
    encodeInt(isCat ? 1 : 2),
    isCat ? text(target.category) : raw(target.recordId),
    encodeInt(isCat ? 0 : (target.version ?? 0)),
    encodeInt(ACTION_BIT[action]),
    encodeInt(PURPOSE_BIT[purpose]),
    encodeInt(at),
  );
}

/** canAccess return data: pack(allowed, reason). */
export function decodeDecision(data: Uint8Array): { allowed: boolean; reason: string } {
  const [allowed, reason] = unpackFields(data);
  if (!allowed || !reason) throw new RangeError('malformed canAccess result');
  return { allowed: decodeInt(allowed) !== 0, reason: new TextDecoder().decode(reason) };
}

/** An operation's return data as the model's value: the int returned, or 0 for none. */
export function decodeValue(data: Uint8Array): number {
  return data.length === 8 ? decodeInt(data) : 0;
}

/** A page of a request list query (openRequests, requestsBy): the ids, and where to go on (-1: done). */
export function decodePage(data: Uint8Array): { next: number; ids: number[] } {
  const [next, ids] = unpackFields(data);
  if (!next || !ids) throw new RangeError('malformed request page');
  return { next: decodeInt(next), ids: unpackFields(ids).map(decodeInt) };
}

const KIND_OF_BIT: ReadonlyMap<number, AttestationKind> = new Map(
  Object.entries(ATTESTATION_BIT).map(([k, b]) => [b, k as AttestationKind]),
);

/** One entry of attestationsOf: pack(kind bit, attester id, at), as the model's Attestation. */
export function decodeAttestation(entry: Uint8Array): Attestation {
  const [kind, by, at] = unpackFields(entry);
  const k = kind && KIND_OF_BIT.get(decodeInt(kind));
  if (!k || !by || !at) throw new RangeError('malformed attestation');
  return { kind: k, by: bytesToHex(by), at: decodeInt(at) };
}
