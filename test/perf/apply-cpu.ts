/**
 * CPU per tx of the applier alone (node/blocks/applier.ts over a real ChainStore): BLOCKS blocks
 * (default 30) of 800 signed kv puts, the first 5 not timed, tx signatures verified beforehand as
 * admission would, the block's txs handed over as the producer does (when this build has
 * node/blocks/tx-handover.ts; an older build applies without). Prints wall and process CPU
 * (main thread and LevelDB's threads) per applied tx, for comparing builds in alternating runs:
 *
 *   BLOCKS=25 npx tsx test/perf/apply-cpu.ts
 */
import { type Entry, EntryType } from '../../consensus/types.js';
import { Applier } from '../../node/blocks/applier.js';
import { Verifier } from '../../node/blocks/verify.js';
import { silentLogger } from '../../node/log.js';
import { ChainStore } from '../../node/store/chain-store.js';
import { buildBlock, encodeBlock } from '../../protocol/chain/block.js';
import { createSigner } from '../../protocol/chain/keys.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import { kvExecutor, tempDir } from '../unit/store/helpers.js';
import { kvPuts } from './kv-txs.js';

const N = Number(process.env.BLOCKS ?? 30),
  PER = 800;
const all = kvPuts(N * PER, 1000);
const { dir, cleanup } = await tempDir();
const store = await ChainStore.open(dir);
const sigs = new Verifier({ mode: 'sync' });
for (let i = 0; i < all.length; i += 1000) await sigs.verifyTxs(all.slice(i, i + 1000));
const proposer = createSigner(new Uint8Array(32).fill(5));
let handOver: { know(d: Uint8Array, t: readonly SignedTx[]): void } | undefined;
try {
  const m = await import('../../node/blocks/tx-handover.js');
  handOver = new m.TxHandOver();
} catch {
  handOver = undefined;
}
const applier = new Applier(
  { chainId: 'ehrchain-bench' },
  {
    executor: kvExecutor(),
    sink: store,
    sigs,
    ...(handOver ? { handOver: handOver as never } : {}),
    isValidator: () => true,
    hooks: {
      onApplied: () => {},
      onRejected: (_e, c, m) => console.log('rejected', c, m),
      onDivergence: (m) => console.log(m),
    },
    log: silentLogger(),
    tip: { height: 0, hash: new Uint8Array(32), time: 1_700_000_000_000 },
  },
);
let t = 0;
let cpu = 0;
for (let b = 0; b < N; b++) {
  const tip = applier.tip;
  const txs = all.slice(b * PER, (b + 1) * PER);
  const block = buildBlock(
    {
      chainId: 'ehrchain-bench',
      height: tip.height + 1,
      parentHash: tip.hash,
      stateHeight: tip.height,
      stateRoot: store.stateRoot(),
      term: 1,
      time: tip.time + 1000,
    },
    txs,
    proposer,
  );
  const data = encodeBlock(block);
  handOver?.know(data, txs);
  const e: Entry = { index: b + 1, term: 1, type: EntryType.Normal, data };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await applier.apply([e]);
  const d = process.cpuUsage(c0);
  if (b >= 5) {
    t += performance.now() - t0;
    cpu += d.user + d.system;
  }
}
console.log(
  'apply wall us/tx',
  ((t * 1000) / ((N - 5) * PER)).toFixed(1),
  'cpu us/tx',
  (cpu / ((N - 5) * PER)).toFixed(1),
  'handover',
  handOver !== undefined,
  'height',
  applier.tip.height,
);
await store.close();
await cleanup();
