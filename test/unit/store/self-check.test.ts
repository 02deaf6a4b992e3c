/**
 * What the store's checks on open catch that LevelDB does not (node/store/self-check.ts): each row
 * damages a closed store the way a dropped or torn LevelDB log would, and the open must refuse it
 * with `corrupt`; an undamaged store opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChainStore } from '../../../node/store/chain-store.js';
import { BlockKey, type Db, openDb, taggedU64 } from '../../../node/store/db.js';
import { put } from '../state/helpers.js';
import { applyBlock, kvExecutor, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A closed store with blocks 1..3 applied. */
async function storeWithBlocks(): Promise<string> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  const exec = kvExecutor();
  for (let h = 1; h <= 3; h++) await applyBlock(store, exec, [put(h, 0, `k${h}`, `v${h}`)]);
  await store.close();
  return dir;
}

const damages: [string, (db: Db) => Promise<void>, RegExp][] = [
  ['the latest block is gone', (db) => db.blocks.del(taggedU64(BlockKey.ByHeight, 3)), /block 3/],
  ['a block in the middle is gone', (db) => db.blocks.del(taggedU64(BlockKey.ByHeight, 2)), /missing/],
  [
    "the latest height's stored root differs",
    (db) => db.blocks.put(taggedU64(BlockKey.Root, 3), new Uint8Array(32).fill(7)),
    /stored root of height 3/,
  ],
];

describe('checks on open', () => {
  it('open an undamaged store', async () => {
    const dir = await storeWithBlocks();
    const store = await ChainStore.open(dir, { scanOnOpen: true });
    expect(store.latestHeight()).toBe(3);
    await store.close();
  });

  it.each(damages)('refuse a store where %s', async (_name, damage, says) => {
    const dir = await storeWithBlocks();
    const db = await openDb(dir);
    await damage(db);
    db.guard.close();
    await db.level.close();
    const opened = ChainStore.open(dir, { scanOnOpen: true });
    await expect(opened).rejects.toMatchObject({ code: 'corrupt' });
    await expect(ChainStore.open(dir, { scanOnOpen: true })).rejects.toThrow(says);
  });
});
