/**
 * Vocabulary and entity shapes of the consent rules (docs/consent.md). Everything here is what the
 * chain stores: pseudonymous ids, hashes, codes, times and opaque wrapped keys. No names, no
 * addresses, no clinical content.
 */

/** Kinds of consortium member. The kind limits which roles the organisation may register. */
export const OrgKind = { hospital: 'hospital', insurer: 'insurer', research: 'research' } as const;
export type OrgKind = (typeof OrgKind)[keyof typeof OrgKind];

/** Roles an actor can hold (exactly one per actor). */
export const Role = {
  admin: 'admin',
  doctor: 'doctor',
  patient: 'patient',
  guardian: 'guardian',
  insurer: 'insurer',
  researcher: 'researcher',
  node: 'node',
  /** A hospital's data custodian (honest broker): holds research grants, releases de-identified exports. */
  custodian: 'custodian',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** Which roles an organisation of each kind may register. */
export const ROLES_BY_ORG_KIND: Readonly<Record<OrgKind, readonly Role[]>> = {
  hospital: ['admin', 'doctor', 'patient', 'guardian', 'node', 'custodian'],
  insurer: ['admin', 'insurer', 'node'],
  research: ['admin', 'researcher', 'node'],
};

/** Roles that must carry a professional licence expiry (licenceExpiry > 0). */
export const LICENSED_ROLES: readonly Role[] = ['doctor', 'insurer', 'researcher'];

/** Roles that can receive grants (directly, through their organisation, or by role). */
export const ACCESSOR_ROLES: readonly Role[] = ['doctor', 'insurer', 'researcher'];

/** Roles a permit may name as an actor or through their organisation: the accessors and custodians. */
export const READER_ROLES: readonly Role[] = [...ACCESSOR_ROLES, 'custodian'];

/** HL7 v3 purpose-of-use codes (FHIR Consent.provision.purpose). */
export const Purpose = { TREAT: 'TREAT', HPAYMT: 'HPAYMT', HRESCH: 'HRESCH', ETREAT: 'ETREAT' } as const;
export type Purpose = (typeof Purpose)[keyof typeof Purpose];

/** Purposes each accessor role may ever use (HIPAA minimum necessary); anything else is role_mismatch. */
export const PURPOSES_BY_ROLE: Readonly<Partial<Record<Role, readonly Purpose[]>>> = {
  doctor: ['TREAT', 'ETREAT'],
  insurer: ['HPAYMT'],
  researcher: ['HRESCH'],
  custodian: ['HRESCH'],
};

/** Actions a provision can permit. Only doctors may write. */
export const Action = { read: 'read', write: 'write' } as const;
export type Action = (typeof Action)[keyof typeof Action];

/** Time: integer milliseconds since the Unix epoch, the block time of the tx (never a wall clock). */
export type Time = number;
/** Lowercase hex of sha256(public key): 64 characters. */
export type ActorId = string;
/** Organisation code chosen by governance, e.g. `hosp-a` (matches {@link CODE_PATTERN}). */
export type OrgId = string;
/** A record category code, e.g. `lab`, `imaging`, `mental-health` (matches {@link CODE_PATTERN}). */
export type Category = string;
/** A client-chosen pseudonymous record id: 64 lowercase hex characters (e.g. random 32 bytes). */
export type RecordId = string;

/** Shape of organisation and category codes: 1-32 of `a-z 0-9 -`. */
export const CODE_PATTERN = /^[a-z0-9-]{1,32}$/;
/** Shape of ids and hashes: 32 bytes as lowercase hex. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** One hour: how long an emergency request waits for its co-signature. */
export const EMERGENCY_COSIGN_WINDOW_MS = 3_600_000;
/** 24 hours: the longest emergency access window. */
export const EMERGENCY_MAX_MS = 86_400_000;
/** Most entries in one recordReads batch. */
export const MAX_READ_BATCH = 64;
/** Most entries in one recordConsults batch. */
export const MAX_CONSULT_BATCH = 64;
/** Most readers a version's data key may be wrapped for (anchor keys plus shareKey additions). */
export const MAX_READERS = 64;
/** Most categories in a scope, exceptions in a grant, or wrapped keys in an anchor. */
export const MAX_LIST = 16;
/** How long an access request waits for an answer when the requester gives no expiry: 7 days. */
export const REQUEST_DEFAULT_TTL_MS = 7 * 86_400_000;
/** The longest an access request may wait for an answer: 30 days. */
export const REQUEST_MAX_TTL_MS = 30 * 86_400_000;
/** Most open (unanswered, unexpired) requests of one requester to one patient. */
export const MAX_OPEN_REQUESTS_PER_PATIENT = 3;
/** Most open requests of one requester, all patients together. */
export const MAX_OPEN_REQUESTS = 32;
/** Most attestations of one record version. */
export const MAX_ATTESTATIONS = 16;

/** A consortium member. */
export interface Org {
  readonly id: OrgId;
  readonly kind: OrgKind;
  readonly joinedAt: Time;
}

/** A registered key holder. */
export interface Actor {
  readonly id: ActorId;
  readonly role: Role;
  readonly org: OrgId;
  /** sha256 of the X.509 / professional certificate checked off chain by the registering admin. */
  certHash: string;
  /** Licence (or credential) valid while `at < licenceExpiry`; 0 = no expiry (patients, guardians). */
  licenceExpiry: Time;
  suspended: boolean;
  readonly registeredAt: Time;
}

/** Who a provision applies to (FHIR provision.actor): one actor, every accessor of an org, or a role. */
export type Grantee =
  | { readonly kind: 'actor'; readonly id: ActorId }
  | { readonly kind: 'org'; readonly id: OrgId }
  | { readonly kind: 'role'; readonly id: Role };

/** What data a provision covers (FHIR provision.data / provision.class). */
export type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'categories'; readonly categories: readonly Category[] }
  | { readonly kind: 'record'; readonly recordId: RecordId };

/** A nested deny provision inside a permit: data the permit does not cover after all. */
export type Exception =
  | { readonly kind: 'category'; readonly category: Category }
  | { readonly kind: 'record'; readonly recordId: RecordId };

/** A patient's consent provision (FHIR Consent with one permit and nested denies). */
export interface Grant {
  readonly id: number;
  readonly patient: ActorId;
  /** The patient or the guardian who signed it. */
  readonly grantor: ActorId;
  readonly grantee: Grantee;
  readonly actions: readonly Action[];
  readonly scope: Scope;
  readonly purposes: readonly Purpose[];
  /** Valid for `start <= at < end` (end exclusive). */
  readonly start: Time;
  readonly end: Time;
  readonly exceptions: readonly Exception[];
  readonly grantedAt: Time;
  revokedAt: Time | null;
  /** The access request this grant approved, if any. */
  readonly request?: number;
}

/** A data key wrapped for one reader (X25519 sealed box; opaque to the chain). */
export interface WrappedKey {
  readonly reader: ActorId;
  /** Lowercase hex of the opaque wrapped key bytes (1-256 bytes). */
  readonly key: string;
}

/** One version of a record: a pointer to an encrypted blob, never its content. */
export interface RecordVersion {
  readonly version: number;
  /** Content id of the ciphertext blob (a CIDv1 string; 1-128 bytes in UTF-8). */
  readonly cid: string;
  /** Category of this version; each version is judged by its own category. */
  readonly category: Category;
  readonly author: ActorId;
  readonly anchoredAt: Time;
  /** Wrapped data keys, in the order readers were added (anchor, then shareKey). */
  keys: WrappedKey[];
}

/** A record: its patient and its version chain (version n+1 names version n as previous). */
export interface RecordEntry {
  readonly id: RecordId;
  readonly patient: ActorId;
  readonly versions: RecordVersion[];
  /** Block time of its erasure (crypto-shredding: every wrapped key deleted), or null. */
  erasedAt: Time | null;
}

/** A break-the-glass request. Active for `cosignedAt <= at < cosignedAt + durationMs`. */
export interface Emergency {
  readonly id: number;
  readonly patient: ActorId;
  readonly requester: ActorId;
  readonly reason: string;
  readonly durationMs: number;
  readonly requestedAt: Time;
  cosigner: ActorId | null;
  cosignedAt: Time | null;
}

/** The terms of a permit, as a request asks for them or an approval narrows them. */
export interface Terms {
  readonly actions: readonly Action[];
  readonly scope: Scope;
  readonly purposes: readonly Purpose[];
  /** Valid for `start <= at < end` (end exclusive). */
  readonly start: Time;
  readonly end: Time;
  readonly exceptions: readonly Exception[];
}

/** Where an access request stands. `expired` is never stored: an open request past its expiry. */
export const RequestStatus = {
  open: 'open',
  approved: 'approved',
  denied: 'denied',
  withdrawn: 'withdrawn',
  expired: 'expired',
} as const;
export type RequestStatus = (typeof RequestStatus)[keyof typeof RequestStatus];

/** A doctor's, insurer's or researcher's request for a permit, waiting for the patient's answer. */
export interface AccessRequest extends Terms {
  readonly id: number;
  readonly patient: ActorId;
  readonly requester: ActorId;
  /** Why the access is wanted: a code of the consortium's vocabulary (e.g. `referral`). */
  readonly reason: string;
  readonly requestedAt: Time;
  /** Open while `now < expiresAt`; after that it lapses unanswered. */
  readonly expiresAt: Time;
  status: Exclude<RequestStatus, 'expired'>;
  /** Who answered (patient or guardian) or withdrew (the requester), when; null while open. */
  answeredBy: ActorId | null;
  answeredAt: Time | null;
  /** The grant an approval created, or null. */
  grantId: number | null;
  /** The code the patient gave when denying, or ''. */
  denyReason: string;
}

/** A researcher's request for a de-identified export from a hospital's custodians. */
export interface ResearchRequest {
  readonly id: number;
  readonly researcher: ActorId;
  /** The hospital asked. */
  readonly org: OrgId;
  /** The data wanted: all, or categories (a record scope is not a cohort). */
  readonly scope: Scope;
  readonly reason: string;
  readonly requestedAt: Time;
}

/** A de-identified release by a custodian: what was released to whom, and how. */
export interface ResearchExport {
  /** 32 bytes chosen by the custodian (hex). */
  readonly id: string;
  readonly custodian: ActorId;
  readonly request: number;
  readonly researcher: ActorId;
  /** sha256 of the released file (hex). */
  readonly fileHash: string;
  readonly k: number;
  readonly l: number;
  /** Quasi-identifier codes, in order. */
  readonly quasiIdentifiers: readonly string[];
  /** The sensitive attribute's code. */
  readonly sensitive: string;
  /** sha256 of the export's full parameters (hex): the report says what they were. */
  readonly paramsHash: string;
  /** Block time of the record: consent is judged at this time. */
  readonly at: Time;
  /** Patients disclosed so far. */
  disclosed: number;
}

/** Most quasi-identifiers of an export. */
export const MAX_QUASI_IDENTIFIERS = 16;
/** Most patients in one recordDisclosures batch. */
export const MAX_DISCLOSURE_BATCH = 64;

/** Kinds of record attestation. */
export const AttestationKind = {
  patientConfirmed: 'patient-confirmed',
  adminValidated: 'admin-validated',
  coSigned: 'co-signed',
} as const;
export type AttestationKind = (typeof AttestationKind)[keyof typeof AttestationKind];

/** Someone vouching for one version of a record. */
export interface Attestation {
  readonly kind: AttestationKind;
  readonly by: ActorId;
  readonly at: Time;
}
