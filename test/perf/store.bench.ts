/**
 * Store and state-root benchmark. Run: node --expose-gc --import tsx test/perf/store.bench.ts
 * Prints medians; never passes or fails on time.
 *   - commitBlock of 500-tx kv blocks: blocks/s and LevelDB keys/s (execute, stage and write timed apart)
 *   - state-root update cost per write (stage = subtract old entry vector, add new), by state size
 *   - open (load + recompute root) per state entry
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKvContract } from '../../node/contracts/kv.js';
import { JournaledState } from '../../node/state/journal.js';
import { createExecutor, nextNonce } from '../../node/state/registry.js';
import type { StateWrite } from '../../node/state/view.js';
import { WorldState } from '../../node/state/world.js';
import { ChainStore } from '../../node/store/chain-store.js';
import { buildBlock } from '../../protocol/chain/block.js';
import { createSigner } from '../../protocol/chain/keys.js';
import { createSignedTx } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';

const TXS_PER_BLOCK = 500;
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 60);
const SENDERS = 50;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const enc = new TextEncoder();
const senders = Array.from({ length: SENDERS }, (_, i) => new Uint8Array(32).fill(i + 1));
const proposer = createSigner(new Uint8Array(32).fill(99)); // synthetic bench key

function blockTxs(state: WorldState, h: number): SignedTx[] {
  const next = senders.map((s) => nextNonce(state, s));
  const sig = new Uint8Array(64);
  return Array.from({ length: TXS_PER_BLOCK }, (_, i) => {
    const who = i % SENDERS;
    const nonce = next[who]!;
    next[who] = nonce + 1;
    // 100k distinct keys: blocks mostly insert, sometimes overwrite.
    const key = enc.encode(`patient/${(h * 7919 + i * 104729) % 100_000}/consent`);
    const value = enc.encode(`grant:${h}:${i}:`.padEnd(64, 'x'));
    return createSignedTx(
      {
        chainId: 'bench',
        sender: senders[who]!,
        nonce,
        gasLimit: 1_000_000,
        contract: 'kv',
        method: 'put',
        args: [key, value],
      },
      sig,
    );
  });
}

async function benchCommit(dir: string): Promise<void> {
  const store = await ChainStore.open(dir);
  const exec = createExecutor({ contracts: { kv: createKvContract() } });
  const t = {
    exec: [] as number[],
    stage: [] as number[],
    write: [] as number[],
    total: [] as number[],
    cpu: [] as number[],
  };
  const keysPerBlock: number[] = [];
  for (let h = 1; h <= BLOCKS; h++) {
    const txs = blockTxs(store.state, h);
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
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const view = new JournaledState(store.state);
    const { receipts } = exec.executeBlock(
      { height: h, time: h, proposer: proposer.publicKey, chainId: 'bench' },
      txs,
      view,
    );
    const t1 = performance.now();
    const staged = store.state.stage(view.writes());
    const t2 = performance.now();
    await store.commitBlock({ block, receipts, staged, appliedIndex: h });
    const t3 = performance.now();
    const c = process.cpuUsage(c0);
    // block, hash index, root, receipts, 4 meta + tx index + state writes
    keysPerBlock.push(8 + txs.length + staged.writes.length);
    if (h > 5) {
      t.exec.push(t1 - t0);
      t.stage.push(t2 - t1);
      t.write.push(t3 - t2);
      t.total.push(t3 - t0);
      t.cpu.push((c.user + c.system) / 1000);
    }
  }
  const keys = median(keysPerBlock);
  console.log(`commitBlock, ${TXS_PER_BLOCK}-tx kv blocks (${BLOCKS} blocks, medians after 5 warm-up):`);
  console.log(
    `  execute ${median(t.exec).toFixed(2)} ms | stage (state root) ${median(t.stage).toFixed(2)} ms | batch write ${median(t.write).toFixed(2)} ms | total ${median(t.total).toFixed(2)} ms`,
  );
  console.log(
    `  ${fmt(1000 / median(t.total))} blocks/s = ${fmt((1000 * TXS_PER_BLOCK) / median(t.total))} tx/s end to end`,
  );
  console.log(
    `  batch write alone: ${fmt(1000 / median(t.write))} blocks/s, ${fmt((1000 * keys) / median(t.write))} keys/s (${keys} keys/block)`,
  );
  console.log(
    `  process CPU per block ${median(t.cpu).toFixed(2)} ms (all threads, LevelDB's included) = ${fmt((1000 * TXS_PER_BLOCK) / median(t.cpu))} tx per CPU-second`,
  );
  console.log(`  state: ${fmt(store.state.size)} keys after ${BLOCKS} blocks`);
  await store.close();

  for (const verifyStateOnOpen of [true, false]) {
    const o0 = performance.now();
    const c0 = process.cpuUsage();
    const again = await ChainStore.open(dir, { verifyStateOnOpen });
    const c = process.cpuUsage(c0);
    const wall = performance.now() - o0;
    const cpu = (c.user + c.system) / 1000;
    const what = verifyStateOnOpen ? 'load + recompute root' : 'load, trust stored accumulator';
    const n = again.state.size;
    console.log(
      `open (${what}, ${fmt(n)} keys): ${wall.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU = ${((1000 * cpu) / n).toFixed(1)} us CPU/key`,
    );
    await again.close();
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
const used = (): number => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

function benchMemory(): void {
  const entries = Array.from(
    { length: 100_000 },
    (_, i) => [enc.encode(`patient/${i}/consent`), enc.encode(`grant:${i}:`.padEnd(64, 'x'))] as const,
  );
  // Entries stay alive across both measurements, so the difference is the WorldState alone; a
  // throw-away build first lets the heap settle (the first figure is otherwise too low).
  const keep: WorldState[] = [WorldState.fromEntries(entries)];
  const deltas: number[] = [];
  for (let r = 0; r < 3; r++) {
    const before = used();
    keep.push(WorldState.fromEntries(entries));
    deltas.push(used() - before);
  }
  const w = keep[0]!;
  const raw = entries.reduce((n, [k, v]) => n + k.length + v.length, 0) / entries.length;
  console.log(
    `memory: WorldState of ${fmt(w.size)} keys: ${(median(deltas) / w.size).toFixed(0)} B/key for ${raw.toFixed(0)} B of key+value${gc ? '' : ' (run with --expose-gc for a stable figure)'}`,
  );
}

async function benchRaft(dir: string): Promise<void> {
  const { openDb } = await import('../../node/store/db.js');
  const { RaftLogStore } = await import('../../node/store/raft-log.js');
  const db = await openDb(join(dir, 'raft'));
  const data = new Uint8Array(110_000).fill(1); // about a 500-tx block
  for (const sync of [true, false]) {
    const log = new RaftLogStore(db, { sync });
    await log.load();
    const ts: number[] = [];
    let i = log.storage.lastIndex();
    for (let r = 0; r < 40; r++) {
      i++;
      const t0 = performance.now();
      await log.persist({
        entries: [{ index: i, term: 1, type: 0, data }],
        hardState: { term: 1, vote: 'a', commit: i },
      });
      ts.push(performance.now() - t0);
    }
    console.log(`raft persist of one 110 kB entry + hard state, sync=${sync}: ${median(ts).toFixed(2)} ms`);
  }
  await db.level.close();
}

function benchRoot(): void {
  console.log('state-root update cost per write (WorldState.stage, 64-byte values, CPU time):');
  for (const size of [1_000, 100_000]) {
    const w = new WorldState();
    const init: StateWrite[] = [];
    for (let i = 0; i < size; i++)
      init.push({ key: enc.encode(`key-${i}`), value: enc.encode(`v${i}`.padEnd(64, '.')) });
    w.apply(init);
    const samples = { insert: [] as number[], update: [] as number[] };
    for (let r = 0; r < 15; r++) {
      const ins: StateWrite[] = [];
      const upd: StateWrite[] = [];
      for (let i = 0; i < 1000; i++) {
        ins.push({ key: enc.encode(`new-${r}-${i}`), value: enc.encode(`n${i}`.padEnd(64, '.')) });
        upd.push({
          key: enc.encode(`key-${(r * 1000 + i) % size}`),
          value: enc.encode(`u${r}-${i}`.padEnd(64, '.')),
        });
      }
      // CPU time of this thread, not wall time: stable when the machine is shared.
      let c0 = process.cpuUsage();
      w.stage(ins);
      let c = process.cpuUsage(c0);
      samples.insert.push((c.user + c.system) / 1000 / 1000);
      c0 = process.cpuUsage();
      w.stage(upd);
      c = process.cpuUsage(c0);
      samples.update.push((c.user + c.system) / 1000 / 1000);
    }
    console.log(
      `  state of ${fmt(size)} keys: insert ${(median(samples.insert) * 1000).toFixed(1)} us/write, update ${(median(samples.update) * 1000).toFixed(1)} us/write`,
    );
  }
}

const dir = await mkdtemp(join(tmpdir(), 'ehrchain-bench-'));
try {
  benchRoot();
  benchMemory();
  await benchRaft(dir);
  await benchCommit(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
