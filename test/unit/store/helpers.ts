/** Store test helpers: temp dirs, and a tiny apply loop (execute, stage, build, commit). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKvContract, KV_CONTRACT_ID } from '../../../node/contracts/kv.js';
import type { Executor } from '../../../node/state/executor.js';
import { JournaledState } from '../../../node/state/journal.js';
import { createExecutor, nextNonce } from '../../../node/state/registry.js';
import type { ReadonlyStateView } from '../../../node/state/view.js';
import type { ChainStore } from '../../../node/store/chain-store.js';
import { buildBlock } from '../../../protocol/chain/block.js';
import { createSigner, type Signer } from '../../../protocol/chain/keys.js';
import type { Block, Receipt, SignedTx } from '../../../protocol/chain/types.js';
import { CHAIN_ID, put, sender } from '../state/helpers.js';

/** A fresh temp dir; `cleanup` removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'ehrchain-store-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

let proposer: Signer | undefined;
/** The test proposer (synthetic seed, TEST ONLY). */
function testProposer(): Signer {
  proposer ??= createSigner(new Uint8Array(32).fill(77));
  return proposer;
}

/** The executor tests use: kv only. */
export function kvExecutor(): Executor {
  return createExecutor({ contracts: { [KV_CONTRACT_ID]: createKvContract() } });
}

/** Executes `txs` on the store's state and builds the next block (not yet committed). */
export function prepareBlock(store: ChainStore, exec: Executor, txs: readonly SignedTx[]) {
  const height = store.latestHeight() + 1;
  const time = 1_700_000_000_000 + height * 1000;
  const view = new JournaledState(store.state);
  const { receipts } = exec.executeBlock(
    { height, time, proposer: testProposer().publicKey, chainId: CHAIN_ID },
    txs,
    view,
  );
  const staged = store.state.stage(view.writes());
  const block: Block = buildBlock(
    {
      chainId: CHAIN_ID,
      height,
      parentHash: store.lastBlockHash(),
      stateHeight: height - 1,
      stateRoot: store.stateRoot(),
      term: 1,
      time,
    },
    txs,
    testProposer(),
  );
  return { block, receipts: receipts as Receipt[], staged };
}

/** Executes and commits the next block, carried by Raft entry `appliedIndex`. */
export async function applyBlock(
  store: ChainStore,
  exec: Executor,
  txs: readonly SignedTx[],
  appliedIndex?: number,
): Promise<Block> {
  const p = prepareBlock(store, exec, txs);
  await store.commitBlock({ ...p, appliedIndex: appliedIndex ?? store.appliedIndex() + 1 });
  return p.block;
}

/** `n` kv puts from a few senders, continuing from the state's nonces; deterministic in (state, seed). */
export function kvTxs(
  store: ChainStore | ReadonlyStateView,
  n: number,
  seed: number,
  senders = 4,
): SignedTx[] {
  const state = 'state' in store ? store.state : store;
  const next = new Map<number, number>();
  const out: SignedTx[] = [];
  for (let i = 0; i < n; i++) {
    const who = 1 + (i % senders);
    let nonce = next.get(who);
    nonce ??= nextNonce(state, sender(who));
    next.set(who, nonce + 1);
    out.push(put(who, nonce, `k${(seed * 7919 + i) % 1000}`, `v${seed}-${i}`));
  }
  return out;
}
