/**
 * Every reason code the consent contract can give has a human sentence in client/consent-reasons.ts:
 * each `require(..., "code")` of consent.ehr, each canAccess reason, each operation error code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REASON_SENTENCES, reasonSentence } from '../../../client/consent-reasons.js';
import { ConsentError, Reason } from '../../../vm/consent/codes.js';

const source = readFileSync(new URL('../../../vm/consent/consent.ehr', import.meta.url), 'utf8');
// A require may span lines: the code is the string literal just before the closing parenthesis.
const requireCodes = [...source.matchAll(/require\((?:[^;]*?),\s*"([a-z_]+)"\s*\)\s*;/gs)].map(
  (m) => m[1] ?? '',
);
// canAccess's reasons are the strings failure_reason and decide return (up to is_allowed).
const decideBody = source.slice(source.indexOf('fn failure_reason'), source.indexOf('fn is_allowed'));
const returnedReasons = [...decideBody.matchAll(/return "([a-z_]+)";/g)].map((m) => m[1] ?? '');

describe('consent reason sentences', () => {
  it('finds the require codes of consent.ehr (the grep works)', () => {
    expect(new Set(requireCodes).size).toBeGreaterThan(30);
    expect(requireCodes).toContain('widened_terms');
  });

  it.each([...new Set(requireCodes)])('revert code %s has a sentence', (code) => {
    expect(REASON_SENTENCES[code]).toMatch(/^[A-Z].*\.$/);
  });

  it.each([...new Set(returnedReasons)])('canAccess reason %s has a sentence', (code) => {
    expect(REASON_SENTENCES[code]).toMatch(/^[A-Z].*\.$/);
  });

  it.each([...Object.values(ConsentError), ...Object.values(Reason)])(
    'code %s of codes.ts has a sentence',
    (code) => {
      expect(REASON_SENTENCES[code]).toBeDefined();
    },
  );

  it('shows an unknown code as itself', () => {
    expect(reasonSentence('no_such_code')).toContain('no_such_code');
  });
});
