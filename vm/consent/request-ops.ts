/**
 * Access requests: a doctor, insurer or researcher asks a patient for a permit; the patient (or a
 * linked guardian) approves it, possibly narrowed, which makes the grant, or denies it; the
 * requester may withdraw it; unanswered, it lapses at its expiry. Written as the naive rules: the
 * open-request bounds are counted over every request (the contract keeps an index instead).
 */
import { ConsentError } from './codes.js';
import { activeCaller, actsFor, audit, done, fail, type OpResult, patientOf } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { AuditOp, type ConsentState, storeGrant } from './state.js';
import {
  type AccessRequest,
  type Exception,
  MAX_OPEN_REQUESTS,
  MAX_OPEN_REQUESTS_PER_PATIENT,
  PURPOSES_BY_ROLE,
  REQUEST_DEFAULT_TTL_MS,
  REQUEST_MAX_TTL_MS,
  type RequestStatus,
  type Scope,
  type Terms,
  type Time,
} from './types.js';
import { isCode, isHash, isId, isTerms, isTime } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

/** Where request `r` stands at `at`: its stored status, or `expired` if still open at its expiry. */
export function requestStatusAt(r: AccessRequest, at: Time): RequestStatus {
  return r.status === 'open' && at >= r.expiresAt ? 'expired' : r.status;
}

/** Open and not yet lapsed at `now`. */
const isOpen = (r: AccessRequest, now: Time): boolean => requestStatusAt(r, now) === 'open';

/** Doctor, insurer or researcher: asks `patient` for a permit with these terms. Returns its id. */
export function requestAccess(state: ConsentState, ctx: TxContext, op: Op<'requestAccess'>): OpResult {
  const me = activeCaller(state, ctx, ['doctor', 'insurer', 'researcher']);
  if (typeof me === 'string') return fail(me);
  if (!isHash(op.patient) || !isTerms(op) || !isCode(op.reason) || !isTime(op.expiresAt)) {
    return fail(ConsentError.invalidArgument);
  }
  if (!patientOf(state, op.patient)) return fail(ConsentError.unknownPatient);
  const rolePurposes = PURPOSES_BY_ROLE[me.role] ?? [];
  const roleOk =
    op.purposes.every((p) => rolePurposes.includes(p)) &&
    (me.role === 'doctor' || !op.actions.includes('write'));
  if (!roleOk) return fail(ConsentError.roleMismatch);
  if (op.start >= op.end || op.end <= ctx.now) return fail(ConsentError.invalidPeriod);
  const expiresAt = op.expiresAt === 0 ? ctx.now + REQUEST_DEFAULT_TTL_MS : op.expiresAt;
  if (expiresAt <= ctx.now || expiresAt > ctx.now + REQUEST_MAX_TTL_MS)
    return fail(ConsentError.invalidExpiry);
  const mine = state.requests.filter((r) => r.requester === me.id && isOpen(r, ctx.now));
  if (mine.filter((r) => r.patient === op.patient).length >= MAX_OPEN_REQUESTS_PER_PATIENT) {
    return fail(ConsentError.tooManyRequestsToPatient);
  }
  if (mine.length >= MAX_OPEN_REQUESTS) return fail(ConsentError.tooManyOpenRequests);
  const id = state.requests.length + 1;
  state.requests.push({
    id,
    patient: op.patient,
    requester: me.id,
    actions: [...op.actions],
    scope: op.scope,
    purposes: [...op.purposes],
    start: op.start,
    end: op.end,
    exceptions: [...op.exceptions],
    reason: op.reason,
    requestedAt: ctx.now,
    expiresAt,
    status: 'open',
    answeredBy: null,
    answeredAt: null,
    grantId: null,
    denyReason: '',
  });
  const entry = audit(state, {
    op: AuditOp.requestAccess,
    at: ctx.now,
    by: me.id,
    patient: op.patient,
    subject: String(id),
    detail: op.reason,
  });
  return done(id, entry);
}

/** The refusal for answering request `r` at `now`, if it is not open. */
function notOpen(r: AccessRequest, now: Time): ConsentError | null {
  const s = requestStatusAt(r, now);
  if (s === 'approved' || s === 'denied') return ConsentError.requestAnswered;
  if (s === 'withdrawn') return ConsentError.requestWithdrawn;
  if (s === 'expired') return ConsentError.requestExpired;
  return null;
}

const sameException = (a: Exception, b: Exception): boolean =>
  a.kind === 'category'
    ? b.kind === 'category' && a.category === b.category
    : b.kind === 'record' && a.recordId === b.recordId;

/** Does scope `s` cover no data that `wide` does not? (A record inside a category scope does not count: its versions may change category.) */
function scopeWithin(s: Scope, wide: Scope): boolean {
  if (wide.kind === 'all') return true;
  if (wide.kind === 'categories')
    return s.kind === 'categories' && s.categories.every((c) => wide.categories.includes(c));
  return s.kind === 'record' && s.recordId === wide.recordId;
}

/** Are terms `t` the same as or narrower than `wide` (never more actions, purposes, data or time, never fewer exceptions)? */
export function narrows(t: Terms, wide: Terms): boolean {
  return (
    t.actions.every((a) => wide.actions.includes(a)) &&
    t.purposes.every((p) => wide.purposes.includes(p)) &&
    scopeWithin(t.scope, wide.scope) &&
    t.start >= wide.start &&
    t.end <= wide.end &&
    wide.exceptions.every((e) => t.exceptions.some((x) => sameException(x, e)))
  );
}

/** Patient or linked guardian: approves an open request, as asked or narrowed; makes the grant and returns its id. */
export function approveRequest(state: ConsentState, ctx: TxContext, op: Op<'approveRequest'>): OpResult {
  const by = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof by === 'string') return fail(by);
  if (!isId(op.requestId) || (op.terms !== undefined && !isTerms(op.terms))) {
    return fail(ConsentError.invalidArgument);
  }
  const r = state.requests[op.requestId - 1];
  if (!r) return fail(ConsentError.unknownRequest);
  if (!actsFor(state, by, r.patient)) return fail(ConsentError.unauthorised);
  const closed = notOpen(r, ctx.now);
  if (closed) return fail(closed);
  const t: Terms = op.terms ?? r;
  if (!narrows(t, r)) return fail(ConsentError.widenedTerms);
  if (t.start >= t.end || t.end <= ctx.now) return fail(ConsentError.invalidPeriod);
  const g = storeGrant(state, {
    patient: r.patient,
    grantor: by.id,
    grantee: { kind: 'actor', id: r.requester },
    terms: t,
    now: ctx.now,
    request: r.id,
  });
  answer(r, by.id, ctx.now, 'approved');
  r.grantId = g.id;
  const base = { at: ctx.now, by: by.id, patient: r.patient } as const;
  return done(
    g.id,
    audit(state, { ...base, op: AuditOp.approveRequest, subject: String(r.id), detail: String(g.id) }),
    audit(state, { ...base, op: AuditOp.grant, subject: String(g.id), detail: `actor:${r.requester}` }),
  );
}

function answer(r: AccessRequest, by: string, now: Time, status: AccessRequest['status']): void {
  r.status = status;
  r.answeredBy = by;
  r.answeredAt = now;
}

/** Patient or linked guardian: denies an open request, with a reason code. */
export function denyRequest(state: ConsentState, ctx: TxContext, op: Op<'denyRequest'>): OpResult {
  const by = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof by === 'string') return fail(by);
  if (!isId(op.requestId) || !isCode(op.reason)) return fail(ConsentError.invalidArgument);
  const r = state.requests[op.requestId - 1];
  if (!r) return fail(ConsentError.unknownRequest);
  if (!actsFor(state, by, r.patient)) return fail(ConsentError.unauthorised);
  const closed = notOpen(r, ctx.now);
  if (closed) return fail(closed);
  answer(r, by.id, ctx.now, 'denied');
  r.denyReason = op.reason;
  const entry = audit(state, {
    op: AuditOp.denyRequest,
    at: ctx.now,
    by: by.id,
    patient: r.patient,
    subject: String(r.id),
    detail: op.reason,
  });
  return done(0, entry);
}

/** The requester: withdraws their own open request. */
export function withdrawRequest(state: ConsentState, ctx: TxContext, op: Op<'withdrawRequest'>): OpResult {
  const me = activeCaller(state, ctx, ['doctor', 'insurer', 'researcher']);
  if (typeof me === 'string') return fail(me);
  if (!isId(op.requestId)) return fail(ConsentError.invalidArgument);
  const r = state.requests[op.requestId - 1];
  if (!r) return fail(ConsentError.unknownRequest);
  if (r.requester !== me.id) return fail(ConsentError.unauthorised);
  const closed = notOpen(r, ctx.now);
  if (closed) return fail(closed);
  answer(r, me.id, ctx.now, 'withdrawn');
  const entry = audit(state, {
    op: AuditOp.withdrawRequest,
    at: ctx.now,
    by: me.id,
    patient: r.patient,
    subject: String(r.id),
  });
  return done(0, entry);
}

/** Ids of the patient's requests open at `at`, oldest first. */
export function openRequestsOf(state: ConsentState, patient: string, at: Time): number[] {
  return state.requests.filter((r) => r.patient === patient && isOpen(r, at)).map((r) => r.id);
}

/** Ids of every request `requester` made, oldest first. */
export function requestsBy(state: ConsentState, requester: string): number[] {
  return state.requests.filter((r) => r.requester === requester).map((r) => r.id);
}
