/**
 * Operations about one patient's data: grants and revocations (patient or linked guardian), record
 * anchors (doctor with write access), break-the-glass (doctor + co-signer of the same org) and the
 * node's batches of served reads.
 */
import { canAccess, decideResolved } from './access.js';
import { ALLOWED_REASONS, ConsentError } from './codes.js';
import { activeCaller, actsFor, audit, done, fail, type OpResult, patientOf } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { type AuditEntry, AuditOp, type ConsentState, pairKey, pushTo, storeGrant } from './state.js';
import { EMERGENCY_COSIGN_WINDOW_MS, EMERGENCY_MAX_MS, READER_ROLES } from './types.js';
import {
  isActions,
  isCid,
  isCode,
  isExceptions,
  isGrantee,
  isHash,
  isId,
  isPurposes,
  isReads,
  isScope,
  isTime,
  isWrappedKeys,
} from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** Patient or guardian: adds a permit (with nested deny exceptions); returns the grant id. */
export function grant(state: ConsentState, ctx: TxContext, op: Op<'grant'>): OpResult {
  const caller = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof caller === 'string') return fail(caller);
  const argsOk =
    isHash(op.patient) &&
    isGrantee(op.grantee) &&
    isActions(op.actions) &&
    isScope(op.scope) &&
    isPurposes(op.purposes) &&
    isTime(op.start) &&
    isTime(op.end) &&
    isExceptions(op.exceptions);
  if (!argsOk) return fail(ConsentError.invalidArgument);
  if (!patientOf(state, op.patient)) return fail(ConsentError.unknownPatient);
  if (!actsFor(state, caller, op.patient)) return fail(ConsentError.unauthorised);
  const g = op.grantee;
  if (g.kind === 'actor') {
    const a = state.actors.get(g.id);
    if (!a || !READER_ROLES.includes(a.role)) {
      return fail(ConsentError.invalidGrantee);
    }
  }
  if (g.kind === 'org' && !state.orgs.has(g.id)) return fail(ConsentError.unknownOrg);
  if (op.start >= op.end || op.end <= ctx.now) return fail(ConsentError.invalidPeriod);
  const record = storeGrant(state, {
    patient: op.patient,
    grantor: caller.id,
    grantee: g,
    terms: op,
    now: ctx.now,
  });
  const entry = audit(state, {
    op: AuditOp.grant,
    at: ctx.now,
    by: caller.id,
    patient: op.patient,
    subject: String(record.id),
    detail: `${g.kind}:${g.id}`,
  });
  return done(record.id, entry);
}

/** Patient or guardian: revokes a grant; it stops applying from this block time on. */
export function revoke(state: ConsentState, ctx: TxContext, op: Op<'revoke'>): OpResult {
  const caller = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof caller === 'string') return fail(caller);
  if (!isId(op.grantId)) return fail(ConsentError.invalidArgument);
  const g = state.grants[op.grantId - 1];
  if (!g) return fail(ConsentError.unknownGrant);
  if (!actsFor(state, caller, g.patient)) return fail(ConsentError.unauthorised);
  if (g.revokedAt !== null) return fail(ConsentError.alreadyRevoked);
  g.revokedAt = ctx.now;
  const entry = audit(state, {
    op: AuditOp.revoke,
    at: ctx.now,
    by: caller.id,
    patient: g.patient,
    subject: String(g.id),
  });
  return done(0, entry);
}

/** Doctor with write access (purpose TREAT): anchors the next version of a record; returns it. */
export function anchor(state: ConsentState, ctx: TxContext, op: Op<'anchor'>): OpResult {
  const doctor = activeCaller(state, ctx, ['doctor']);
  if (typeof doctor === 'string') return fail(doctor);
  const argsOk =
    isHash(op.patient) &&
    isHash(op.recordId) &&
    isTime(op.previous) &&
    isCid(op.cid) &&
    isCode(op.category) &&
    isWrappedKeys(op.keys);
  if (!argsOk) return fail(ConsentError.invalidArgument);
  if (!patientOf(state, op.patient)) return fail(ConsentError.unknownPatient);
  const target = { recordId: op.recordId, category: op.category };
  if (!decideResolved(state, doctor.id, op.patient, target, 'write', 'TREAT', ctx.now).allowed) {
    return fail(ConsentError.noWriteAccess);
  }
  const rec = state.records.get(op.recordId);
  if (rec && rec.patient !== op.patient) return fail(ConsentError.versionConflict);
  if (op.previous !== (rec?.versions.length ?? 0)) return fail(ConsentError.versionConflict);
  if (rec?.erasedAt != null) return fail(ConsentError.recordErased);
  if (!op.keys.some((k) => k.reader === op.patient)) return fail(ConsentError.invalidReader);
  if (!op.keys.every((k) => state.actors.has(k.reader))) return fail(ConsentError.invalidReader);
  const entryRec = rec ?? { id: op.recordId, patient: op.patient, versions: [], erasedAt: null };
  const version = entryRec.versions.length + 1;
  entryRec.versions.push({
    version,
    cid: op.cid,
    category: op.category,
    author: doctor.id,
    anchoredAt: ctx.now,
    keys: op.keys.map((k) => ({ reader: k.reader, key: k.key })),
  });
  state.records.set(op.recordId, entryRec);
  const entry = audit(state, {
    op: AuditOp.anchor,
    at: ctx.now,
    by: doctor.id,
    patient: op.patient,
    subject: `${op.recordId}/${version}`,
    purpose: 'TREAT',
    detail: op.category,
  });
  return done(version, entry);
}

/** Doctor: asks for break-the-glass read access; inactive until co-signed. Returns its id. */
export function requestEmergency(state: ConsentState, ctx: TxContext, op: Op<'requestEmergency'>): OpResult {
  const doctor = activeCaller(state, ctx, ['doctor']);
  if (typeof doctor === 'string') return fail(doctor);
  const durationOk =
    Number.isSafeInteger(op.durationMs) && op.durationMs >= 1 && op.durationMs <= EMERGENCY_MAX_MS;
  if (!isHash(op.patient) || !isCode(op.reason) || !durationOk) return fail(ConsentError.invalidArgument);
  if (!patientOf(state, op.patient)) return fail(ConsentError.unknownPatient);
  const id = state.emergencies.length + 1;
  state.emergencies.push({
    id,
    patient: op.patient,
    requester: doctor.id,
    reason: op.reason,
    durationMs: op.durationMs,
    requestedAt: ctx.now,
    cosigner: null,
    cosignedAt: null,
  });
  pushTo(state.emergenciesByPair, pairKey(doctor.id, op.patient), id);
  const entry = audit(state, {
    op: AuditOp.requestEmergency,
    at: ctx.now,
    by: doctor.id,
    patient: op.patient,
    subject: String(id),
    purpose: 'ETREAT',
    detail: op.reason,
  });
  return done(id, entry);
}

/** Another doctor or an admin of the requester's org: co-signs within one hour; access starts now. */
export function cosignEmergency(state: ConsentState, ctx: TxContext, op: Op<'cosignEmergency'>): OpResult {
  const caller = activeCaller(state, ctx, ['doctor', 'admin']);
  if (typeof caller === 'string') return fail(caller);
  if (!isId(op.emergencyId)) return fail(ConsentError.invalidArgument);
  const e = state.emergencies[op.emergencyId - 1];
  if (!e) return fail(ConsentError.unknownEmergency);
  const requester = state.actors.get(e.requester);
  if (caller.id === e.requester || caller.org !== requester?.org) return fail(ConsentError.invalidCosigner);
  if (e.cosignedAt !== null) return fail(ConsentError.alreadyCosigned);
  if (ctx.now >= e.requestedAt + EMERGENCY_COSIGN_WINDOW_MS) return fail(ConsentError.requestExpired);
  e.cosigner = caller.id;
  e.cosignedAt = ctx.now;
  const entry = audit(state, {
    op: AuditOp.cosignEmergency,
    at: ctx.now,
    by: caller.id,
    patient: e.patient,
    subject: String(e.id),
    purpose: 'ETREAT',
    detail: e.requester,
  });
  return done(e.id, entry);
}

/**
 * A hospital node: records reads it served. Each read is judged by canAccess at its own time and
 * recorded with that reason, allowed or not (a refused one is a violation to investigate).
 * Returns how many were not allowed.
 */
export function recordReads(state: ConsentState, ctx: TxContext, op: Op<'recordReads'>): OpResult {
  const node = activeCaller(state, ctx, ['node']);
  if (typeof node === 'string') return fail(node);
  if (!isReads(op.reads)) return fail(ConsentError.invalidArgument);
  if (op.reads.some((r) => r.at > ctx.now)) return fail(ConsentError.futureRead);
  const target = (r: (typeof op.reads)[number]) =>
    ({ kind: 'record', recordId: r.recordId, version: r.version }) as const;
  const verdicts = op.reads.map((r) =>
    canAccess(state, r.reader, r.patient, target(r), 'read', r.purpose, r.at),
  );
  const entries: AuditEntry[] = [];
  op.reads.forEach((r, i) => {
    const reason = verdicts[i]?.reason ?? 'unknown_record';
    entries.push(
      audit(state, {
        op: AuditOp.read,
        at: r.at,
        by: r.reader,
        patient: r.patient,
        subject: `${r.recordId}/${r.version}`,
        purpose: r.purpose,
        detail: reason,
        via: node.id,
      }),
    );
  });
  const refused = verdicts.filter((v) => !ALLOWED_REASONS.includes(v.reason)).length;
  return done(refused, ...entries);
}
