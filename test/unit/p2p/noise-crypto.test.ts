import type { ICryptoInterface } from '@chainsafe/libp2p-noise';
import { defaultCrypto, pureJsCrypto } from '@chainsafe/libp2p-noise/crypto';
import { Uint8ArrayList } from 'uint8arraylist';
import { describe, expect, it } from 'vitest';
import { noiseCrypto, sodiumNoiseCrypto } from '../../../node/p2p/noise-crypto.js';
import { loadSodiumNative, type SodiumNative } from '../../../node/sodium.js';

const sodium = loadSodiumNative()?.mod as SodiumNative | undefined;
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// RFC 8439 section 2.8.2: the AEAD_CHACHA20_POLY1305 test vector
const rfc = {
  key: Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i),
  nonce: hex('070000004041424344454647'),
  ad: hex('50515253c0c1c2c3c4c5c6c7'),
  plaintext: new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
    '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

// noise's own copy of uint8arraylist is another version: its type is not this one's, the shape is
type NoiseList = Parameters<ICryptoInterface['hashSHA256']>[0];
const listOf = (...parts: Uint8Array[]): NoiseList => new Uint8ArrayList(...parts) as unknown as NoiseList;

const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
const key = bytes(32, 7);
const nonce = bytes(12, 3);
const ad = bytes(32, 11);

describe.skipIf(sodium === undefined)('noise crypto over libsodium', () => {
  const s = sodiumNoiseCrypto(sodium as SodiumNative);

  it('seals the RFC 8439 AEAD vector to its ciphertext and tag', () => {
    const sealed = s.chaCha20Poly1305Encrypt(rfc.plaintext, rfc.nonce, rfc.ad, rfc.key).subarray();
    expect(toHex(sealed)).toBe(rfc.ciphertext + rfc.tag);
  });

  it('opens the RFC 8439 AEAD vector to its plaintext', () => {
    const opened = s.chaCha20Poly1305Decrypt(hex(rfc.ciphertext + rfc.tag), rfc.nonce, rfc.ad, rfc.key);
    expect(toHex(opened.subarray())).toBe(toHex(rfc.plaintext));
  });

  // each size on either side of the default crypto's 1,200-byte switch, and over one noise frame
  it.each([0, 1, 100, 600, 1199, 1200, 4096, 65519])(
    'seals %i bytes exactly as the default crypto does',
    (n) => {
      const m = bytes(n, n);
      expect(toHex(s.chaCha20Poly1305Encrypt(m, nonce, ad, key).subarray())).toBe(
        toHex(defaultCrypto.chaCha20Poly1305Encrypt(m, nonce, ad, key).subarray()),
      );
    },
  );

  it.each([0, 100, 1199, 1200, 65519])('opens what the default crypto sealed, %i bytes', (n) => {
    const m = bytes(n, n + 1);
    const sealed = defaultCrypto.chaCha20Poly1305Encrypt(m, nonce, ad, key).subarray();
    expect(toHex(s.chaCha20Poly1305Decrypt(sealed, nonce, ad, key).subarray())).toBe(toHex(m));
  });

  it('opens in place into the dst noise passes (the ciphertext bytes themselves)', () => {
    const m = bytes(700, 5);
    const frame = Uint8Array.from(s.chaCha20Poly1305Encrypt(m, nonce, ad, key).subarray());
    const dst = frame.subarray(0, frame.byteLength - 16);
    const opened = s.chaCha20Poly1305Decrypt(frame, nonce, ad, key, dst).subarray();
    expect(toHex(opened)).toBe(toHex(m));
    expect(opened.buffer).toBe(frame.buffer);
  });

  it('takes a plaintext split over a Uint8ArrayList', () => {
    const m = bytes(3000, 9);
    const list = listOf(m.subarray(0, 1000), m.subarray(1000));
    expect(toHex(s.chaCha20Poly1305Encrypt(list, nonce, ad, key).subarray())).toBe(
      toHex(pureJsCrypto.chaCha20Poly1305Encrypt(m, nonce, ad, key).subarray()),
    );
  });

  it.each([
    ['a flipped ciphertext byte', (c: Uint8Array) => c.set([c[0]! ^ 1], 0)],
    ['a flipped tag byte', (c: Uint8Array) => c.set([c[c.length - 1]! ^ 1], c.length - 1)],
  ])('refuses a frame with %s', (_name, tamper) => {
    const c = Uint8Array.from(s.chaCha20Poly1305Encrypt(bytes(64, 1), nonce, ad, key).subarray());
    tamper(c);
    expect(() => s.chaCha20Poly1305Decrypt(c, nonce, ad, key)).toThrow('Invalid chacha20poly1305 decryption');
  });

  it('refuses a frame shorter than the tag', () => {
    expect(() => s.chaCha20Poly1305Decrypt(new Uint8Array(15), nonce, ad, key)).toThrow(
      'Invalid chacha20poly1305 decryption',
    );
  });

  it('hashes with SHA-256 as the default crypto does, whole or split', () => {
    const m = bytes(500, 2);
    const want = toHex(defaultCrypto.hashSHA256(m));
    expect(toHex(s.hashSHA256(m))).toBe(want);
    expect(toHex(s.hashSHA256(listOf(m.subarray(0, 100), m.subarray(100))))).toBe(want);
  });

  it('is what the host gets when sodium-native loads', () => {
    expect(noiseCrypto().backend).toBe(process.env.EHRCHAIN_NOISE === 'default' ? 'default' : 'sodium');
  });
});
