/**
 * Record attestations: the patient (or a linked guardian) confirms a version written about them,
 * an admin of the author's organisation validates it, or a second doctor with read access
 * co-signs it. Governance may require, per organisation, an attestation before its authors'
 * versions count as final; until then they read as `pending`.
 */
import { decideResolved } from './access.js';
import { ConsentError } from './codes.js';
import { activeCaller, actorIdOf, actsFor, audit, done, fail, type OpResult } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { AuditOp, type ConsentState, pushTo } from './state.js';
import { type Attestation, type AttestationKind, MAX_ATTESTATIONS, type RecordId } from './types.js';
import { isAttestationKind, isCode, isHash, isId, isSet } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** Key of a version in the attestation map. */
export const versionKey = (recordId: RecordId, version: number): string => `${recordId}/${version}`;

/** Patient/guardian, admin or doctor: attests one version of a record (see the kinds above). */
export function attest(state: ConsentState, ctx: TxContext, op: Op<'attest'>): OpResult {
  const me = activeCaller(state, ctx, ['patient', 'guardian', 'admin', 'doctor']);
  if (typeof me === 'string') return fail(me);
  if (!isHash(op.recordId) || !isId(op.version) || !isAttestationKind(op.kind)) {
    return fail(ConsentError.invalidArgument);
  }
  const rec = state.records.get(op.recordId);
  const v = rec?.versions[op.version - 1];
  if (!rec || !v) return fail(ConsentError.unknownRecord);
  if (rec.erasedAt !== null) return fail(ConsentError.recordErased);
  if (op.kind === 'patient-confirmed') {
    const ok = (me.role === 'patient' || me.role === 'guardian') && actsFor(state, me, rec.patient);
    if (!ok) return fail(ConsentError.unauthorised);
  } else if (op.kind === 'admin-validated') {
    if (me.role !== 'admin' || me.org !== state.actors.get(v.author)?.org)
      return fail(ConsentError.unauthorised);
  } else {
    if (me.role !== 'doctor') return fail(ConsentError.unauthorised);
    if (me.id === v.author) return fail(ConsentError.invalidCosigner);
    const target = { recordId: rec.id, category: v.category };
    if (!decideResolved(state, me.id, rec.patient, target, 'read', 'TREAT', ctx.now).allowed) {
      return fail(ConsentError.noReadAccess);
    }
  }
  const key = versionKey(op.recordId, op.version);
  const list = state.attestations.get(key) ?? [];
  if (list.some((a) => a.kind === op.kind && a.by === me.id)) return fail(ConsentError.alreadyAttested);
  if (list.length >= MAX_ATTESTATIONS) return fail(ConsentError.tooManyAttestations);
  pushTo(state.attestations, key, { kind: op.kind, by: me.id, at: ctx.now });
  const entry = audit(state, {
    op: AuditOp.attest,
    at: ctx.now,
    by: me.id,
    patient: rec.patient,
    subject: key,
    detail: op.kind,
  });
  return done(0, entry);
}

/** Governance: the attestation kinds (any one suffices) an organisation's versions need to be final. */
export function setAttestationPolicy(
  state: ConsentState,
  ctx: TxContext,
  op: Op<'setAttestationPolicy'>,
): OpResult {
  if (!ctx.governance) return fail(ConsentError.notGovernance);
  const kindsOk = op.kinds.length <= 3 && isSet(op.kinds, 0, isAttestationKind, (k) => k);
  if (!isCode(op.org) || !kindsOk) return fail(ConsentError.invalidArgument);
  if (!state.orgs.has(op.org)) return fail(ConsentError.unknownOrg);
  if (op.kinds.length === 0) state.attestationPolicy.delete(op.org);
  else state.attestationPolicy.set(op.org, [...op.kinds]);
  const entry = audit(state, {
    op: AuditOp.setAttestationPolicy,
    at: ctx.now,
    by: actorIdOf(ctx.caller),
    patient: null,
    subject: op.org,
    detail: [...op.kinds].sort().join(','),
  });
  return done(0, entry);
}

/** What the version info says about attestations: who vouched, and whether the version is final. */
export interface VersionAttestations {
  readonly attestations: readonly Attestation[];
  /** `pending` while the author's organisation requires an attestation kind none of these has. */
  readonly status: 'final' | 'pending';
}

/** The attestations of a version and its status, or undefined if there is no such version. */
export function versionAttestations(
  state: ConsentState,
  recordId: RecordId,
  version: number,
): VersionAttestations | undefined {
  const v = state.records.get(recordId)?.versions[version - 1];
  if (!v) return undefined;
  const attestations = state.attestations.get(versionKey(recordId, version)) ?? [];
  const org = state.actors.get(v.author)?.org ?? '';
  const required: readonly AttestationKind[] = state.attestationPolicy.get(org) ?? [];
  const final = required.length === 0 || attestations.some((a) => required.includes(a.kind));
  return { attestations, status: final ? 'final' : 'pending' };
}
