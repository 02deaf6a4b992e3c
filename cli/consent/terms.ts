/**
 * The terms flags shared by `grant`, `request` and `approve` (--actions, --purpose, --scope,
 * --from, --until, --except), and how terms are shown to people.
 */
import type { Command } from 'commander';
import type { Exception, Terms } from '../../vm/consent/types.js';
import { parseActions, parseException, parsePurposes, parseScope, parseTime, purposeLabel } from './args.js';
import { when } from './run.js';

/** The terms flags as commander hands them over (all optional). */
export interface TermsFlags {
  readonly actions?: string;
  readonly purpose?: string;
  readonly scope?: string;
  readonly from?: string;
  readonly until?: string;
  readonly except?: string[];
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the terms flags; `defaults` names the value used when a flag is absent. */
export function termsOptions(c: Command, defaults: string): Command {
  return c
    .option('--actions <list>', `read, write or read,write (${defaults}: read)`)
    .option('--purpose <list>', `treatment, payment, research, emergency (${defaults}: treatment)`)
    .option('--scope <scope>', `all | categories:lab,imaging | record:<id> (${defaults}: all)`)
    .option('--from <date>', `start: now, +1h, 2025-03-01 (${defaults}: now)`)
    .option('--until <date>', `end, exclusive: +30d, 2025-04-01 (${defaults}: +30d)`)
    .option('--except <spec>', 'deny exception: category:<code> or record:<id> (repeatable)', collect);
}

/** Did the user give any terms flag? */
export const anyTerms = (o: TermsFlags): boolean =>
  [o.actions, o.purpose, o.scope, o.from, o.until, o.except].some((v) => v !== undefined);

/** Default terms: read for treatment, all data, from now for 30 days, no exceptions. */
export const defaultTerms = (now: number): Terms => ({
  actions: ['read'],
  purposes: ['TREAT'],
  scope: { kind: 'all' },
  start: now,
  end: parseTime('+30d', now),
  exceptions: [],
});

/** The terms the flags give, each absent flag taken from `base`. */
export function termsFrom(o: TermsFlags, now: number, base: Terms): Terms {
  return {
    actions: o.actions === undefined ? base.actions : parseActions(o.actions),
    purposes: o.purpose === undefined ? base.purposes : parsePurposes(o.purpose),
    scope: o.scope === undefined ? base.scope : parseScope(o.scope),
    start: o.from === undefined ? base.start : parseTime(o.from, now),
    end: o.until === undefined ? base.end : parseTime(o.until, now),
    exceptions: o.except === undefined ? base.exceptions : o.except.map(parseException),
  };
}

const exceptionText = (e: Exception): string =>
  e.kind === 'category' ? `category:${e.category}` : `record:${e.recordId}`;

/** One line: `read,write for treatment on categories:lab from ... until ... except ...`. */
export function termsText(t: Terms): string {
  const scope =
    t.scope.kind === 'all'
      ? 'all'
      : t.scope.kind === 'categories'
        ? `categories:${t.scope.categories.join(',')}`
        : `record:${t.scope.recordId}`;
  const except = t.exceptions.length === 0 ? '' : ` except ${t.exceptions.map(exceptionText).join(' ')}`;
  return `${t.actions.join(',')} for ${t.purposes.map(purposeLabel).join(',')} on ${scope} from ${when(t.start)} until ${when(t.end)}${except}`;
}
