/**
 * Memory of a validator's per-tx structures, measured in one process (no network, so the figures
 * do not move with the machine's load). Run: node --expose-gc --import tsx test/perf/memory.bench.ts
 *   - retained heap per pending tx: kv txs decoded from 50-tx batches (as `POST /v1/txs` does),
 *     held by the mempool; 20,000 of them is what `ehrchain bench` keeps in flight flat out
 *   - the signature verify pool: RSS of its worker threads idle, and its peak while 100k
 *     verifies are outstanding in rounds of 5,000
 * Prints figures; never passes or fails.
 */
import { loadSodium } from '../../node/blocks/ed25519.js';
import { VerifyPool } from '../../node/blocks/verify-workers.js';
import { Mempool } from '../../node/mempool/mempool.js';
import { createSigner, signBytes } from '../../protocol/chain/keys.js';
import { decodeSignedTx, encodeSignedTx, signTx } from '../../protocol/chain/tx.js';
import { decodeTxBatch, encodeTxBatch } from '../../protocol/chain/tx-batch.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const mb = (n: number): string => (n / 1048576).toFixed(1);

async function mempoolPerTx(n: number): Promise<void> {
  const enc = new TextEncoder();
  // Synthetic keys: 1,000 senders, nonces in order, as the bench's kv workload sends them.
  const signers = Array.from({ length: 1000 }, (_, i) => {
    const seed = new Uint8Array(32);
    seed[0] = i & 255;
    seed[1] = i >> 8;
    return createSigner(seed);
  });
  const raw: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const s = signers[k % signers.length]!;
    const body = {
      chainId: 'ehrchain-bench',
      sender: s.publicKey,
      nonce: Math.floor(k / signers.length),
      gasLimit: 100_000,
      contract: 'kv',
      method: 'put',
      args: [enc.encode(`key-${k}-0123456789`), new Uint8Array(32).fill(7)],
    };
    raw.push(encodeSignedTx(signTx(body, s)));
  }
  const batches: Uint8Array[] = [];
  for (let i = 0; i < n; i += 50) batches.push(encodeTxBatch(raw.slice(i, i + 50)));
  raw.length = 0;
  gc!();
  gc!();
  const before = process.memoryUsage();
  const pool = new Mempool({ maxTxs: n }, { committedNonce: () => 0 });
  for (const b of batches) {
    const body = new Uint8Array(b); // a fresh request body, as the HTTP route gets it
    for (const t of decodeTxBatch(body, 65_536)) pool.add(decodeSignedTx(t));
  }
  batches.length = 0;
  gc!();
  gc!();
  const after = process.memoryUsage();
  const heap = (after.heapUsed - before.heapUsed) / pool.size;
  const buffers = (after.arrayBuffers - before.arrayBuffers) / pool.size;
  console.log(
    `mempool: ${pool.size} txs of ${(pool.bytes / pool.size).toFixed(0)} B: ` +
      `${heap.toFixed(0)} B heap + ${buffers.toFixed(0)} B array buffers per tx ` +
      `(${mb((heap + buffers) * pool.size)} MB in all)`,
  );
}

async function verifyPool(workers: number): Promise<void> {
  const rss = (): number => process.memoryUsage().rss;
  gc!();
  const r0 = rss();
  const pool = new VerifyPool({
    workers,
    maxBatch: 512,
    keyCacheSize: 1000,
    sodiumPath: loadSodium()?.path ?? null,
  });
  while (pool.backends.length < workers) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const r1 = rss();
  const s = createSigner(new Uint8Array(32).fill(3));
  const msg = new Uint8Array(32).fill(1);
  const sig = signBytes(msg, s);
  let peak = r1;
  for (let round = 0; round < 20; round++) {
    const ps: Promise<boolean>[] = [];
    for (let i = 0; i < 5000; i++)
      ps.push(pool.verify({ publicKey: s.publicKey, message: msg, signature: sig }));
    await Promise.all(ps);
    peak = Math.max(peak, rss());
  }
  await pool.close();
  console.log(
    `verify pool, ${workers} worker(s): idle +${mb(r1 - r0)} MB RSS, peak under 100k verifies +${mb(peak - r0)} MB`,
  );
}

// The pool first, while the process is small: its RSS figures are differences.
await verifyPool(Number(process.env.VERIFY_WORKERS ?? 2));
await mempoolPerTx(20_000);
process.exit(0);
