/** Blind-index tokens and the index requests: vectors, normalisation, terms per resource, limits. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import {
  categoryTerm,
  codeTerm,
  codingValue,
  indexKeyId,
  newIndexKey,
  normaliseSystem,
  TOKEN_BYTES,
  termsOf,
  tokenOf,
  tokensOf,
  yearTerm,
} from '../../../protocol/records/blind-index.js';
import { concatBytes, u16, u32, u64, utf8 } from '../../../protocol/records/bytes.js';
import { unwrapKey, x25519PublicOf, x25519SecretOf } from '../../../protocol/records/envelope.js';
import { isRecordError } from '../../../protocol/records/errors.js';
import {
  decodeIndexRequest,
  signIndexKeysRequest,
  signIndexTokensRequest,
  signSearchRequest,
  verifyIndexRequest,
} from '../../../protocol/records/index-request.js';
import { buildBlindIndexVectors, fixed } from './blind-index-vectors.js';

const V = JSON.parse(
  readFileSync(new URL('../../../docs/vectors/blind-index.json', import.meta.url), 'utf8'),
) as ReturnType<typeof buildBlindIndexVectors>;
const KIND_BYTE = { code: 1, category: 2, year: 3 } as const;

describe('test vectors (docs/vectors/blind-index.json)', () => {
  it('the file is what the code computes', () => {
    expect(buildBlindIndexVectors()).toEqual(V);
  });

  it('tokens: reproduced with node:crypto HMAC-SHA256 over the documented message', () => {
    for (const t of V.terms) {
      const msg = Buffer.concat([
        Buffer.from('ehrchain/blind-index/v1'),
        Buffer.from([0, KIND_BYTE[t.kind as keyof typeof KIND_BYTE]]),
        Buffer.from(t.value, 'utf8'),
      ]);
      const mac = createHmac('sha256', Buffer.from(V.indexKey, 'hex')).update(msg).digest();
      expect(mac.subarray(0, 16).toString('hex')).toBe(t.token);
    }
  });

  it('wrapped index key: the data-key wrap with record id = sha256("ehrchain/index-key/v1" | patient), version 1', () => {
    const w = V.wrappedIndexKey;
    expect(toHex(sha256(concatBytes(utf8('ehrchain/index-key/v1'), fromHex(w.patient))))).toBe(w.indexKeyId);
    const eph = fromHex(w.ephemeralSecret);
    const ephPub = x25519.getPublicKey(eph);
    const readerX = x25519PublicOf(publicKeyFromSeed(fromHex(w.readerSeed)));
    const shared = x25519.getSharedSecret(eph, readerX);
    const info = concatBytes(utf8('ehrchain/record-key/v1'), fromHex(w.indexKeyId), u32(1));
    const kek = hkdf(sha256, shared, concatBytes(ephPub, readerX), info, 32);
    const head = concatBytes(Uint8Array.of(1), ephPub);
    const sealed = xchacha20poly1305(kek, fromHex(w.nonce), head).encrypt(fromHex(V.indexKey));
    expect(toHex(concatBytes(head, fromHex(w.nonce), sealed))).toBe(w.wrapped);
    const opened = unwrapKey(fromHex(w.wrapped), fromHex(w.readerSeed), fromHex(w.indexKeyId), 1);
    expect(toHex(opened)).toBe(V.indexKey);
    expect(x25519SecretOf(fromHex(w.readerSeed))).toHaveLength(32);
  });

  it('search request: the documented bytes, signed with raw ed25519', () => {
    const s = V.searchRequest;
    const seed = fromHex(s.signerSeed);
    const signed = concatBytes(
      utf8('EHRQ'),
      Uint8Array.of(0x12),
      u16(s.chainId.length),
      utf8(s.chainId),
      publicKeyFromSeed(seed),
      fromHex(s.patient),
      Uint8Array.of(1, s.tokens.length),
      ...s.tokens.map(fromHex),
      u64(s.time),
      fromHex(s.nonce),
    );
    expect(toHex(concatBytes(signed, ed25519.sign(signed, seed)))).toBe(s.bytes);
  });
});

describe('normalisation', () => {
  it.each([
    ['http://loinc.org', 'http://loinc.org'],
    ['HTTP://LOINC.ORG/', 'http://loinc.org'],
    ['  http://snomed.info/sct  ', 'http://snomed.info/sct'],
    ['http://Example.org/CodeSystem/Local', 'http://example.org/CodeSystem/Local'],
    ['URN:oid:2.16.840.1.113883.6.1', 'urn:oid:2.16.840.1.113883.6.1'],
  ])('system %j becomes %j', (input, out) => {
    expect(normaliseSystem(input)).toBe(out);
  });

  it.each([
    ['http://loinc.org', ' 4548-4 ', 'http://loinc.org|4548-4'],
    ['http://hl7.org/fhir/sid/icd-10', 'e11.9', 'http://hl7.org/fhir/sid/icd-10|E11.9'],
    ['http://hl7.org/fhir/sid/icd-10-cm/', 'e11.9', 'http://hl7.org/fhir/sid/icd-10-cm|E11.9'],
    ['http://unitsofmeasure.org', 'mg', 'http://unitsofmeasure.org|mg'],
    ['http://unitsofmeasure.org', 'Mg', 'http://unitsofmeasure.org|Mg'],
    ['http://example.org', 'Cafe\u0301', 'http://example.org|Caf\u00e9'],
  ])('coding %j | %j becomes %j', (system, code, out) => {
    expect(codingValue(system, code)).toBe(out);
  });

  it.each([
    ['', '123'],
    ['http://loinc.org', '  '],
  ])('a coding with a blank part (%j | %j) is refused', (system, code) => {
    expect(() => codingValue(system, code)).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });

  it.each([0, -1, 10_000, 2024.5])('year %j is refused', (y) => {
    expect(() => yearTerm(y)).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });

  it('spelling a system or code differently within the rules gives the same token', () => {
    const key = fixed('prop index key');
    fc.assert(
      fc.property(
        fc.constantFrom('http://loinc.org', 'http://snomed.info/sct', 'http://hl7.org/fhir/sid/icd-10'),
        fc.stringMatching(/^[A-Za-z0-9.-]{1,12}$/),
        fc.boolean(),
        fc.nat(3),
        (system, code, upperHost, spaces) => {
          // Scheme and host only: a path's case is significant.
          const slash = system.indexOf('/', 8);
          const cut = slash < 0 ? system.length : slash;
          const host = upperHost ? system.slice(0, cut).toUpperCase() : system.slice(0, cut);
          const spelled = host + system.slice(cut) + (spaces % 2 ? '/' : '');
          const pad = ' '.repeat(spaces);
          expect(tokenOf(key, codeTerm(spelled, `${pad}${code}${pad}`))).toEqual(
            tokenOf(key, codeTerm(system, code)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';

describe('terms of each resource type', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      'Observation: code, category, effective year',
      {
        resourceType: 'Observation',
        code: cc(LOINC, '718-7'),
        category: [cc('c', 'lab')],
        effectiveDateTime: '2023-01-02',
      },
      ['code:http://loinc.org|718-7', 'category:c|lab', 'year:2023'],
    ],
    [
      'Observation: period start when no dateTime',
      { resourceType: 'Observation', code: cc(LOINC, '718-7'), effectivePeriod: { start: '2021-05' } },
      ['code:http://loinc.org|718-7', 'year:2021'],
    ],
    [
      'Condition: code, category, onset year before recordedDate',
      {
        resourceType: 'Condition',
        code: cc(SCT, '44054006'),
        category: [cc('cat', 'problem-list-item')],
        onsetDateTime: '2019-07-01',
        recordedDate: '2020-01-01',
      },
      ['code:http://snomed.info/sct|44054006', 'category:cat|problem-list-item', 'year:2019'],
    ],
    [
      'MedicationRequest: the medication code, authoredOn',
      {
        resourceType: 'MedicationRequest',
        medicationCodeableConcept: cc(RX, '860975'),
        authoredOn: '2022-11-30',
      },
      [`code:${RX}|860975`, 'year:2022'],
    ],
    [
      'Immunization: vaccineCode, occurrence',
      {
        resourceType: 'Immunization',
        vaccineCode: cc('http://hl7.org/fhir/sid/cvx', '208'),
        occurrenceDateTime: '2021-02-01',
      },
      ['code:http://hl7.org/fhir/sid/cvx|208', 'year:2021'],
    ],
    [
      'Encounter: type codings, class Coding as category, period start',
      {
        resourceType: 'Encounter',
        type: [cc(SCT, '185349003')],
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        period: { start: '2024-02-02' },
      },
      [
        'code:http://snomed.info/sct|185349003',
        'category:http://terminology.hl7.org/CodeSystem/v3-ActCode|AMB',
        'year:2024',
      ],
    ],
    ['Patient: nothing indexed (no clinical code)', { resourceType: 'Patient', birthDate: '1970-01-01' }, []],
    [
      'a coding without a system is skipped',
      { resourceType: 'Observation', code: { coding: [{ code: '718-7' }], text: 'Hb' } },
      [],
    ],
    [
      'Bundle: the union of its entries, each term once',
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry: [
          {
            resource: {
              resourceType: 'Observation',
              code: cc(LOINC, '718-7'),
              effectiveDateTime: '2023-01-01',
            },
          },
          {
            resource: {
              resourceType: 'Observation',
              code: cc(LOINC, '718-7'),
              effectiveDateTime: '2023-06-01',
            },
          },
          { resource: { resourceType: 'Condition', code: cc(SCT, '38341003') } },
        ],
      },
      ['code:http://loinc.org|718-7', 'code:http://snomed.info/sct|38341003', 'year:2023'],
    ],
  ])('%s', (_name, resource, expected) => {
    expect(termsOf(resource).map((t) => `${t.kind}:${t.value}`)).toEqual(expected);
  });
});

describe('tokens', () => {
  const key = fixed('unit index key');

  it('are 16 bytes', () => {
    expect(tokenOf(key, yearTerm(2024))).toHaveLength(TOKEN_BYTES);
  });

  it('differ between field kinds for the same value (domain separation)', () => {
    expect(tokenOf(key, codeTerm('c', 'x'))).not.toEqual(tokenOf(key, categoryTerm('c', 'x')));
  });

  it("differ between patients' index keys for the same term", () => {
    expect(tokenOf(key, codeTerm(LOINC, '718-7'))).not.toEqual(
      tokenOf(newIndexKey(), codeTerm(LOINC, '718-7')),
    );
  });

  it('of a record include the token a reader derives from the query term', () => {
    const r = { resourceType: 'Observation', code: cc(LOINC, '718-7') };
    expect(tokensOf(key, r).map(toHex)).toContain(toHex(tokenOf(key, codeTerm('HTTP://loinc.org', '718-7'))));
  });

  it('need a 32-byte index key', () => {
    expect(() => tokenOf(key.slice(0, 16), yearTerm(2024))).toThrow(
      expect.objectContaining({ code: 'bad_encoding' }),
    );
  });

  it('wrap under a pseudo record id bound to the patient', () => {
    expect(indexKeyId(fixed('p1'))).not.toEqual(indexKeyId(fixed('p2')));
  });
});

describe('index requests', () => {
  const seed = fixed('unit signer');
  const signer = createSigner(seed);
  const tok = (i: number) => fixed(`token ${i}`, 16);
  const now = 1_767_225_600_000;

  it('a search request decodes to what was signed and verifies', () => {
    const b = signSearchRequest(
      { chainId: 'c', patient: fixed('p'), purpose: 'HRESCH', tokens: [tok(1), tok(2)], time: now },
      signer,
    );
    const q = decodeIndexRequest(b, 'search');
    expect(q.purpose).toBe('HRESCH');
    expect(q.tokens.map(toHex)).toEqual([tok(1), tok(2)].map(toHex));
    expect(() => verifyIndexRequest(q, 'c', now, 1000)).not.toThrow();
  });

  it('a tokens request decodes to what was signed', () => {
    const b = signIndexTokensRequest(
      { chainId: 'c', recordId: fixed('r'), version: 7, tokens: [tok(1)], time: now },
      signer,
    );
    const q = decodeIndexRequest(b, 'tokens');
    expect([q.version, toHex(q.recordId), q.tokens.length]).toEqual([7, toHex(fixed('r')), 1]);
  });

  it('a request of one kind is not accepted as another', () => {
    const b = signSearchRequest(
      { chainId: 'c', patient: fixed('p'), purpose: 'TREAT', tokens: [tok(1)] },
      signer,
    );
    expect(() => decodeIndexRequest(b, 'tokens')).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });

  it('a flipped token byte breaks the signature', () => {
    const b = signSearchRequest(
      { chainId: 'c', patient: fixed('p'), purpose: 'TREAT', tokens: [tok(1)], time: now },
      signer,
    );
    const at = 4 + 1 + 2 + 1 + 32 + 32 + 2; // magic, kind, chain id, signer, patient, purpose+count
    b[at] = (b[at] ?? 0) ^ 1;
    const q = decodeIndexRequest(b, 'search');
    expect(() => verifyIndexRequest(q, 'c', now, 1000)).toThrow(
      expect.objectContaining({ code: 'bad_signature' }),
    );
  });

  it.each([
    ['no token', 0],
    ['17 tokens', 17],
  ])('a search with %s is refused', (_n, count) => {
    const tokens = Array.from({ length: count }, (_, i) => tok(i));
    expect(() =>
      signSearchRequest({ chainId: 'c', patient: fixed('p'), purpose: 'TREAT', tokens }, signer),
    ).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });

  it('a keys request holds 105-byte wraps only', () => {
    expect(() =>
      signIndexKeysRequest(
        { chainId: 'c', keys: [{ reader: fixed('r'), wrapped: new Uint8Array(10) }] },
        signer,
      ),
    ).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });

  it('hostile bytes decode or throw a RecordError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom('keys', 'tokens', 'search') as fc.Arbitrary<'keys' | 'tokens' | 'search'>,
        (bytes, kind) => {
          const b = concatBytes(
            utf8('EHRQ'),
            Uint8Array.of(kind === 'keys' ? 0x10 : kind === 'tokens' ? 0x11 : 0x12),
            bytes,
          );
          try {
            decodeIndexRequest(b, kind);
          } catch (err) {
            expect(isRecordError(err)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
