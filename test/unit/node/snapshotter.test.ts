/**
 * Snapshots and compaction (node/raft/snapshotter.ts) over a real ChainStore in a temp dir: each
 * Raft entry carries a committed kv block, and the snapshotter is told as they are applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfState, Entry } from '../../../consensus/types.js';
import { Snapshotter, type SnapshotterOptions } from '../../../node/raft/snapshotter.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { applyBlock, kvExecutor, kvTxs, tempDir } from '../store/helpers.js';
import { log } from './fixtures.js';

const conf: ConfState = { voters: ['a'], learners: [] };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function openStore(): Promise<ChainStore> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  cleanups.push(() => store.close());
  await store.raft.bootstrap(conf);
  return store;
}

const exec = kvExecutor();

/** Appends Raft entry `index` of `bytes` bytes and commits a block as its application. */
async function applyEntry(store: ChainStore, index: number, bytes: number): Promise<Entry> {
  const entry: Entry = { index, term: 1, type: 0, data: new Uint8Array(bytes).fill(index) };
  await store.raft.persist({ entries: [entry], hardState: { term: 1, vote: 'a', commit: index } });
  await applyBlock(store, exec, kvTxs(store, 2, index), index);
  return entry;
}

function snapshotter(store: ChainStore, opts: Partial<SnapshotterOptions> = {}): Snapshotter {
  return new Snapshotter(
    { snapshotEvery: 4, snapshotBytes: 1 << 20, keepEntries: 2, keepBytes: 1 << 20, ...opts },
    { store, conf: () => conf, appliedHeight: () => store.latestHeight(), log },
  );
}

/** Applies entries from..to, telling the snapshotter of each; returns the snapshot index after each. */
async function run(store: ChainStore, s: Snapshotter, from: number, to: number, bytes = 10) {
  const after: number[] = [];
  for (let i = from; i <= to; i++) {
    s.onApplying([await applyEntry(store, i, bytes)]);
    await s.maybeSnapshot();
    after.push(store.raft.storage.snapshot().meta.index);
  }
  return after;
}

describe('Snapshotter', () => {
  it('snapshots every snapshotEvery applied entries, at the applied index', async () => {
    const store = await openStore();
    const s = snapshotter(store);
    expect(await run(store, s, 1, 9)).toEqual([0, 0, 0, 4, 4, 4, 4, 8, 8]);
    const snap = store.raft.storage.snapshot();
    expect(snap.meta.conf).toEqual(conf);
    expect(snap.data.length).toBeGreaterThan(0);
  });

  it('snapshots once snapshotBytes of entries were applied, before snapshotEvery', async () => {
    const store = await openStore();
    const s = snapshotter(store, { snapshotEvery: 100, snapshotBytes: 1000 });
    expect(await run(store, s, 1, 5, 400)).toEqual([0, 0, 3, 3, 3]);
  });

  it('compacts the log below the snapshot, keeping keepEntries for lagging followers', async () => {
    const store = await openStore();
    const s = snapshotter(store);
    await run(store, s, 1, 4);
    expect(store.raft.storage.firstIndex()).toBe(3);
    expect(store.raft.storage.lastIndex()).toBe(4);
  });

  it('on restart counts the bytes of applied entries still in the log', async () => {
    const store = await openStore();
    for (let i = 1; i <= 3; i++) await applyEntry(store, i, 400);
    const s = snapshotter(store, { snapshotEvery: 100, snapshotBytes: 1000 });
    await s.maybeSnapshot();
    expect(store.raft.storage.snapshot().meta.index).toBe(3);
  });

  it('counts again from a snapshot restored from the leader', async () => {
    const store = await openStore();
    const s = snapshotter(store, { snapshotEvery: 100, snapshotBytes: 1000 });
    await run(store, s, 1, 2, 400);
    s.onRestored(2);
    expect(await run(store, s, 3, 5, 400)).toEqual([0, 0, 5]);
  });
});
