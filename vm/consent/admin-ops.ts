/**
 * Membership operations: governance adds organisations; an organisation's admins register,
 * suspend, reinstate and re-licence their own actors and link guardians to their own patients.
 */
import { ConsentError } from './codes.js';
import { activeCaller, actorIdOf, audit, done, fail, type OpResult } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { AuditOp, type ConsentState, pairKey } from './state.js';
import { type Actor, LICENSED_ROLES, ROLES_BY_ORG_KIND } from './types.js';
import { isCode, isHash, isOrgKind, isRole, isTime } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** Governance: a new organisation and its first admin (no licence expiry). */
export function addOrg(state: ConsentState, ctx: TxContext, op: Op<'addOrg'>): OpResult {
  if (!ctx.governance) return fail(ConsentError.notGovernance);
  if (!isCode(op.org) || !isOrgKind(op.kind) || !isHash(op.adminKey) || !isHash(op.adminCertHash)) {
    return fail(ConsentError.invalidArgument);
  }
  if (state.orgs.has(op.org)) return fail(ConsentError.orgExists);
  const adminId = actorIdOf(op.adminKey);
  if (state.actors.has(adminId)) return fail(ConsentError.actorExists);
  state.orgs.set(op.org, { id: op.org, kind: op.kind, joinedAt: ctx.now });
  state.actors.set(adminId, {
    id: adminId,
    role: 'admin',
    org: op.org,
    certHash: op.adminCertHash,
    licenceExpiry: 0,
    suspended: false,
    registeredAt: ctx.now,
  });
  const by = actorIdOf(ctx.caller);
  return done(
    0,
    audit(state, { op: AuditOp.addOrg, at: ctx.now, by, patient: null, subject: op.org, detail: op.kind }),
    audit(state, {
      op: AuditOp.registerActor,
      at: ctx.now,
      by,
      patient: null,
      subject: adminId,
      detail: 'admin',
    }),
  );
}

/** A licence expiry is 0 (none) or in the future; licensed roles must have one. */
function licenceOk(role: Actor['role'], expiry: number, now: number): boolean {
  if (!isTime(expiry)) return false;
  if (expiry === 0) return !LICENSED_ROLES.includes(role);
  return expiry > now;
}

/** Admin: registers an actor of the admin's own organisation. */
export function registerActor(state: ConsentState, ctx: TxContext, op: Op<'registerActor'>): OpResult {
  const admin = activeCaller(state, ctx, ['admin']);
  if (typeof admin === 'string') return fail(admin);
  if (!isHash(op.publicKey) || !isRole(op.role) || !isHash(op.certHash))
    return fail(ConsentError.invalidArgument);
  if (!licenceOk(op.role, op.licenceExpiry, ctx.now)) return fail(ConsentError.invalidArgument);
  const org = state.orgs.get(admin.org);
  if (!org || !ROLES_BY_ORG_KIND[org.kind].includes(op.role)) return fail(ConsentError.roleNotAllowed);
  const id = actorIdOf(op.publicKey);
  if (state.actors.has(id)) return fail(ConsentError.actorExists);
  state.actors.set(id, {
    id,
    role: op.role,
    org: admin.org,
    certHash: op.certHash,
    licenceExpiry: op.licenceExpiry,
    suspended: false,
    registeredAt: ctx.now,
  });
  const patient = op.role === 'patient' ? id : null;
  return done(
    0,
    audit(state, {
      op: AuditOp.registerActor,
      at: ctx.now,
      by: admin.id,
      patient,
      subject: id,
      detail: op.role,
    }),
  );
}

/**
 * The admin and the actor of the admin's own org, or the error: invalid_argument, unknown_actor,
 * unauthorised (other org, or the admin themself).
 */
function ownActor(
  state: ConsentState,
  ctx: TxContext,
  actorId: string,
  argsOk = true,
): { admin: Actor; actor: Actor } | ConsentError {
  const admin = activeCaller(state, ctx, ['admin']);
  if (typeof admin === 'string') return admin;
  if (!argsOk || !isHash(actorId)) return ConsentError.invalidArgument;
  const actor = state.actors.get(actorId);
  if (!actor) return ConsentError.unknownActor;
  if (actor.org !== admin.org || actor.id === admin.id) return ConsentError.unauthorised;
  return { admin, actor };
}

/** Admin: suspends an actor of the same org; its access stops in this block. */
export function suspendActor(state: ConsentState, ctx: TxContext, op: Op<'suspendActor'>): OpResult {
  const r = ownActor(state, ctx, op.actor);
  if (typeof r === 'string') return fail(r);
  if (r.actor.suspended) return fail(ConsentError.alreadySuspended);
  r.actor.suspended = true;
  const patient = r.actor.role === 'patient' ? r.actor.id : null;
  return done(
    0,
    audit(state, { op: AuditOp.suspendActor, at: ctx.now, by: r.admin.id, patient, subject: r.actor.id }),
  );
}

/** Admin: lifts a suspension of an actor of the same org. */
export function reinstateActor(state: ConsentState, ctx: TxContext, op: Op<'reinstateActor'>): OpResult {
  const r = ownActor(state, ctx, op.actor);
  if (typeof r === 'string') return fail(r);
  if (!r.actor.suspended) return fail(ConsentError.notSuspended);
  r.actor.suspended = false;
  const patient = r.actor.role === 'patient' ? r.actor.id : null;
  return done(
    0,
    audit(state, { op: AuditOp.reinstateActor, at: ctx.now, by: r.admin.id, patient, subject: r.actor.id }),
  );
}

/** Admin: records a renewed certificate and licence expiry for an actor of the same org. */
export function updateLicence(state: ConsentState, ctx: TxContext, op: Op<'updateLicence'>): OpResult {
  const r = ownActor(state, ctx, op.actor, isHash(op.certHash) && isTime(op.licenceExpiry));
  if (typeof r === 'string') return fail(r);
  if (!licenceOk(r.actor.role, op.licenceExpiry, ctx.now)) return fail(ConsentError.invalidArgument);
  r.actor.certHash = op.certHash;
  r.actor.licenceExpiry = op.licenceExpiry;
  const patient = r.actor.role === 'patient' ? r.actor.id : null;
  return done(
    0,
    audit(state, {
      op: AuditOp.updateLicence,
      at: ctx.now,
      by: r.admin.id,
      patient,
      subject: r.actor.id,
      detail: String(op.licenceExpiry),
    }),
  );
}

/**
 * Admin: links (or unlinks) a guardian to a patient, both of the admin's org, after checking the
 * legal documents off chain. A linked guardian reads and consents for the patient.
 */
export function setGuardian(
  state: ConsentState,
  ctx: TxContext,
  op: Op<'linkGuardian'> | Op<'unlinkGuardian'>,
): OpResult {
  const admin = activeCaller(state, ctx, ['admin']);
  if (typeof admin === 'string') return fail(admin);
  if (!isHash(op.guardian) || !isHash(op.patient)) return fail(ConsentError.invalidArgument);
  const guardian = state.actors.get(op.guardian);
  if (guardian?.role !== 'guardian') return fail(ConsentError.unknownActor);
  const patient = state.actors.get(op.patient);
  if (patient?.role !== 'patient') return fail(ConsentError.unknownPatient);
  if (guardian.org !== admin.org || patient.org !== admin.org) return fail(ConsentError.unauthorised);
  const key = pairKey(guardian.id, patient.id);
  const link = op.op === 'linkGuardian';
  if (link && state.guardianships.has(key)) return fail(ConsentError.alreadyLinked);
  if (!link && !state.guardianships.has(key)) return fail(ConsentError.notLinked);
  if (link) state.guardianships.add(key);
  else state.guardianships.delete(key);
  return done(
    0,
    audit(state, {
      op: link ? AuditOp.linkGuardian : AuditOp.unlinkGuardian,
      at: ctx.now,
      by: admin.id,
      patient: patient.id,
      subject: guardian.id,
    }),
  );
}
