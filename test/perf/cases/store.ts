/**
 * Per-key CPU of the store's atomic batch (a kv block's shape: 500 tx-index keys, 1,000 state
 * writes, a receipts value) and per-tx CPU of committing 500-tx kv blocks (execute, stage the state
 * root, build and write the batch). Synthetic data in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKvContract } from '../../../node/contracts/kv.js';
import { JournaledState } from '../../../node/state/journal.js';
import { createExecutor, nextNonce } from '../../../node/state/registry.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { Batch, type Db, openDb } from '../../../node/store/db.js';
import { buildBlock } from '../../../protocol/chain/block.js';
import { createSigner } from '../../../protocol/chain/keys.js';
import { createSignedTx } from '../../../protocol/chain/tx.js';
import type { PerfCase } from './harness.js';

const enc = new TextEncoder();
const BLOCK = 500;

/** The store cases; `close` them (they hold temporary databases). */
export async function storeCases(): Promise<PerfCase[]> {
  return [await batchCase(), await commitCase()];
}

async function batchCase(): Promise<PerfCase> {
  const dir = mkdtempSync(join(tmpdir(), 'ehr-perf-batch-'));
  const db: Db = await openDb(dir);
  let n = 0;
  const loc = new Uint8Array(12);
  const value = new Uint8Array(64).fill(7);
  const receipts = new Uint8Array(BLOCK * 60);
  const hashes = Array.from({ length: BLOCK }, () => randomBytes(32));
  return {
    name: 'store: batch write, kv block shape (per key)',
    ops: 3 * BLOCK + 1,
    run: async () => {
      n++;
      const b = new Batch(db);
      for (const h of hashes) {
        h.writeUInt32BE(n, 0);
        b.put(h, loc, { sublevel: db.txs });
      }
      for (let i = 0; i < 2 * BLOCK; i++)
        b.put(enc.encode(`\x01\x02kvpatient/${n}/${i}`), value, { sublevel: db.state });
      b.put(enc.encode(`r${n}`), receipts, { sublevel: db.receipts });
      await b.write({ sync: false });
    },
    close: async () => {
      await db.level.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function commitCase(): Promise<PerfCase> {
  const dir = mkdtempSync(join(tmpdir(), 'ehr-perf-commit-'));
  const store = await ChainStore.open(dir);
  const exec = createExecutor({ contracts: { kv: createKvContract() } });
  const proposer = createSigner(new Uint8Array(32).fill(99));
  const senders = Array.from({ length: 50 }, (_, i) => new Uint8Array(32).fill(i + 1));
  const sig = new Uint8Array(64);
  let h = 0;
  return {
    name: 'store: commit 500-tx kv block, exec+stage+write (per tx)',
    ops: BLOCK,
    run: async () => {
      h++;
      const nonces = senders.map((s) => nextNonce(store.state, s));
      const txs = Array.from({ length: BLOCK }, (_, i) => {
        const who = i % senders.length;
        const nonce = nonces[who]!;
        nonces[who] = nonce + 1;
        return createSignedTx(
          {
            chainId: 'bench',
            sender: senders[who]!,
            nonce,
            gasLimit: 1_000_000,
            contract: 'kv',
            method: 'put',
            args: [
              enc.encode(`patient/${(h * 7919 + i * 104729) % 100_000}/consent`),
              enc.encode(`grant:${h}:${i}:`.padEnd(64, 'x')),
            ],
          },
          sig,
        );
      });
      const block = buildBlock(
        {
          chainId: 'bench',
          height: h,
          parentHash: store.lastBlockHash(),
          stateHeight: h - 1,
          stateRoot: store.stateRoot(),
          term: 1,
          time: h,
        },
        txs,
        proposer,
      );
      const view = new JournaledState(store.state);
      const { receipts } = exec.executeBlock(
        { height: h, time: h, proposer: proposer.publicKey, chainId: 'bench' },
        txs,
        view,
      );
      const staged = store.state.stage(view.writes());
      await store.commitBlock({ block, receipts, staged, appliedIndex: h });
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
