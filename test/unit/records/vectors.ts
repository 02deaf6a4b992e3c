/**
 * The records test vectors (docs/vectors/records.json), computed from fixed synthetic inputs.
 * Regenerate: node --import tsx test/unit/records/vectors.ts > docs/vectors/records.json
 */

import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { utf8 } from '../../../protocol/records/bytes.js';
import { cidOf } from '../../../protocol/records/cid.js';
import { sealEnvelope, wrapKey, x25519PublicOf } from '../../../protocol/records/envelope.js';
import { signReadRequest, signUploadRequest } from '../../../protocol/records/request.js';

/** 32 bytes derived from a label (synthetic keys and randomness). */
export const fixed = (label: string, n = 32): Uint8Array => sha256(utf8(label)).slice(0, n);

/** Builds the vector document. */
export function buildVectors() {
  const recordId = fixed('vector record id');
  const version = 3;
  const dataKey = fixed('vector data key');
  const envNonce = fixed('vector envelope nonce', 24);
  const plaintext = JSON.stringify({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'synthetic' },
  });
  const envelope = sealEnvelope(utf8(plaintext), dataKey, recordId, version, envNonce);
  const readerSeed = fixed('vector reader seed');
  const readerKey = publicKeyFromSeed(readerSeed);
  const ephemeralSecret = fixed('vector ephemeral secret');
  const wrapNonce = fixed('vector wrap nonce', 24);
  const wrapped = wrapKey(dataKey, readerKey, recordId, version, { ephemeralSecret, nonce: wrapNonce });
  const signer = createSigner(readerSeed);
  const patient = fixed('vector patient id');
  const time = 1_767_225_600_000;
  const reqNonce = fixed('vector request nonce', 16);
  const cid = cidOf(envelope);
  const read = signReadRequest(
    {
      chainId: 'ehrchain-test',
      patient,
      recordId,
      version,
      purpose: 'TREAT',
      cid: cid.bytes,
      time,
      nonce: reqNonce,
    },
    signer,
  );
  const upload = signUploadRequest(
    { chainId: 'ehrchain-test', blobHash: sha256(envelope), size: envelope.length, time, nonce: reqNonce },
    signer,
  );
  return {
    note: 'Synthetic keys and randomness (sha256 of labels). See docs/records.md for the formats.',
    envelope: {
      recordId: toHex(recordId),
      version,
      dataKey: toHex(dataKey),
      nonce: toHex(envNonce),
      plaintext,
      envelope: toHex(envelope),
      cid: cid.toString(),
    },
    wrappedKey: {
      readerSeed: toHex(readerSeed),
      readerEd25519: toHex(readerKey),
      readerX25519: toHex(x25519PublicOf(readerKey)),
      ephemeralSecret: toHex(ephemeralSecret),
      ephemeralPublic: toHex(x25519.getPublicKey(ephemeralSecret)),
      nonce: toHex(wrapNonce),
      recordId: toHex(recordId),
      version,
      dataKey: toHex(dataKey),
      wrapped: toHex(wrapped),
    },
    readRequest: {
      signerSeed: toHex(readerSeed),
      chainId: 'ehrchain-test',
      patient: toHex(patient),
      recordId: toHex(recordId),
      version,
      purpose: 'TREAT',
      cid: cid.toString(),
      time,
      nonce: toHex(reqNonce),
      bytes: toHex(read),
    },
    uploadRequest: {
      signerSeed: toHex(readerSeed),
      chainId: 'ehrchain-test',
      blobHash: toHex(sha256(envelope)),
      size: envelope.length,
      time,
      nonce: toHex(reqNonce),
      bytes: toHex(upload),
    },
  };
}

if (process.argv[1]?.endsWith('vectors.ts'))
  process.stdout.write(`${JSON.stringify(buildVectors(), null, 2)}\n`);
