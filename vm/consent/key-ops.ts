/**
 * Key operations of the patient (or a linked guardian): wrapping an existing version's data key
 * for one more reader (a grantee of after the anchor), and erasure by crypto-shredding (GDPR
 * art. 17): every wrapped key of every version deleted; the versions (CIDs of ciphertext,
 * categories, authors) and the time of erasure stay. Serving nodes delete the blobs.
 */
import { ConsentError } from './codes.js';
import { activeCaller, actsFor, audit, done, fail, type OpResult } from './common.js';
import type { ConsentOp, TxContext } from './ops.js';
import { AuditOp, type ConsentState } from './state.js';
import { MAX_READERS } from './types.js';
import { isHash, isId } from './validate.js';

type Op<K extends ConsentOp['op']> = Extract<ConsentOp, { op: K }>;

const KEY_PATTERN = /^(?:[0-9a-f]{2}){1,256}$/;

/** Patient or guardian: wraps version `version`'s key for `reader` (replacing a key it had). */
export function shareKey(state: ConsentState, ctx: TxContext, op: Op<'shareKey'>): OpResult {
  const by = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof by === 'string') return fail(by);
  if (!isHash(op.recordId) || !isId(op.version) || !isHash(op.reader) || !KEY_PATTERN.test(op.key)) {
    return fail(ConsentError.invalidArgument);
  }
  const rec = state.records.get(op.recordId);
  const version = rec?.versions[op.version - 1];
  if (!rec || !version) return fail(ConsentError.unknownRecord);
  if (!actsFor(state, by, rec.patient)) return fail(ConsentError.unauthorised);
  if (rec.erasedAt !== null) return fail(ConsentError.recordErased);
  if (!state.actors.has(op.reader)) return fail(ConsentError.invalidReader);
  const i = version.keys.findIndex((k) => k.reader === op.reader);
  if (i < 0 && version.keys.length >= MAX_READERS) return fail(ConsentError.tooManyReaders);
  if (i < 0) version.keys.push({ reader: op.reader, key: op.key });
  else version.keys[i] = { reader: op.reader, key: op.key };
  const entry = audit(state, {
    op: AuditOp.shareKey,
    at: ctx.now,
    by: by.id,
    patient: rec.patient,
    subject: `${rec.id}/${op.version}`,
    detail: op.reader,
  });
  return done(0, entry);
}

/** Patient or guardian: erases a record by deleting every wrapped key of every version. */
export function erase(state: ConsentState, ctx: TxContext, op: Op<'erase'>): OpResult {
  const by = activeCaller(state, ctx, ['patient', 'guardian']);
  if (typeof by === 'string') return fail(by);
  if (!isHash(op.recordId)) return fail(ConsentError.invalidArgument);
  const rec = state.records.get(op.recordId);
  if (!rec) return fail(ConsentError.unknownRecord);
  if (!actsFor(state, by, rec.patient)) return fail(ConsentError.unauthorised);
  if (rec.erasedAt !== null) return fail(ConsentError.alreadyErased);
  for (const v of rec.versions) v.keys = [];
  rec.erasedAt = ctx.now;
  const entry = audit(state, {
    op: AuditOp.erase,
    at: ctx.now,
    by: by.id,
    patient: rec.patient,
    subject: rec.id,
    detail: String(rec.versions.length),
  });
  return done(0, entry);
}
