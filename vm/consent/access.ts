/**
 * canAccess: the one decision every read and write goes through (docs/consent.md, "canAccess").
 * Pure: a function of the state and the request, including the time `at` it is asked about.
 */
import { ALLOWED_REASONS, Reason } from './codes.js';
import { type ConsentState, pairKey } from './state.js';
import {
  type Action,
  type Actor,
  type ActorId,
  type Category,
  type Grant,
  PURPOSES_BY_ROLE,
  type Purpose,
  READER_ROLES,
  type RecordId,
  type Time,
} from './types.js';

/** What is asked about: a category of the patient's data, or one record (head version by default). */
export type AccessTarget =
  | { readonly kind: 'category'; readonly category: Category }
  | { readonly kind: 'record'; readonly recordId: RecordId; readonly version?: number };

/** The answer: allowed or not, and always why. */
export interface AccessDecision {
  readonly allowed: boolean;
  readonly reason: Reason;
}

/** A target resolved to what the provisions are matched against. */
export interface ResolvedTarget {
  /** The record id, or null when asking about a category in general. */
  readonly recordId: RecordId | null;
  readonly category: Category;
}

/**
 * Why a single permit does not apply, by how far the request got through it. When no permit allows,
 * the reason reported is the one of the permit that got furthest (highest rank): the most useful
 * answer is about the provision that nearly applied. Ties have equal reasons, so order never matters.
 */
const FAILURE_RANK: Readonly<Partial<Record<Reason, number>>> = {
  scope_mismatch: 1,
  purpose_mismatch: 2,
  denied_by_exception: 3,
  revoked: 4,
  not_yet_valid: 5,
  expired: 6,
};

function decide(reason: Reason): AccessDecision {
  return { allowed: ALLOWED_REASONS.includes(reason), reason };
}

/** Does the permit name this actor, directly, through its organisation, or through its role? */
function granteeMatches(grant: Grant, actor: Actor): boolean {
  const g = grant.grantee;
  if (g.kind === 'actor') return g.id === actor.id;
  if (g.kind === 'org') return g.id === actor.org;
  return g.id === actor.role;
}

/** Judges one permit (already known to name the actor) against the request. */
function evaluateGrant(
  grant: Grant,
  target: ResolvedTarget,
  action: Action,
  purpose: Purpose,
  at: Time,
): Reason {
  const s = grant.scope;
  const inScope =
    grant.actions.includes(action) &&
    (s.kind === 'all' ||
      (s.kind === 'categories' && s.categories.includes(target.category)) ||
      (s.kind === 'record' && s.recordId === target.recordId));
  if (!inScope) return Reason.scopeMismatch;
  if (!grant.purposes.includes(purpose)) return Reason.purposeMismatch;
  for (const e of grant.exceptions) {
    if (e.kind === 'category' && e.category === target.category) return Reason.deniedByException;
    if (e.kind === 'record' && e.recordId === target.recordId) return Reason.deniedByException;
  }
  if (grant.revokedAt !== null && grant.revokedAt <= at) return Reason.revoked;
  if (at < grant.start) return Reason.notYetValid;
  if (at >= grant.end) return Reason.expired;
  return Reason.granted;
}

/** Is a co-signed emergency of `actor` for `patient` in force at `at`? */
function emergencyActive(state: ConsentState, actor: ActorId, patient: ActorId, at: Time): boolean {
  for (const id of state.emergenciesByPair.get(pairKey(actor, patient)) ?? []) {
    const e = state.emergencies[id - 1];
    if (e?.cosignedAt == null) continue;
    if (e.cosignedAt <= at && at < e.cosignedAt + e.durationMs) return true;
  }
  return false;
}

/** Resolves a target to (record id, category) for `patient`, or null if the record/version is unknown. */
function resolveTarget(state: ConsentState, patient: ActorId, target: AccessTarget): ResolvedTarget | null {
  if (target.kind === 'category') return { recordId: null, category: target.category };
  const rec = state.records.get(target.recordId);
  if (!rec || rec.patient !== patient) return null;
  const v = target.version ?? rec.versions.length;
  const version = rec.versions[v - 1];
  if (!version || !Number.isSafeInteger(v)) return null;
  return { recordId: rec.id, category: version.category };
}

/**
 * The decision once the target is resolved (anchor uses this for a version not yet written).
 * Order: actor status, patient, own record, guardian, role, permits, emergency; see docs/consent.md.
 */
export function decideResolved(
  state: ConsentState,
  actorId: ActorId,
  patientId: ActorId,
  target: ResolvedTarget | null,
  action: Action,
  purpose: Purpose,
  at: Time,
): AccessDecision {
  const actor = state.actors.get(actorId);
  if (!actor) return decide(Reason.unknownActor);
  if (actor.suspended) return decide(Reason.suspended);
  if (actor.licenceExpiry !== 0 && at >= actor.licenceExpiry) return decide(Reason.licenceExpired);
  const patient = state.actors.get(patientId);
  if (patient?.role !== 'patient') return decide(Reason.unknownPatient);
  if (!target) return decide(Reason.unknownRecord);
  if (action === 'read' && actorId === patientId) return decide(Reason.ownRecord);
  if (action === 'read' && state.guardianships.has(pairKey(actorId, patientId)))
    return decide(Reason.guardian);
  const rolePurposes = PURPOSES_BY_ROLE[actor.role] ?? [];
  const roleOk =
    READER_ROLES.includes(actor.role) &&
    rolePurposes.includes(purpose) &&
    (action === 'read' || actor.role === 'doctor');
  if (!roleOk) return decide(Reason.roleMismatch);

  let best: Reason = Reason.noGrant;
  let bestRank = 0;
  for (const id of state.grantsByPatient.get(patientId) ?? []) {
    const grant = state.grants[id - 1];
    if (!grant || !granteeMatches(grant, actor)) continue;
    const r = evaluateGrant(grant, target, action, purpose, at);
    if (r === Reason.granted) return decide(r);
    const rank = FAILURE_RANK[r] ?? 0;
    if (rank > bestRank) {
      best = r;
      bestRank = rank;
    }
  }
  if (action === 'read' && purpose === 'ETREAT' && emergencyActive(state, actorId, patientId, at)) {
    return decide(Reason.emergency);
  }
  return decide(best);
}

/**
 * May `actorId` do `action` on `target` of `patientId` for `purpose` at time `at`?
 * Periods are half-open: a grant is in force for `start <= at < end`, a licence while
 * `at < licenceExpiry`, an emergency for `cosignedAt <= at < cosignedAt + duration`.
 */
export function canAccess(
  state: ConsentState,
  actorId: ActorId,
  patientId: ActorId,
  target: AccessTarget,
  action: Action,
  purpose: Purpose,
  at: Time,
): AccessDecision {
  return decideResolved(
    state,
    actorId,
    patientId,
    resolveTarget(state, patientId, target),
    action,
    purpose,
    at,
  );
}
