/** Envelope, wrapped key and signed request formats: the vectors, round trips, and fuzzing. */
import { readFileSync } from 'node:fs';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { concatBytes, u32, utf8 } from '../../../protocol/records/bytes.js';
import { cidOf } from '../../../protocol/records/cid.js';
import {
  decodeEnvelope,
  newDataKey,
  openEnvelope,
  sealEnvelope,
  unwrapKey,
  WRAPPED_KEY_BYTES,
  wrapKey,
  x25519SecretOf,
} from '../../../protocol/records/envelope.js';
import { isRecordError, RecordError } from '../../../protocol/records/errors.js';
import {
  decodeRequest,
  requestFromHeader,
  signReadRequest,
  verifyRequest,
} from '../../../protocol/records/request.js';
import { buildVectors, fixed } from './vectors.js';

const V = JSON.parse(
  readFileSync(new URL('../../../docs/vectors/records.json', import.meta.url), 'utf8'),
) as ReturnType<typeof buildVectors>;

/** Runs `f` on hostile bytes: it may succeed or throw a RecordError, nothing else. */
function typedOnly(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof RecordError)) throw err;
  }
}

describe('test vectors (docs/vectors/records.json)', () => {
  it('the file is what the code computes', () => {
    expect(buildVectors()).toEqual(V);
  });

  it('envelope: reproduced from the documented layout with the raw AEAD', () => {
    const e = V.envelope;
    const aad = concatBytes(utf8('EHRE'), Uint8Array.of(1, 1), fromHex(e.recordId), u32(e.version));
    const sealed = xchacha20poly1305(fromHex(e.dataKey), fromHex(e.nonce), aad).encrypt(utf8(e.plaintext));
    const env = concatBytes(aad, fromHex(e.nonce), sealed);
    expect(toHex(env)).toBe(e.envelope);
    expect(cidOf(env).toString()).toBe(e.cid);
    const dec = decodeEnvelope(env);
    expect(new TextDecoder().decode(openEnvelope(dec, fromHex(e.dataKey)))).toBe(e.plaintext);
  });

  it('wrapped key: reproduced from X25519 + HKDF-SHA256 + XChaCha20-Poly1305 as documented', () => {
    const k = V.wrappedKey;
    const eph = fromHex(k.ephemeralSecret);
    const ephPub = x25519.getPublicKey(eph);
    expect(toHex(ephPub)).toBe(k.ephemeralPublic);
    const readerX = fromHex(k.readerX25519);
    expect(toHex(x25519.getPublicKey(x25519SecretOf(fromHex(k.readerSeed))))).toBe(k.readerX25519);
    const shared = x25519.getSharedSecret(eph, readerX);
    const info = concatBytes(utf8('ehrchain/record-key/v1'), fromHex(k.recordId), u32(k.version));
    const kek = hkdf(sha256, shared, concatBytes(ephPub, readerX), info, 32);
    const head = concatBytes(Uint8Array.of(1), ephPub);
    const sealed = xchacha20poly1305(kek, fromHex(k.nonce), head).encrypt(fromHex(k.dataKey));
    expect(toHex(concatBytes(head, fromHex(k.nonce), sealed))).toBe(k.wrapped);
    expect(toHex(unwrapKey(fromHex(k.wrapped), fromHex(k.readerSeed), fromHex(k.recordId), k.version))).toBe(
      k.dataKey,
    );
  });

  it('requests: the bytes decode to the documented fields and verify', () => {
    const r = decodeRequest(fromHex(V.readRequest.bytes));
    expect(r.kind).toBe('read');
    if (r.kind !== 'read') return;
    expect(toHex(r.recordId)).toBe(V.readRequest.recordId);
    expect(r.time).toBe(V.readRequest.time);
    expect(() => verifyRequest(r, 'ehrchain-test', r.time, 1000)).not.toThrow();
    const u = decodeRequest(fromHex(V.uploadRequest.bytes));
    expect(u.kind === 'upload' && u.size).toBe(V.uploadRequest.size);
  });
});

describe('envelope and key wrapping', () => {
  const seed = fixed('reader');
  const reader = createSigner(seed).publicKey;
  const rid = fixed('record');

  it('round trips; each version has its own binding', () => {
    const key = newDataKey();
    const env = sealEnvelope(utf8('{"resourceType":"Basic"}'), key, rid, 1);
    const w = wrapKey(key, reader, rid, 1);
    expect(w.length).toBe(WRAPPED_KEY_BYTES);
    const k = unwrapKey(w, seed, rid, 1);
    expect(openEnvelope(decodeEnvelope(env), k)).toEqual(utf8('{"resourceType":"Basic"}'));
    // The same wrapped key presented as another version or record does not open.
    expect(() => unwrapKey(w, seed, rid, 2)).toThrow(RecordError);
    expect(() => unwrapKey(w, seed, fixed('other'), 1)).toThrow(RecordError);
    expect(() => unwrapKey(w, fixed('not the reader'), rid, 1)).toThrow(/does not open/);
  });

  it('tampered ciphertext or header does not authenticate', () => {
    const key = newDataKey();
    const env = sealEnvelope(utf8('x'.repeat(100)), key, rid, 1);
    for (const at of [10, 40, 70, env.length - 1]) {
      const t = env.slice();
      t[at]! ^= 1;
      let code = '';
      try {
        openEnvelope(decodeEnvelope(t), key);
      } catch (err) {
        code = isRecordError(err) ? err.code : 'untyped';
      }
      expect(code).toBe('decrypt_failed');
    }
  });

  it('fuzz: decoders of envelopes, wrapped keys and requests throw typed errors only', () => {
    const env = sealEnvelope(utf8('{}'), newDataKey(), rid, 1);
    const wrapped = wrapKey(newDataKey(), reader, rid, 1);
    const req = fromHex(V.readRequest.bytes);
    const mutate = (base: Uint8Array) =>
      fc
        .tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(base.length))
        .map(([i, x, cut]) => {
          const b = base.slice(0, Math.max(cut, i + 1));
          b[i]! ^= x;
          return b;
        });
    const hostile = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutate(env), mutate(wrapped), mutate(req));
    fc.assert(
      fc.property(hostile, (b) => {
        typedOnly(() => openEnvelope(decodeEnvelope(b), newDataKey()));
        typedOnly(() => unwrapKey(b, seed, rid, 1));
        typedOnly(() => verifyRequest(decodeRequest(b), 'ehrchain-test', Date.now(), 1000));
        typedOnly(() => requestFromHeader(Buffer.from(b).toString('base64url')));
      }),
      { numRuns: 3000 },
    );
  });

  it('requests: wrong chain, bad signature, stale', () => {
    const s = createSigner(seed);
    const f = {
      chainId: 'c1',
      patient: rid,
      recordId: rid,
      version: 1,
      purpose: 'HRESCH' as const,
      cid: cidOf(utf8('x')).bytes,
    };
    const now = Date.now();
    const q = decodeRequest(signReadRequest({ ...f, time: now }, s));
    const code = (g: () => void) => {
      try {
        g();
        return 'ok';
      } catch (err) {
        return isRecordError(err) ? err.code : 'untyped';
      }
    };
    expect(code(() => verifyRequest(q, 'c1', now, 1000))).toBe('ok');
    expect(code(() => verifyRequest(q, 'c2', now, 1000))).toBe('bad_signature');
    expect(code(() => verifyRequest(q, 'c1', now + 5000, 1000))).toBe('stale_request');
    const bytes = signReadRequest({ ...f, time: now }, s);
    bytes[60]! ^= 1;
    expect(code(() => verifyRequest(decodeRequest(bytes), 'c1', now, 1000))).toBe('bad_signature');
  });
});
