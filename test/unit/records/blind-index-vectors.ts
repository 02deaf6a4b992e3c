/**
 * The blind-index test vectors (docs/vectors/blind-index.json), from fixed synthetic inputs.
 * Regenerate: node --import tsx test/unit/records/blind-index-vectors.ts > docs/vectors/blind-index.json
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { indexKeyId, termsOf, tokenOf } from '../../../protocol/records/blind-index.js';
import { utf8 } from '../../../protocol/records/bytes.js';
import { actorId } from '../../../protocol/records/consent-calls.js';
import { wrapKey } from '../../../protocol/records/envelope.js';
import { signSearchRequest } from '../../../protocol/records/index-request.js';

// Not imported from vectors.ts: its command-line guard would fire for this file's name too.
/** 32 bytes derived from a label (synthetic keys and randomness). */
export const fixed = (label: string, n = 32): Uint8Array => sha256(utf8(label)).slice(0, n);

/** A synthetic Observation with two codings, a category and an effective date. */
export const VECTOR_RESOURCE = {
  resourceType: 'Observation',
  status: 'final',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
    },
  ],
  code: {
    coding: [
      { system: 'HTTP://LOINC.org/', code: ' 4548-4 ' },
      { system: 'http://snomed.info/sct', code: '43396009' },
    ],
  },
  subject: { reference: 'Patient/synthetic-1' },
  effectiveDateTime: '2024-03-05T10:00:00Z',
  valueQuantity: { value: 6.1, unit: '%' },
};

/** Builds the vector document. */
export function buildBlindIndexVectors() {
  const indexKey = fixed('vector index key');
  const terms = termsOf(VECTOR_RESOURCE);
  const patientSeed = fixed('vector patient seed');
  const patient = actorId(publicKeyFromSeed(patientSeed));
  const readerSeed = fixed('vector reader seed');
  const readerKey = publicKeyFromSeed(readerSeed);
  const wrapped = wrapKey(indexKey, readerKey, indexKeyId(patient), 1, {
    ephemeralSecret: fixed('vector index ephemeral secret'),
    nonce: fixed('vector index wrap nonce', 24),
  });
  const time = 1_767_225_600_000;
  const nonce = fixed('vector request nonce', 16);
  const tokens = terms.map((t) => tokenOf(indexKey, t));
  const search = signSearchRequest(
    { chainId: 'ehrchain-test', patient, purpose: 'TREAT', tokens: tokens.slice(0, 2), time, nonce },
    createSigner(readerSeed),
  );
  return {
    note: 'Synthetic keys and randomness (sha256 of labels). See docs/records.md, "Searchable encrypted index".',
    indexKey: toHex(indexKey),
    resource: VECTOR_RESOURCE,
    terms: terms.map((t, i) => ({ kind: t.kind, value: t.value, token: toHex(tokens[i]!) })),
    wrappedIndexKey: {
      patientSeed: toHex(patientSeed),
      patient: toHex(patient),
      indexKeyId: toHex(indexKeyId(patient)),
      readerSeed: toHex(readerSeed),
      ephemeralSecret: toHex(fixed('vector index ephemeral secret')),
      nonce: toHex(fixed('vector index wrap nonce', 24)),
      wrapped: toHex(wrapped),
    },
    searchRequest: {
      signerSeed: toHex(readerSeed),
      chainId: 'ehrchain-test',
      patient: toHex(patient),
      purpose: 'TREAT',
      tokens: tokens.slice(0, 2).map(toHex),
      time,
      nonce: toHex(nonce),
      bytes: toHex(search),
    },
  };
}

if (process.argv[1]?.endsWith('blind-index-vectors.ts'))
  process.stdout.write(`${JSON.stringify(buildBlindIndexVectors(), null, 2)}\n`);
