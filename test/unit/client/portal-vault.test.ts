/**
 * The portal's sealed key (portal/src/vault.ts): what is sealed opens with the passphrase only,
 * the stored record holds nothing secret in the clear, and a record moved under another key or
 * weaker parameters does not open. Small scrypt parameters keep the test fast; the portal seals
 * with KDF_PARAMS.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../client/keyfile-format.js';
import { KDF_PARAMS, openKey, sealKey, VaultError } from '../../../portal/src/vault.js';
import { toHex } from '../../../protocol/chain/encoding.js';

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const PASS = 'synthetic passphrase';

describe('the sealed key', () => {
  it('is sealed with scrypt N=2^17, r=8, p=1 by default', () => {
    expect(KDF_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it('opens with the passphrase to the same key', async () => {
    const key = generateKeyPair();
    expect(await openKey(await sealKey(key, PASS, FAST), PASS)).toEqual(key);
  });

  it('holds neither the seed nor the passphrase in the clear', async () => {
    const key = generateKeyPair();
    const text = JSON.stringify(await sealKey(key, PASS, FAST));
    expect(text).not.toContain(toHex(key.seed));
    expect(text).not.toContain(PASS);
  });

  it.each([
    [
      'a wrong passphrase',
      (s: Awaited<ReturnType<typeof sealKey>>) => ({ sealed: s, pass: 'not it at all' }),
    ],
    [
      'weaker parameters swapped in',
      (s: Awaited<ReturnType<typeof sealKey>>) => ({
        sealed: { ...s, params: { ...FAST, N: 2 ** 9 } },
        pass: PASS,
      }),
    ],
    [
      'another public key swapped in',
      (s: Awaited<ReturnType<typeof sealKey>>) => ({
        sealed: { ...s, publicKey: toHex(generateKeyPair().publicKey) },
        pass: PASS,
      }),
    ],
  ])('refuses %s with wrong_passphrase', async (_why, change) => {
    const { sealed, pass } = change(await sealKey(generateKeyPair(), PASS, FAST));
    await expect(openKey(sealed, pass)).rejects.toMatchObject({ code: 'wrong_passphrase' });
  });

  it('refuses to seal under a passphrase shorter than 8 characters', async () => {
    await expect(sealKey(generateKeyPair(), 'short', FAST)).rejects.toBeInstanceOf(VaultError);
  });
});
