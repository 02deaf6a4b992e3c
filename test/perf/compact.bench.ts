/**
 * Hash-only blocks (protocol/chain/compact-block.ts): bytes of a 500-tx kv block in full and
 * compact, and CPU per tx to compact it (the leader, once per block for all followers; hashing each
 * tx, and with the hashes the producer holds) and to expand it from a mempool (each follower). Run: node --import tsx test/perf/compact.bench.ts
 * Prints figures; never passes or fails.
 */
import { buildBlock, encodeBlock } from '../../protocol/chain/block.js';
import { compactBlock, expandCompactBlock } from '../../protocol/chain/compact-block.js';
import { createSigner } from '../../protocol/chain/keys.js';
import { kvPuts } from './kv-txs.js';

const TXS = 500;
const ROUNDS = 5;
const REPS = 200;
const txs = kvPuts(TXS, 50);
const fields = {
  chainId: 'ehrchain-bench',
  height: 5,
  parentHash: new Uint8Array(32),
  stateHeight: 4,
  stateRoot: new Uint8Array(32),
  term: 2,
  time: 1,
};
const block = encodeBlock(buildBlock(fields, txs, createSigner(new Uint8Array(32).fill(99))));
// The mempool's index: latin1 strings of the hash, as node/mempool does.
const latin1 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const pool = new Map(txs.map((t) => [latin1(t.hash), t.bytes]));
const cpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const c = compactBlock(block);
console.log(
  `${TXS}-tx kv block: ${block.length} B full, ${c.bytes.length} B compact (${(c.bytes.length / block.length).toFixed(2)}x)`,
);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const hashes = txs.map((t) => t.hash);
const compactUs: number[] = [];
const knownUs: number[] = [];
const expandUs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let t = cpu();
  for (let i = 0; i < REPS; i++) compactBlock(block);
  compactUs.push((cpu() - t) / REPS / TXS);
  // The leader's case: the producer hands over the hashes it holds (node/p2p/block-relay.ts).
  t = cpu();
  for (let i = 0; i < REPS; i++) compactBlock(block, undefined, undefined, hashes);
  knownUs.push((cpu() - t) / REPS / TXS);
  t = cpu();
  for (let i = 0; i < REPS; i++) expandCompactBlock(c.bytes, (h) => pool.get(latin1(h)));
  expandUs.push((cpu() - t) / REPS / TXS);
}
console.log(
  `CPU per tx (median of ${ROUNDS}): compact ${median(compactUs).toFixed(2)} µs, ` +
    `compact with the hashes known ${median(knownUs).toFixed(2)} µs, expand ${median(expandUs).toFixed(2)} µs`,
);
