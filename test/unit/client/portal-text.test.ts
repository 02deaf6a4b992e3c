/**
 * The portal's words (portal/src/text.ts, fhir-text.ts): the plain-language grant summary, reading
 * a public key from pasted text, reason sentences, and FHIR resources made readable as text.
 */
import { describe, expect, it } from 'vitest';
import { ConsentError } from '../../../client/consent.js';
import { narrativeText, readable } from '../../../portal/src/fhir-text.js';
import { errorSentence, grantSummary, holdsSeed, publicKeyFromText } from '../../../portal/src/text.js';
import { VaultError } from '../../../portal/src/vault.js';

const KEY = 'ab'.repeat(32);
const MAR_1 = Date.UTC(2027, 2, 1, 12);
const NOW = Date.UTC(2026, 11, 7, 12);

describe('grantSummary', () => {
  it.each([
    [
      'read of categories for treatment',
      { who: 'Dr X', actions: ['read'], purposes: ['TREAT'], categories: ['lab'], exceptCategories: [] },
      /^Dr X may read your lab records for treatment until .*2027\.$/,
    ],
    [
      'read and write of everything except a category, two purposes',
      {
        who: 'Every doctor',
        actions: ['read', 'write'],
        purposes: ['TREAT', 'HPAYMT'],
        categories: [],
        exceptCategories: ['mental-health'],
      },
      /^Every doctor may read and add to all your records except mental-health for treatment and payment until /,
    ],
  ])('%s', (_why, g, expected) => {
    expect(grantSummary({ ...g, start: NOW, end: MAR_1, now: NOW })).toMatch(expected);
  });

  it('names the start when it is later than now', () => {
    const s = grantSummary({
      who: 'X',
      actions: ['read'],
      purposes: ['HRESCH'],
      categories: [],
      exceptCategories: [],
      start: NOW + 10 * 86_400_000,
      end: MAR_1,
      now: NOW,
    });
    expect(s).toMatch(/for research from .* until /);
  });
});

describe('publicKeyFromText', () => {
  it.each([
    ['bare hex', KEY, KEY],
    ['upper-case hex with spaces around', `  ${KEY.toUpperCase()}\n`, KEY],
    ['the QR text', `ehrchain-key:${KEY}`, KEY],
    ['a key file', JSON.stringify({ type: 'ed25519', publicKey: KEY, seed: 'cd'.repeat(32) }), KEY],
    ['too short hex', 'ab'.repeat(31), null],
    ['other JSON', '{"a":1}', null],
    ['prose', 'hello', null],
  ])('reads %s', (_why, text, expected) => {
    expect(publicKeyFromText(text)).toBe(expected);
  });

  it('notices a pasted seed', () => {
    expect(holdsSeed(JSON.stringify({ publicKey: KEY, seed: KEY }))).toBe(true);
    expect(holdsSeed(KEY)).toBe(false);
  });
});

describe('errorSentence', () => {
  it.each([
    [
      'a contract refusal',
      new ConsentError('caller_suspended', 'grant', 'ab'),
      'The signing actor is suspended.',
    ],
    [
      'a vault refusal',
      new VaultError('wrong_passphrase', 'That passphrase does not unlock this key.'),
      'That passphrase does not unlock this key.',
    ],
    [
      'a records refusal carrying the contract code',
      Object.assign(new Error('x'), { code: 'tx_reverted', detail: 'no_write_access' }),
      'The author has no write access to this patient, record and category.',
    ],
    [
      'an unreachable node',
      new TypeError('Failed to fetch'),
      'The node cannot be reached. Check your connection and try again.',
    ],
  ])('words %s', (_why, err, sentence) => {
    expect(errorSentence(err)).toBe(sentence);
  });
});

describe('readable FHIR', () => {
  it('reads an Observation as labelled text lines', () => {
    const r = readable({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
      valueQuantity: { value: 13.2, unit: 'g/dL' },
      subject: { reference: 'Patient/synthetic-1' },
    });
    expect(r.title).toBe('Observation: Hemoglobin');
    expect(r.lines).toEqual([
      ['Status', 'final'],
      ['Value', '13.2 g/dL'],
      ['Subject', 'Patient/synthetic-1'],
    ]);
  });

  it('reads a Bundle as its entries', () => {
    const r = readable({
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          resource: {
            resourceType: 'Patient',
            name: [{ given: ['Ann'], family: 'Synthetic' }],
            birthDate: '1980-01-02',
          },
        },
      ],
    });
    expect(r.entries.map((e) => e.title)).toEqual(['Patient Ann Synthetic']);
  });

  it('keeps hostile markup as text and reduces a narrative to its text', () => {
    const r = readable({ resourceType: 'Condition', code: { text: '<img src=x onerror=alert(1)>' } });
    expect(r.title).toBe('Condition: <img src=x onerror=alert(1)>');
    expect(
      narrativeText(
        '<div xmlns="http://www.w3.org/1999/xhtml"><script>x()</script><b>Fever</b> &lt;3 days</div>',
      ),
    ).toBe('x() Fever <3 days');
  });
});
