/** Shared fixtures for chain tests. All seeds here are synthetic test seeds, never real keys. */
import fc from 'fast-check';
import { createSigner, type Signer } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import type { SignedTx, TxBody } from '../../../protocol/chain/types.js';

/** A synthetic test seed: 32 bytes all equal to `n` (TEST ONLY). */
export function testSeed(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

const signers = new Map<number, Signer>();
/** A cached Signer for testSeed(n). */
export function testSigner(n: number): Signer {
  let s = signers.get(n);
  if (!s) {
    s = createSigner(testSeed(n));
    signers.set(n, s);
  }
  return s;
}

/** A simple signed tx from test signer `who`. */
export function makeTx(who: number, nonce: number, extra: Partial<TxBody> = {}): SignedTx {
  const s = testSigner(who);
  return signTx(
    {
      chainId: 'ehr-test',
      sender: s.publicKey,
      nonce,
      gasLimit: 100_000,
      contract: 'kv',
      method: 'put',
      args: [new Uint8Array([nonce & 0xff, who & 0xff])],
      ...extra,
    },
    s,
  );
}

const idChars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-:'.split('');
/** Arbitrary valid identifier (1..64 chars). */
export const arbId = fc
  .array(fc.constantFrom(...idChars), { minLength: 1, maxLength: 64 })
  .map((a) => a.join(''));
/** Arbitrary integer in [0, 2^53). */
export const arbU53 = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1),
);
/** Arbitrary tx body with a 32-byte sender that is not necessarily a real key. */
export const arbTxBody: fc.Arbitrary<TxBody> = fc.record({
  chainId: arbId,
  sender: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  nonce: arbU53,
  gasLimit: arbU53,
  contract: arbId,
  method: arbId,
  args: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
});
