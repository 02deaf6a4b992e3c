/**
 * The consent state as plain data, and the audit entry shape. The model mutates it; canAccess only
 * reads it. The contract keeps the same facts in its key space (docs/consent.md, "On chain").
 */
import type {
  AccessRequest,
  Actor,
  ActorId,
  Attestation,
  AttestationKind,
  Emergency,
  Grant,
  Grantee,
  Org,
  OrgId,
  Purpose,
  RecordEntry,
  RecordId,
  ResearchExport,
  ResearchRequest,
  Terms,
  Time,
} from './types.js';

/** Operations that leave an audit entry (and an event of the same name). */
export const AuditOp = {
  addOrg: 'addOrg',
  registerActor: 'registerActor',
  suspendActor: 'suspendActor',
  reinstateActor: 'reinstateActor',
  updateLicence: 'updateLicence',
  linkGuardian: 'linkGuardian',
  unlinkGuardian: 'unlinkGuardian',
  grant: 'grant',
  revoke: 'revoke',
  anchor: 'anchor',
  requestEmergency: 'requestEmergency',
  cosignEmergency: 'cosignEmergency',
  read: 'read',
  consult: 'consult',
  shareKey: 'shareKey',
  erase: 'erase',
  requestAccess: 'requestAccess',
  approveRequest: 'approveRequest',
  denyRequest: 'denyRequest',
  withdrawRequest: 'withdrawRequest',
  attest: 'attest',
  setAttestationPolicy: 'setAttestationPolicy',
  requestResearch: 'requestResearch',
  recordExport: 'recordExport',
  disclose: 'disclose',
} as const;
export type AuditOp = (typeof AuditOp)[keyof typeof AuditOp];

/**
 * One line of the audit trail (FHIR AuditEvent, HIPAA 164.528 accounting): who, what, when, purpose.
 * `subject` is an actor id, org code, grant id, `recordId/version` or emergency id, as the op says.
 */
export interface AuditEntry {
  /** Position in the chain-wide log, from 1. */
  readonly seq: number;
  readonly op: AuditOp;
  /** Block time of the tx; for reads, the time the node served the read. */
  readonly at: Time;
  /** Who: the signer, or for reads the reader (the node that recorded it is in `via`). */
  readonly by: ActorId;
  /** The patient whose trail this belongs on, or null (e.g. suspending a doctor). */
  readonly patient: ActorId | null;
  readonly subject: string;
  readonly purpose: Purpose | null;
  /**
   * Op-specific code: the role registered, the emergency reason, the read's canAccess reason, or a
   * consult's `<action>:<reason>`.
   */
  readonly detail: string;
  /** For reads and consults: the node that served (answered) and recorded it; otherwise null. */
  readonly via: ActorId | null;
}

/** Everything the consent rules know. */
export interface ConsentState {
  readonly orgs: Map<OrgId, Org>;
  readonly actors: Map<ActorId, Actor>;
  /** Keys `${guardian}/${patient}`. */
  readonly guardianships: Set<string>;
  /** grants[id - 1]; ids are dense from 1. */
  readonly grants: Grant[];
  readonly grantsByPatient: Map<ActorId, number[]>;
  readonly records: Map<RecordId, RecordEntry>;
  /** emergencies[id - 1]; ids are dense from 1. */
  readonly emergencies: Emergency[];
  /** Keys `${requester}/${patient}` to emergency ids. */
  readonly emergenciesByPair: Map<string, number[]>;
  readonly audit: AuditEntry[];
  readonly auditByPatient: Map<ActorId, number[]>;
  /** requests[id - 1]; ids are dense from 1. */
  readonly requests: AccessRequest[];
  /** Keys `${recordId}/${version}`, in the order given. */
  readonly attestations: Map<string, Attestation[]>;
  /** Per organisation: the kinds any one of which makes its authors' versions final (absent = none). */
  readonly attestationPolicy: Map<OrgId, readonly AttestationKind[]>;
  /** researchRequests[id - 1]; ids are dense from 1. */
  readonly researchRequests: ResearchRequest[];
  /** By export id. */
  readonly exports: Map<string, ResearchExport>;
  /** Keys `${exportId}/${patient}`: who each export disclosed. */
  readonly disclosures: Set<string>;
}

/** A fresh, empty state. */
export function emptyState(): ConsentState {
  return {
    orgs: new Map(),
    actors: new Map(),
    guardianships: new Set(),
    grants: [],
    grantsByPatient: new Map(),
    records: new Map(),
    emergencies: [],
    emergenciesByPair: new Map(),
    audit: [],
    auditByPatient: new Map(),
    requests: [],
    attestations: new Map(),
    attestationPolicy: new Map(),
    researchRequests: [],
    exports: new Map(),
    disclosures: new Set(),
  };
}

/** Key of a guardianship or emergency pair. */
export function pairKey(a: ActorId, b: ActorId): string {
  return `${a}/${b}`;
}

/** Appends `value` to the list at `key`, creating it. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Stores a new grant of `patient`'s made by `grantor` at `now` with `terms`, the next grant id, and
 * lists it under the patient: what `grant` and `approveRequest` both do (the contract's `new_grant`).
 */
export function storeGrant(
  state: ConsentState,
  g: { patient: string; grantor: string; grantee: Grantee; terms: Terms; now: Time; request?: number },
): Grant {
  const t = g.terms;
  const grant: Grant = {
    id: state.grants.length + 1,
    patient: g.patient,
    grantor: g.grantor,
    grantee: g.grantee,
    actions: [...t.actions],
    scope: t.scope,
    purposes: [...t.purposes],
    start: t.start,
    end: t.end,
    exceptions: [...t.exceptions],
    grantedAt: g.now,
    revokedAt: null,
    ...(g.request === undefined ? {} : { request: g.request }),
  };
  state.grants.push(grant);
  pushTo(state.grantsByPatient, g.patient, grant.id);
  return grant;
}
