/**
 * Consults: the consent decisions a hospital node answered through its decision service (CDS
 * Hooks `patient-consent-consult`), recorded on the patient's trail in batches like served reads,
 * so the patient sees who was asked about and what the rules answered (docs/consent.md, "Consults").
 */
import { canAccess } from './access.js';
import { ALLOWED_REASONS, ConsentError } from './codes.js';
import { activeCaller, audit, done, fail, type OpResult } from './common.js';
import type { ConsentOp, ConsultEntry, TxContext } from './ops.js';
import type { ConsentState } from './state.js';
import { AuditOp } from './state.js';
import { isConsults } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** A consult's subject: the category asked about, or `recordId/version` (0: the head). */
export function consultSubject(c: ConsultEntry): string {
  return c.target.kind === 'category' ? c.target.category : `${c.target.recordId}/${c.target.version ?? 0}`;
}

/**
 * A hospital node: records the consults it answered. Each is judged again by canAccess at its own
 * time (the recorded answer is the rules', not the node's word) and written as a `consult` entry
 * on the patient's trail: by = the actor asked about, via = the node, detail `<action>:<reason>`.
 * Returns how many were not allowed.
 */
export function recordConsults(state: ConsentState, ctx: TxContext, op: Op<'recordConsults'>): OpResult {
  const node = activeCaller(state, ctx, ['node']);
  if (typeof node === 'string') return fail(node);
  if (!isConsults(op.consults)) return fail(ConsentError.invalidArgument);
  if (op.consults.some((c) => c.at > ctx.now)) return fail(ConsentError.futureConsult);
  // Version 0 asks about the head, as in the contract's canAccess.
  const targetOf = (t: ConsultEntry['target']): ConsultEntry['target'] =>
    t.kind === 'record' && t.version === 0 ? { kind: 'record', recordId: t.recordId } : t;
  const verdicts = op.consults.map((c) =>
    canAccess(state, c.actor, c.patient, targetOf(c.target), c.action, c.purpose, c.at),
  );
  const entries = op.consults.map((c, i) =>
    audit(state, {
      op: AuditOp.consult,
      at: c.at,
      by: c.actor,
      patient: c.patient,
      subject: consultSubject(c),
      purpose: c.purpose,
      detail: `${c.action}:${verdicts[i]?.reason ?? 'unknown_record'}`,
      via: node.id,
    }),
  );
  const refused = verdicts.filter((v) => !ALLOWED_REASONS.includes(v.reason)).length;
  return done(refused, ...entries);
}
