/**
 * Research releases through an honest broker (docs/research.md, docs/consent.md "Research
 * exports"): a researcher asks a hospital for a de-identified cohort (`requestResearch`); one of
 * its custodians records the export it released (`recordExport`: file hash, k, l, quasi-identifiers,
 * parameters) and then one disclosure per included patient (`recordDisclosures`, batched), each
 * on the patient's trail. A patient is includable only with an HRESCH permit for the custodian or
 * its organisation in force at the export's time.
 */
import { ConsentError } from './codes.js';
import { activeCaller, audit, done, fail, type OpResult, patientOf } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { type AuditEntry, AuditOp, type ConsentState } from './state.js';
import { type Actor, type ActorId, MAX_DISCLOSURE_BATCH, MAX_QUASI_IDENTIFIERS, type Time } from './types.js';
import { isCode, isHash, isId, isScope } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** A researcher asks the custodians of a hospital for a de-identified export; returns its id. */
export function requestResearch(state: ConsentState, ctx: TxContext, op: Op<'requestResearch'>): OpResult {
  const me = activeCaller(state, ctx, ['researcher']);
  if (typeof me === 'string') return fail(me);
  const argsOk = isCode(op.org) && isScope(op.scope) && op.scope.kind !== 'record' && isCode(op.reason);
  if (!argsOk) return fail(ConsentError.invalidArgument);
  if (state.orgs.get(op.org)?.kind !== 'hospital') return fail(ConsentError.unknownOrg);
  const id = state.researchRequests.length + 1;
  state.researchRequests.push({
    id,
    researcher: me.id,
    org: op.org,
    scope: op.scope,
    reason: op.reason,
    requestedAt: ctx.now,
  });
  const e = audit(state, {
    op: AuditOp.requestResearch,
    at: ctx.now,
    by: me.id,
    patient: null,
    subject: String(id),
    purpose: 'HRESCH',
    detail: op.org,
  });
  return done(id, e);
}

/** A custodian of the request's hospital records an export it released. */
export function recordExport(state: ConsentState, ctx: TxContext, op: Op<'recordExport'>): OpResult {
  const me = activeCaller(state, ctx, ['custodian']);
  if (typeof me === 'string') return fail(me);
  const q = op.quasiIdentifiers;
  const argsOk =
    isHash(op.exportId) &&
    isId(op.requestId) &&
    isHash(op.fileHash) &&
    isId(op.k) &&
    isId(op.l) &&
    q.length >= 1 &&
    q.length <= MAX_QUASI_IDENTIFIERS &&
    q.every(isCode) &&
    new Set(q).size === q.length &&
    isCode(op.sensitive) &&
    isHash(op.paramsHash);
  if (!argsOk) return fail(ConsentError.invalidArgument);
  const r = state.researchRequests[op.requestId - 1];
  if (!r) return fail(ConsentError.unknownResearchRequest);
  if (r.org !== me.org) return fail(ConsentError.unauthorised);
  if (state.exports.has(op.exportId)) return fail(ConsentError.exportExists);
  state.exports.set(op.exportId, {
    id: op.exportId,
    custodian: me.id,
    request: r.id,
    researcher: r.researcher,
    fileHash: op.fileHash,
    k: op.k,
    l: op.l,
    quasiIdentifiers: [...q],
    sensitive: op.sensitive,
    paramsHash: op.paramsHash,
    at: ctx.now,
    disclosed: 0,
  });
  const e = audit(state, {
    op: AuditOp.recordExport,
    at: ctx.now,
    by: me.id,
    patient: null,
    subject: op.exportId,
    purpose: 'HRESCH',
    detail: r.researcher,
  });
  return done(0, e);
}

/**
 * Does `patient` have a permit naming `custodian` (as an actor, or its organisation) with read and
 * HRESCH, in force at `at`? Scope and deny exceptions are not looked at here: they limit which
 * records the custodian may read (canAccess, when it fetches them), not who may be in a cohort.
 */
export function hasResearchConsent(
  state: ConsentState,
  custodian: Actor,
  patient: ActorId,
  at: Time,
): boolean {
  return (state.grantsByPatient.get(patient) ?? []).some((id) => {
    const g = state.grants[id - 1];
    if (!g) return false;
    const names =
      (g.grantee.kind === 'actor' && g.grantee.id === custodian.id) ||
      (g.grantee.kind === 'org' && g.grantee.id === custodian.org);
    return (
      names &&
      g.actions.includes('read') &&
      g.purposes.includes('HRESCH') &&
      (g.revokedAt === null || at < g.revokedAt) &&
      g.start <= at &&
      at < g.end
    );
  });
}

/**
 * The custodian who recorded the export: one disclosure entry per included patient on that
 * patient's trail (patient, researcher, export id, purpose HRESCH). Every patient must have had
 * research consent at the export's time. Returns how many patients the export has disclosed.
 */
export function recordDisclosures(
  state: ConsentState,
  ctx: TxContext,
  op: Op<'recordDisclosures'>,
): OpResult {
  const me = activeCaller(state, ctx, ['custodian']);
  if (typeof me === 'string') return fail(me);
  const p = op.patients;
  const argsOk =
    isHash(op.exportId) &&
    p.length >= 1 &&
    p.length <= MAX_DISCLOSURE_BATCH &&
    p.every(isHash) &&
    new Set(p).size === p.length;
  if (!argsOk) return fail(ConsentError.invalidArgument);
  const x = state.exports.get(op.exportId);
  if (!x) return fail(ConsentError.unknownExport);
  if (x.custodian !== me.id) return fail(ConsentError.unauthorised);
  for (const patient of p) {
    if (!patientOf(state, patient)) return fail(ConsentError.unknownPatient);
    if (!hasResearchConsent(state, me, patient, x.at)) return fail(ConsentError.noResearchConsent);
    if (state.disclosures.has(`${x.id}/${patient}`)) return fail(ConsentError.alreadyDisclosed);
  }
  const entries: AuditEntry[] = p.map((patient) => {
    state.disclosures.add(`${x.id}/${patient}`);
    return audit(state, {
      op: AuditOp.disclose,
      at: ctx.now,
      by: me.id,
      patient,
      subject: x.id,
      purpose: 'HRESCH',
      detail: x.researcher,
    });
  });
  x.disclosed += p.length;
  return done(x.disclosed, ...entries);
}
