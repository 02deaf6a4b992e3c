/**
 * Signed kv puts in the shape of `ehrchain bench --workload kv` (chain ehrchain-bench, nonces in
 * order per sender, a 20-byte key and a 32-byte value), for the micro-benchmarks that need a
 * realistic stream of txs. Synthetic keys: sender i's seed is i in its first two bytes.
 */
import { createSigner } from '../../protocol/chain/keys.js';
import { signTx } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';

const enc = new TextEncoder();

/**
 * `n` signed kv puts from `senders` synthetic senders, round robin; `firstSender` shifts the senders
 * (i + firstSender is sender i's seed), so separate calls can give disjoint senders.
 */
export function kvPuts(n: number, senders: number, firstSender = 0): SignedTx[] {
  const signers = Array.from({ length: senders }, (_, j) => {
    const i = j + firstSender;
    const seed = new Uint8Array(32);
    seed[0] = i & 255;
    seed[1] = i >> 8;
    return createSigner(seed);
  });
  return Array.from({ length: n }, (_, k) => {
    const s = signers[k % senders]!;
    const body = {
      chainId: 'ehrchain-bench',
      sender: s.publicKey,
      nonce: Math.floor(k / senders),
      gasLimit: 100_000,
      contract: 'kv',
      method: 'put',
      args: [enc.encode(`key-${k}-0123456789`), new Uint8Array(32).fill(7)],
    };
    return signTx(body, s);
  });
}
