/**
 * Per-signature CPU of the node's verifier: libsodium and node:crypto, on the calling thread and
 * in the worker pool, with the sender's key cached (node:crypto) or not (the patients are many).
 */
import { Verifier } from '../../../node/blocks/verify.js';
import { createSigner, verifySignature } from '../../../protocol/chain/keys.js';
import { signTx } from '../../../protocol/chain/tx.js';
import type { SignedTx } from '../../../protocol/chain/types.js';
import type { PerfCase } from './harness.js';

const SENDERS = 200;
const N = 2000;

function signedTxs(): SignedTx[] {
  const signers = Array.from({ length: SENDERS }, (_, i) => createSigner(new Uint8Array(32).fill(i + 1)));
  return Array.from({ length: N }, (_, i) =>
    signTx(
      {
        chainId: 'ehrchain-bench',
        sender: signers[i % SENDERS]!.publicKey,
        nonce: Math.floor(i / SENDERS),
        gasLimit: 100_000,
        contract: 'kv',
        method: 'put',
        args: [new Uint8Array(12).fill(i & 0xff), new Uint8Array(32)],
      },
      signers[i % SENDERS]!,
    ),
  );
}

/** The verify cases; `which` picks the backends (both by default). */
export function verifyCases(which: readonly ('sodium' | 'node')[] = ['sodium', 'node']): PerfCase[] {
  const txs = signedTxs();
  const out: PerfCase[] = [];
  for (const library of which) {
    const sync = new Verifier({ mode: 'sync', library, verifiedCacheSize: 0 });
    if (sync.backend !== library) throw new Error(`${library} does not load here`);
    out.push({
      name: `verify ${library} main thread`,
      ops: N,
      run: () => {
        for (const t of txs) sync.verifyTxSync(t);
      },
    });
    const pool = new Verifier({ mode: 'workers', workers: 2, library, verifiedCacheSize: 0 });
    out.push({
      name: `verify ${library} workers x2`,
      ops: N,
      run: () => pool.verifyTxs(txs),
      close: () => pool.close(),
    });
  }
  if (which.includes('node')) {
    out.push({
      name: 'verify node main thread, KeyObject per call',
      ops: 500,
      run: () => {
        for (let i = 0; i < 500; i++) {
          const t = txs[i]!;
          verifySignature(t.hash, t.signature, t.body.sender);
        }
      },
    });
  }
  return out;
}
