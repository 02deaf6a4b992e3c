/**
 * The reference model of the consent rules: the executable specification the consent contract is
 * checked against (docs/consent.md). Pure and deterministic: no I/O, no clock, no randomness; the
 * signer and the block time come in with each call.
 *
 * @example
 * const m = new ConsentModel();
 * m.apply({ caller: govKey, now: t, governance: true }, { op: 'addOrg', org: 'hosp-a', ... });
 * m.canAccess(doctorId, patientId, { kind: 'category', category: 'lab' }, 'read', 'TREAT', t);
 */
import { type AccessDecision, type AccessTarget, canAccess } from './access.js';
import * as admin from './admin-ops.js';
import * as attest from './attest-ops.js';
import type { OpResult } from './common.js';
import * as consults from './consult-ops.js';
import * as keys from './key-ops.js';
import type { ConsentOp, TxContext } from './ops.js';
import * as patient from './patient-ops.js';
import * as requests from './request-ops.js';
import * as research from './research-ops.js';
import { type AuditEntry, type ConsentState, emptyState, pairKey } from './state.js';
import type {
  AccessRequest,
  Action,
  Actor,
  ActorId,
  Emergency,
  Grant,
  Org,
  OrgId,
  Purpose,
  RecordEntry,
  RecordId,
  RequestStatus,
  Time,
} from './types.js';

export type { AccessDecision, AccessTarget } from './access.js';
export type { VersionAttestations } from './attest-ops.js';
export { ALLOWED_REASONS, ConsentError, Reason } from './codes.js';
export { actorIdOf, type OpResult } from './common.js';
export type { ConsentOp, ConsentOpName, ConsultEntry, ReadEntry, TxContext } from './ops.js';
export { type AuditEntry, AuditOp } from './state.js';

/** Runs one operation against `state`: checks, then effects; on error nothing changes. */
function applyOp(state: ConsentState, ctx: TxContext, op: ConsentOp): OpResult {
  switch (op.op) {
    case 'addOrg':
      return admin.addOrg(state, ctx, op);
    case 'registerActor':
      return admin.registerActor(state, ctx, op);
    case 'suspendActor':
      return admin.suspendActor(state, ctx, op);
    case 'reinstateActor':
      return admin.reinstateActor(state, ctx, op);
    case 'updateLicence':
      return admin.updateLicence(state, ctx, op);
    case 'linkGuardian':
    case 'unlinkGuardian':
      return admin.setGuardian(state, ctx, op);
    case 'grant':
      return patient.grant(state, ctx, op);
    case 'revoke':
      return patient.revoke(state, ctx, op);
    case 'anchor':
      return patient.anchor(state, ctx, op);
    case 'requestEmergency':
      return patient.requestEmergency(state, ctx, op);
    case 'cosignEmergency':
      return patient.cosignEmergency(state, ctx, op);
    case 'recordReads':
      return patient.recordReads(state, ctx, op);
    case 'recordConsults':
      return consults.recordConsults(state, ctx, op);
    case 'shareKey':
      return keys.shareKey(state, ctx, op);
    case 'erase':
      return keys.erase(state, ctx, op);
    case 'requestAccess':
      return requests.requestAccess(state, ctx, op);
    case 'approveRequest':
      return requests.approveRequest(state, ctx, op);
    case 'denyRequest':
      return requests.denyRequest(state, ctx, op);
    case 'withdrawRequest':
      return requests.withdrawRequest(state, ctx, op);
    case 'attest':
      return attest.attest(state, ctx, op);
    case 'setAttestationPolicy':
      return attest.setAttestationPolicy(state, ctx, op);
    case 'requestResearch':
      return research.requestResearch(state, ctx, op);
    case 'recordExport':
      return research.recordExport(state, ctx, op);
    case 'recordDisclosures':
      return research.recordDisclosures(state, ctx, op);
  }
}

/** The consent rules over one in-memory state. */
export class ConsentModel {
  /** The state; read it in tests, change it only through {@link ConsentModel.apply}. */
  readonly state: ConsentState = emptyState();

  /** Runs a mutating operation signed by `ctx.caller` at block time `ctx.now`. */
  apply(ctx: TxContext, op: ConsentOp): OpResult {
    return applyOp(this.state, ctx, op);
  }

  /** See {@link canAccess} in access.ts; never throws. */
  canAccess(
    actor: ActorId,
    patientId: ActorId,
    target: AccessTarget,
    action: Action,
    purpose: Purpose,
    at: Time,
  ): AccessDecision {
    return canAccess(this.state, actor, patientId, target, action, purpose, at);
  }

  /** The patient's trail, oldest first: every op and read about them (HIPAA accounting). */
  auditTrail(patientId: ActorId): readonly AuditEntry[] {
    const seqs = this.state.auditByPatient.get(patientId) ?? [];
    return seqs.map((s) => this.state.audit[s - 1]).filter((e): e is AuditEntry => e !== undefined);
  }

  /** The whole chain-wide log, oldest first. */
  auditLog(): readonly AuditEntry[] {
    return this.state.audit;
  }

  /** An organisation, or undefined. */
  org(id: OrgId): Org | undefined {
    return this.state.orgs.get(id);
  }

  /** An actor, or undefined. */
  actor(id: ActorId): Actor | undefined {
    return this.state.actors.get(id);
  }

  /** A grant by id, or undefined. */
  grant(id: number): Grant | undefined {
    return this.state.grants[id - 1];
  }

  /** A record with its version chain, or undefined. */
  record(id: RecordId): RecordEntry | undefined {
    return this.state.records.get(id);
  }

  /** An emergency request, or undefined. */
  emergency(id: number): Emergency | undefined {
    return this.state.emergencies[id - 1];
  }

  /** Is `guardian` linked to `patientId`? */
  isGuardian(guardian: ActorId, patientId: ActorId): boolean {
    return this.state.guardianships.has(pairKey(guardian, patientId));
  }

  /** The data key of a version wrapped for `reader` (hex), or undefined. */
  wrappedKey(recordId: RecordId, version: number, reader: ActorId): string | undefined {
    return this.state.records.get(recordId)?.versions[version - 1]?.keys.find((k) => k.reader === reader)
      ?.key;
  }

  /** An access request by id, or undefined. */
  request(id: number): AccessRequest | undefined {
    return this.state.requests[id - 1];
  }

  /** Where request `id` stands at `at` (`expired`: open past its expiry), or undefined. */
  requestStatus(id: number, at: Time): RequestStatus | undefined {
    const r = this.state.requests[id - 1];
    return r && requests.requestStatusAt(r, at);
  }

  /** Ids of the patient's requests open at `at` (the patient's inbox), oldest first. */
  openRequests(patientId: ActorId, at: Time): number[] {
    return requests.openRequestsOf(this.state, patientId, at);
  }

  /** Ids of every request `requester` made, oldest first. */
  requestsBy(requester: ActorId): number[] {
    return requests.requestsBy(this.state, requester);
  }

  /** Would `patientId` be includable in an export by `custodian` recorded at `at`? */
  researchConsent(custodian: ActorId, patientId: ActorId, at: Time): boolean {
    const c = this.state.actors.get(custodian);
    return (
      c?.role === 'custodian' &&
      this.state.actors.get(patientId)?.role === 'patient' &&
      research.hasResearchConsent(this.state, c, patientId, at)
    );
  }

  /** A version's attestations and whether it is final or pending, or undefined. */
  versionAttestations(recordId: RecordId, version: number): attest.VersionAttestations | undefined {
    return attest.versionAttestations(this.state, recordId, version);
  }
}
