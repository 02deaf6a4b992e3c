/**
 * Words for people: reason codes, dates, actors, the plain-language summary of a grant before it
 * is signed, and reading a public key from pasted text. Pure.
 */
import { REASON_SENTENCES } from '../../client/consent-reasons.js';

/** A refusal or failure as one sentence (a contract reason code, an API code, or the message). */
export function errorSentence(err: unknown): string {
  const e = err as { code?: unknown; sentence?: unknown; message?: unknown; detail?: unknown };
  if (typeof e?.sentence === 'string') return e.sentence;
  if (e?.code === 'invalid_fhir' && typeof e.message === 'string')
    return `This is not a valid FHIR R4 resource${typeof e.detail === 'string' && e.detail !== '' ? ` (at ${e.detail})` : ''}: ${e.message}`;
  // Only codes with a sentence of their own: reasonSentence words unknown codes as a contract refusal.
  for (const code of [e?.detail, e?.code])
    if (typeof code === 'string' && REASON_SENTENCES[code] !== undefined) return REASON_SENTENCES[code];
  if (err instanceof TypeError) return 'The node cannot be reached. Check your connection and try again.';
  return typeof e?.message === 'string' ? e.message : String(err);
}

/** "7 Dec 2026" in the reader's locale (UTC dates would confuse a patient). */
export const day = (ms: number): string =>
  new Date(ms).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
/** "7 Dec 2026, 14:03". */
export const dayTime = (ms: number): string =>
  new Date(ms).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
/** The first 8 hex digits and an ellipsis. */
export const short = (hex: string): string => (hex.length > 12 ? `${hex.slice(0, 8)}…` : hex);

const PURPOSE_WORDS: Readonly<Record<string, string>> = {
  TREAT: 'treatment',
  HPAYMT: 'payment',
  HRESCH: 'research',
  ETREAT: 'emergency treatment',
};
/** "treatment and payment". */
export const purposeWords = (ps: readonly string[]): string => list(ps.map((p) => PURPOSE_WORDS[p] ?? p));

/** "a, b and c". */
export function list(xs: readonly string[]): string {
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** What a grant summary needs to know. */
export interface GrantSummaryInput {
  /** Who: already in words ("Dr ab12… (doctor, hospital-a)", "every insurer", "organisation X"). */
  readonly who: string;
  readonly actions: readonly string[];
  readonly purposes: readonly string[];
  /** Empty: all records; else the categories. */
  readonly categories: readonly string[];
  readonly exceptCategories: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly now: number;
}

/** "Dr X may read your lab results for treatment until 1 Mar 2027." */
export function grantSummary(g: GrantSummaryInput): string {
  const verbs = list(g.actions.map((a) => (a === 'write' ? 'add to' : a)));
  const what = g.categories.length === 0 ? 'all your records' : `your ${list(g.categories)} records`;
  const except = g.exceptCategories.length === 0 ? '' : ` except ${list(g.exceptCategories)}`;
  const from = g.start > g.now + 60_000 ? ` from ${day(g.start)}` : '';
  return `${g.who} may ${verbs} ${what}${except} for ${purposeWords(g.purposes)}${from} until ${day(g.end)}.`;
}

/**
 * A public key from what an admin pasted: 64 hex digits, `ehrchain-key:<hex>` (the portal's QR
 * text), or a key file's JSON (only its publicKey is read). Null if none is found.
 */
export function publicKeyFromText(text: string): string | null {
  const t = text.trim();
  const m = /^(?:ehrchain-key:)?([0-9a-fA-F]{64})$/.exec(t);
  if (m?.[1] !== undefined) return m[1].toLowerCase();
  try {
    const o = JSON.parse(t) as { publicKey?: unknown };
    if (typeof o.publicKey === 'string' && /^[0-9a-fA-F]{64}$/.test(o.publicKey))
      return o.publicKey.toLowerCase();
  } catch {
    // not JSON
  }
  return null;
}

/** True if pasted text holds a private seed (a whole key file): the admin page warns about it. */
export const holdsSeed = (text: string): boolean => /"seed"\s*:/.test(text);
