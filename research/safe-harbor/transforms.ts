/**
 * The value transforms Safe Harbor needs (HIPAA 164.514(b)(2)(i)(B), (C)): dates to the year or shifted
 * by a secret offset, ZIP codes to three digits, ages over 89 as one 90+ category. Pure string and
 * number functions; no clock.
 */
import type { Age } from '@medplum/fhirtypes';
import { ResearchError, ResearchErrorCode } from '../errors.js';

/**
 * Three-digit ZIP prefixes whose areas held 20,000 people or fewer in the 2000 census; Safe Harbor
 * requires them to be released as `000`.
 */
// biome-ignore format: one list, as published
export const RESTRICTED_ZIP3: readonly string[] = [
  '036', '059', '063', '102', '203', '556', '692', '790', '821', '823', '830', '831', '878', '879', '884',
  '890', '893',
];

const RESTRICTED = new Set(RESTRICTED_ZIP3);

/** How dates leave the export: the year alone (Safe Harbor), or shifted by a per-export secret offset. */
export type DatePolicy = { readonly mode: 'year' } | { readonly mode: 'shift'; readonly offsetDays: number };

// FHIR date, dateTime and instant all start with YYYY, then optionally -MM, -DD, then a time.
const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The year of a FHIR date, dateTime or instant, or undefined when `s` is not one. */
export function yearOf(s: string): number | undefined {
  const m = FHIR_DATE.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** Checks a date policy; a shift must be a whole number of days. */
export function validateDatePolicy(p: DatePolicy): void {
  if (p.mode === 'shift' && !Number.isSafeInteger(p.offsetDays)) {
    throw new ResearchError(
      ResearchErrorCode.InvalidOption,
      `date offset must be whole days: ${p.offsetDays}`,
    );
  }
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * A FHIR date reduced by the policy. Year mode keeps `YYYY`. Shift mode moves the day by the offset and
 * keeps the original precision (year, year-month, or day); a time of day is dropped. Not a date: undefined.
 */
export function deidentifyDate(s: string, policy: DatePolicy): string | undefined {
  const m = FHIR_DATE.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  if (policy.mode === 'year') return pad(year, 4);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  // Date.UTC is pure arithmetic on its arguments (no clock): a day-accurate Gregorian calendar.
  const shifted = new Date(Date.UTC(year, month - 1, day) + policy.offsetDays * 86_400_000);
  const y = pad(shifted.getUTCFullYear(), 4);
  if (m[2] === undefined) return y;
  const mo = pad(shifted.getUTCMonth() + 1, 2);
  if (m[3] === undefined) return `${y}-${mo}`;
  return `${y}-${mo}-${pad(shifted.getUTCDate(), 2)}`;
}

/** A ZIP code's first three digits, `000` for the restricted prefixes and for anything not a ZIP code. */
export function zipToZip3(zip: string): string {
  const m = /^(\d{3})\d{2}(?:-?\d{4})?$/.exec(zip.trim());
  if (!m) return '000';
  const z3 = m[1] as string;
  return RESTRICTED.has(z3) ? '000' : z3;
}

/** The oldest age Safe Harbor releases as itself; older ages become one category, 90 or older. */
const MAX_EXACT_AGE = 89;

const YEARS_PER_UNIT: Readonly<Record<string, number>> = { a: 1, mo: 1 / 12, wk: 7 / 365.25, d: 1 / 365.25 };

/** An Age quantity with ages over 89 (in any UCUM unit of time) replaced by `>= 90 a`; other ages unchanged. */
export function capAge(age: Age): Age {
  const perUnit = YEARS_PER_UNIT[age.code ?? 'a'] ?? 1;
  if (age.value === undefined || age.value * perUnit <= MAX_EXACT_AGE) return age;
  return { value: 90, comparator: '>=', unit: 'years', system: 'http://unitsofmeasure.org', code: 'a' };
}

/**
 * A birth date reduced by the policy; when the person is 90 or older in `referenceYear` (judged on years
 * alone, so someone who turns 90 later that year counts as 90: the safe side), the birth year becomes
 * `referenceYear - 90`, the one year that stands for the whole 90+ category, and `over89` is set.
 */
export function deidentifyBirthDate(
  s: string,
  policy: DatePolicy,
  referenceYear: number,
): { value: string; over89: boolean } | undefined {
  const year = yearOf(s);
  if (year === undefined) return undefined;
  if (referenceYear - year > MAX_EXACT_AGE) return { value: pad(referenceYear - 90, 4), over89: true };
  const value = deidentifyDate(s, policy);
  return value === undefined ? undefined : { value, over89: false };
}
