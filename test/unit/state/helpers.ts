/** Test helpers for state and store tests: unsigned txs (the executor never checks signatures). */

import type { BlockContext } from '../../../node/state/executor.js';
import { createSignedTx } from '../../../protocol/chain/tx.js';
import type { SignedTx, TxBody } from '../../../protocol/chain/types.js';

export const CHAIN_ID = 'ehr-test';
export const u = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A 32-byte stand-in sender key (TEST ONLY, not a real key). */
export function sender(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

/** A tx with a zero signature: fine for the executor and the store, which do not verify. */
export function tx(
  who: number,
  nonce: number,
  contract: string,
  method: string,
  args: Uint8Array[],
  extra: Partial<TxBody> = {},
): SignedTx {
  return createSignedTx(
    { chainId: CHAIN_ID, sender: sender(who), nonce, gasLimit: 100_000, contract, method, args, ...extra },
    new Uint8Array(64),
  );
}

/** kv put as a tx. */
export function put(
  who: number,
  nonce: number,
  key: string,
  value: string,
  extra: Partial<TxBody> = {},
): SignedTx {
  return tx(who, nonce, 'kv', 'put', [u(key), u(value)], extra);
}

export function ctx(height: number): BlockContext {
  return { height, time: 1_700_000_000_000 + height, proposer: sender(200), chainId: CHAIN_ID };
}
