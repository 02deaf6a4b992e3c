/** One-line renderings of RaftEvent for tests and transcripts: `type key=value ...`, in field order. */
import type { RaftEvent } from '../../../../consensus/types.js';

/** `{type: 'becameLeader', term: 2}` -> `becameLeader term=2`; null prints as `none`. */
export function formatEvent(e: RaftEvent): string {
  const { type, ...rest } = e;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${v === null ? 'none' : String(v)}`);
  return [type, ...fields].join(' ');
}
