/**
 * Helpers shared by the operations: results, the caller check every mutation starts with, and
 * appending to the audit trail.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ConsentError } from './codes.js';
import type { TxContext } from './ops.js';
import { type AuditEntry, type AuditOp, type ConsentState, pairKey, pushTo } from './state.js';
import type { Actor, ActorId, Purpose, Role } from './types.js';

/** Outcome of a mutating operation. On error nothing changed. */
export type OpResult =
  | {
      readonly ok: true;
      /** The new grant id, version number or emergency id; 0 when the op returns nothing. */
      readonly value: number;
      /** One event per audit entry written, in order. */
      readonly events: readonly AuditEntry[];
    }
  | { readonly ok: false; readonly error: ConsentError };

/** A refusal. */
export const fail = (error: ConsentError): OpResult => ({ ok: false, error });

/** The pseudonymous actor id of a public key (hex in, hex out): sha256 of the 32 key bytes. */
export function actorIdOf(publicKeyHex: string): ActorId {
  return bytesToHex(sha256(hexToBytes(publicKeyHex)));
}

/**
 * The signer as an active actor holding one of `roles`, or the error: unknown_caller,
 * caller_suspended, caller_licence_expired, then unauthorised (wrong role), in that order.
 */
export function activeCaller(
  state: ConsentState,
  ctx: TxContext,
  roles: readonly Role[],
): Actor | ConsentError {
  const actor = state.actors.get(actorIdOf(ctx.caller));
  if (!actor) return ConsentError.unknownCaller;
  if (actor.suspended) return ConsentError.callerSuspended;
  if (actor.licenceExpiry !== 0 && ctx.now >= actor.licenceExpiry) return ConsentError.callerLicenceExpired;
  if (!roles.includes(actor.role)) return ConsentError.unauthorised;
  return actor;
}

/** Fields of an audit entry before it is numbered. */
export interface AuditDraft {
  readonly op: AuditOp;
  readonly at: number;
  readonly by: ActorId;
  readonly patient: ActorId | null;
  readonly subject: string;
  readonly purpose?: Purpose | null;
  readonly detail?: string;
  readonly via?: ActorId | null;
}

/** Appends an entry to the log (and the patient's trail) and returns it. */
export function audit(state: ConsentState, d: AuditDraft): AuditEntry {
  const entry: AuditEntry = {
    seq: state.audit.length + 1,
    op: d.op,
    at: d.at,
    by: d.by,
    patient: d.patient,
    subject: d.subject,
    purpose: d.purpose ?? null,
    detail: d.detail ?? '',
    via: d.via ?? null,
  };
  state.audit.push(entry);
  if (entry.patient !== null) pushTo(state.auditByPatient, entry.patient, entry.seq);
  return entry;
}

/** Success with the entries written. */
export const done = (value: number, ...events: AuditEntry[]): OpResult => ({ ok: true, value, events });

/** Is `caller` the patient, or a guardian linked to the patient? */
export function actsFor(state: ConsentState, caller: Actor, patient: string): boolean {
  return caller.id === patient || state.guardianships.has(pairKey(caller.id, patient));
}

/** The actor `id` if registered as a patient, else null. */
export function patientOf(state: ConsentState, id: string): Actor | null {
  const p = state.actors.get(id);
  return p && p.role === 'patient' ? p : null;
}
