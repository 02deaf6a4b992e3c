/** How records errors cross the p2p request protocols: refusal codes out, RecordErrors back in. */
import { RecordError, type RecordErrorCode } from '../../protocol/records/errors.js';
import { RequestRefusal } from '../p2p/request.js';

/** A consent denial carrying the contract's reason. */
export const denied = (reason: string) =>
  new RecordError('access_denied', `consent refused: ${reason}`, reason);

/** A p2p refusal code for an error: the RecordError code, or the consent reason for a denial. */
export function toRefusal(err: unknown): RequestRefusal {
  if (err instanceof RecordError)
    return new RequestRefusal(err.code === 'access_denied' ? `denied:${err.detail}` : err.code);
  return new RequestRefusal('internal');
}

const CODES = new Set<string>([
  'bad_encoding',
  'bad_signature',
  'stale_request',
  'replayed_request',
  'unknown_record',
  'erased',
  'cid_mismatch',
  'not_found',
  'hash_mismatch',
  'too_large',
  'quota_exceeded',
  'not_registered',
]);

/** The RecordError for a failed remote fetch. */
export function fromRemote(err: unknown): RecordError {
  if (err instanceof RecordError) return err;
  const code = (err as { remoteCode?: unknown }).remoteCode;
  if (typeof code === 'string') {
    if (code.startsWith('denied:')) return denied(code.slice(7));
    if (CODES.has(code)) return new RecordError(code as RecordErrorCode, `remote refused: ${code}`);
  }
  return new RecordError('not_found', 'remote fetch failed', undefined, { cause: err });
}
