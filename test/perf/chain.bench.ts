/**
 * Throughput of the chain formats, signature verification modes and the mempool.
 * Run: `node --import tsx test/perf/chain.bench.ts` (RUNS=n for more repetitions). Prints the
 * median ops/s of several runs; never passes or fails on time. Seeds are synthetic test seeds.
 */
import { availableParallelism } from 'node:os';
import { Verifier, type VerifyMode } from '../../node/blocks/verify.js';
import { Mempool } from '../../node/mempool/mempool.js';
import { buildBlock, decodeBlock, encodeBlock } from '../../protocol/chain/block.js';
import { createSigner, KeyCache, verifySignature } from '../../protocol/chain/keys.js';
import { merkleRoot } from '../../protocol/chain/merkle.js';
import { decodeSignedTx, encodeTxBody, hashTxBody, signTx } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: { name: string; opsPerSec: number }[] = [];

async function bench(name: string, ops: number, f: () => unknown): Promise<void> {
  await f(); // warm up
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    await f();
    rates.push(ops / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const opsPerSec = Math.round(median(rates));
  results.push({ name, opsPerSec });
  console.log(`${name.padEnd(58)} ${opsPerSec.toLocaleString('en-US').padStart(12)} ops/s`);
}

const SENDERS = 200;
const signers = Array.from({ length: SENDERS }, (_, i) => createSigner(new Uint8Array(32).fill(i + 1)));
const body = (i: number) => ({
  chainId: 'ehrchain-bench',
  sender: signers[i % SENDERS]!.publicKey,
  nonce: Math.floor(i / SENDERS),
  gasLimit: 100_000,
  contract: 'consent',
  method: 'grant',
  args: [new Uint8Array(32).fill(i & 0xff), new Uint8Array(64), new Uint8Array(8)],
});
const N = 4000;
const txs: SignedTx[] = Array.from({ length: N }, (_, i) => signTx(body(i), signers[i % SENDERS]!));
console.log(
  `signed tx size ${txs[0]!.bytes.length} B; ${availableParallelism()} cores; median of ${RUNS} runs`,
);

await bench('encodeTxBody', N, () => {
  for (const t of txs) encodeTxBody(t.body);
});
await bench('hashTxBody (encode + sha256)', N, () => {
  for (const t of txs) hashTxBody(t.body);
});
await bench('decodeSignedTx (decode + hash)', N, () => {
  for (const t of txs) decodeSignedTx(t.bytes);
});
await bench('signTx (Signer cached)', 1000, () => {
  for (let i = 0; i < 1000; i++) signTx(txs[i]!.body, signers[i % SENDERS]!);
});
const block = buildBlock(
  {
    chainId: 'ehrchain-bench',
    height: 1,
    parentHash: new Uint8Array(32),
    stateHeight: 0,
    stateRoot: new Uint8Array(32),
    term: 1,
    time: 1,
  },
  txs.slice(0, 1000),
  signers[0]!,
);
const blockBytes = encodeBlock(block);
await bench('merkleRoot, 1000 tx hashes (per root)', 1, () => merkleRoot(block.txs.map((t) => t.hash)));
await bench('encodeBlock, 1000 txs (txs/s)', 1000, () => encodeBlock(block));
await bench('decodeBlock, 1000 txs (txs/s)', 1000, () => decodeBlock(blockBytes));

const V = 4000;
const cache = new KeyCache();
await bench('verify sync, cached KeyObject', V, () => {
  for (let i = 0; i < V; i++) verifySignature(txs[i]!.hash, txs[i]!.signature, txs[i]!.body.sender, cache);
});
await bench('verify sync, KeyObject built per call', 1000, () => {
  for (let i = 0; i < 1000; i++) verifySignature(txs[i]!.hash, txs[i]!.signature, txs[i]!.body.sender);
});
for (const mode of ['async', 'workers'] as VerifyMode[]) {
  for (const workers of mode === 'workers' ? [1, 2, 3] : [0]) {
    const v = new Verifier({ mode, workers, verifiedCacheSize: 0 });
    const label = mode === 'workers' ? `workers x${workers}` : 'async (libuv pool)';
    await bench(`verify ${label}, verifyTxs(${V})`, V, () => v.verifyTxs(txs.slice(0, V)));
    // Arrivals one at a time with at most 64 outstanding, as from many HTTP clients.
    await bench(`verify ${label}, 64 in flight`, V, async () => {
      let next = 0;
      const lane = async () => {
        while (next < V) await v.verifyTx(txs[next++]!);
      };
      await Promise.all(Array.from({ length: 64 }, lane));
    });
    await v.close();
  }
}
const seen = new Verifier({ mode: 'async' });
await seen.verifyTxs(txs);
await bench('verifyTx already verified (verified-set hit)', N, () => {
  for (const t of txs) seen.isVerified(t);
});

await bench('mempool add + take + onCommitted, 4000 txs / 200 senders', N, () => {
  const pool = new Mempool({ maxTxs: 100_000 }, { committedNonce: () => 0 });
  for (const t of txs) pool.add(t);
  for (;;) {
    const b = pool.take(500, 4 * 1024 * 1024);
    if (b.length === 0) break;
    pool.onCommitted(b);
  }
});
await bench('mempool add when full (evictions), 4000 txs', N, () => {
  const pool = new Mempool({ maxTxs: 1000, nonceWindow: 64 }, { committedNonce: () => 0 });
  for (const t of txs) {
    try {
      pool.add(t);
    } catch {
      // mempool_full for the largest holders: expected here
    }
  }
});

if (process.env.BENCH_JSON) console.log(JSON.stringify(results));
