import { afterEach, describe, expect, it } from 'vitest';
import { contractPrefix, prefixed } from '../../../node/state/keys.js';
import { stateRootOf } from '../../../node/state/lthash.js';
import { ChainStore } from '../../../node/store/chain-store.js';
import { BlockKey, type Db, taggedU64 } from '../../../node/store/db.js';
import { StoreError } from '../../../node/store/errors.js';
import { encodeBlock } from '../../../protocol/chain/block.js';
import { hex, put, u } from '../state/helpers.js';
import { applyBlock, kvExecutor, kvTxs, prepareBlock, tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fresh(): Promise<{ dir: string; store: ChainStore }> {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store = await ChainStore.open(dir);
  cleanups.push(() => store.close());
  return { dir, store };
}

const kvKey = (k: string) => prefixed(contractPrefix('kv'), u(k));

describe('ChainStore: commitBlock and getters', () => {
  it('commits blocks and reads them back by height, hash, range; txs with receipts', async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    expect(store.latestHeight()).toBe(0);
    const b1 = await applyBlock(
      store,
      exec,
      [put(1, 0, 'a', '1'), put(1, 0, 'dup', 'x'), put(2, 0, 'b', '2')],
      3,
    );
    const b2 = await applyBlock(store, exec, [put(1, 1, 'a', '3')], 4);
    expect(store.latestHeight()).toBe(2);
    expect(store.appliedIndex()).toBe(4);
    expect(store.lastBlockHash()).toEqual(b2.hash);
    expect((await store.getBlock(1))?.hash).toEqual(b1.hash);
    expect((await store.getBlock(1))?.txs.map((t) => hex(t.hash))).toEqual(b1.txs.map((t) => hex(t.hash)));
    expect((await store.getBlockByHash(b2.hash))?.header.height).toBe(2);
    expect(await store.getBlock(3)).toBeUndefined();
    expect(await store.getBlock(0)).toBeUndefined();
    expect(await store.getBlockByHash(new Uint8Array(32))).toBeUndefined();
    expect((await store.getBlocks(1, 10)).map((b) => b.header.height)).toEqual([1, 2]);
    expect((await store.getBlocks(2, 10)).map((b) => b.header.height)).toEqual([2]);
    expect(await store.getBlocks(1, 0)).toEqual([]);

    const t = await store.getTx(b1.txs[2]!.hash);
    expect(t).toMatchObject({ height: 1, index: 2, receipt: { status: 'ok', index: 2, height: 1 } });
    // The bad-nonce tx has a receipt in its block but no tx-index entry.
    expect((await store.getReceipts(1))?.[1]?.error).toBe('nonce_too_low');
    expect(await store.getTx(b1.txs[1]!.hash)).toBeUndefined();
    expect(await store.getTx(new Uint8Array(32))).toBeUndefined();
    expect(store.state.get(kvKey('a'))).toEqual(u('3'));
    expect(await store.getStateRoot(1)).toEqual(b2.header.stateRoot);
    expect(await store.getStateRoot(2)).toEqual(store.stateRoot());
  });

  it("the by-height row holds the caller's encoded bytes, or the block encoded when their length is off", async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    const row = (h: number) =>
      (store as unknown as { db: Db }).db.blocks.get(taggedU64(BlockKey.ByHeight, h));
    const p1 = prepareBlock(store, exec, kvTxs(store, 5, 1));
    const enc1 = encodeBlock(p1.block);
    await store.commitBlock({ ...p1, appliedIndex: 1, encoded: enc1.slice() });
    expect(hex((await row(1))!)).toBe(hex(enc1));
    const p2 = prepareBlock(store, exec, kvTxs(store, 3, 2));
    await store.commitBlock({ ...p2, appliedIndex: 2, encoded: new Uint8Array(7) });
    expect(hex((await row(2))!)).toBe(hex(encodeBlock(p2.block)));
    expect(await store.getTx(p2.block.txs[2]!.hash)).toMatchObject({ height: 2, index: 2 });
  });

  it('a replayed tx (nonce too low) does not overwrite the original tx index', async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    const t = put(1, 0, 'a', '1');
    await applyBlock(store, exec, [t]);
    await applyBlock(store, exec, [t]);
    expect(await store.getTx(t.hash)).toMatchObject({ height: 1, index: 0, receipt: { status: 'ok' } });
  });

  it('refuses out-of-order heights, stale applied index, wrong parent, stale staging, receipt mismatch', async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    await applyBlock(store, exec, [put(1, 0, 'a', '1')], 5);
    const p = prepareBlock(store, exec, [put(1, 1, 'a', '2')]);
    const code = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (e) {
        expect(e).toBeInstanceOf(StoreError);
        return (e as StoreError).code;
      }
      return 'no error';
    };
    expect(await code(() => store.commitBlock({ ...p, appliedIndex: 5 }))).toBe('bad_applied_index');
    expect(await code(() => store.commitBlock({ ...p, receipts: [], appliedIndex: 6 }))).toBe('bad_receipts');
    const header = { ...p.block.header, height: 3 };
    expect(
      await code(() => store.commitBlock({ ...p, block: { ...p.block, header }, appliedIndex: 6 })),
    ).toBe('bad_height');
    const orphan = { ...p.block.header, parentHash: new Uint8Array(32) };
    expect(
      await code(() => store.commitBlock({ ...p, block: { ...p.block, header: orphan }, appliedIndex: 6 })),
    ).toBe('bad_parent');
    const other = prepareBlock(store, exec, [put(2, 0, 'z', 'z')]);
    await store.commitBlock({ ...other, appliedIndex: 6 });
    expect(await code(() => store.commitBlock({ ...p, appliedIndex: 7 }))).toBe('bad_height');
    await store.close();
    expect(await code(() => store.getBlock(1))).toBe('not_open');
  });

  it('writes run one at a time in call order', async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    const p = prepareBlock(store, exec, [put(1, 0, 'a', '1')]);
    const first = store.commitBlock({ ...p, appliedIndex: 1 });
    // Validated only after the first write landed: applied 2 > 1, not a bad_applied_index.
    const second = store.markApplied(2);
    // Queued behind the first; staged against the state before it, so refused as stale.
    const stale = store.commitBlock({ ...prepareBlock(store, exec, [put(2, 0, 'b', '2')]), appliedIndex: 3 });
    await first;
    await second;
    await expect(stale).rejects.toMatchObject({ code: 'bad_height' });
    expect(store.latestHeight()).toBe(1);
    expect(store.appliedIndex()).toBe(2);
  });

  it('reopens with the same heights, roots, state and blocks', async () => {
    const { dir, store } = await fresh();
    const exec = kvExecutor();
    for (let i = 0; i < 5; i++) await applyBlock(store, exec, kvTxs(store, 20, i));
    await store.markApplied(7, { voters: ['a', 'b'], learners: [] });
    const root = hex(store.stateRoot());
    const size = store.state.size;
    await store.close();
    const again = await ChainStore.open(dir);
    cleanups.push(() => again.close());
    expect(again.latestHeight()).toBe(5);
    expect(again.appliedIndex()).toBe(7);
    expect(again.appliedConf()).toEqual({ voters: ['a', 'b'], learners: [] });
    expect(hex(again.stateRoot())).toBe(root);
    expect(again.state.size).toBe(size);
    expect(hex(again.state.recomputeRoot())).toBe(root);
    expect((await again.getBlock(5))?.hash).toEqual(again.lastBlockHash());
    await again.close();
    // Trusting the stored accumulator instead of recomputing gives the same root.
    const trusted = await ChainStore.open(dir, { verifyStateOnOpen: false });
    cleanups.push(() => trusted.close());
    expect(hex(trusted.stateRoot())).toBe(root);
    await applyBlock(trusted, exec, kvTxs(trusted, 5, 9));
    expect(hex(trusted.stateRoot())).toBe(hex(trusted.state.recomputeRoot()));
  });

  it('atomicity: a block whose batch never ran leaves the store exactly as before', async () => {
    const { dir, store } = await fresh();
    const exec = kvExecutor();
    await applyBlock(store, exec, [put(1, 0, 'a', '1')]);
    const root = hex(store.stateRoot());
    // Build the next block (executed, staged, encoded) but "crash" before its batch is written.
    const p = prepareBlock(store, exec, [put(1, 1, 'a', '2'), put(1, 2, 'b', '3')]);
    expect(hex(p.staged.root)).not.toBe(root);
    await store.close();
    const again = await ChainStore.open(dir);
    cleanups.push(() => again.close());
    expect(again.latestHeight()).toBe(1);
    expect(hex(again.stateRoot())).toBe(root);
    expect(again.state.get(kvKey('b'))).toBeUndefined();
    expect(await again.getBlock(2)).toBeUndefined();
    expect(await again.getTx(p.block.txs[0]!.hash)).toBeUndefined();
  });

  it('refuses to open a state that does not hash to the root in meta', async () => {
    const { dir, store } = await fresh();
    await applyBlock(store, kvExecutor(), [put(1, 0, 'a', '1')]);
    await store.close();
    const { openDb } = await import('../../../node/store/db.js');
    const db = await openDb(dir);
    await db.state.put(kvKey('a'), u('tampered'));
    await db.level.close();
    await expect(ChainStore.open(dir)).rejects.toMatchObject({ code: 'state_root_mismatch' });
  });

  it('genesis: written once, same hash is a no-op, another hash is refused', async () => {
    const { store } = await fresh();
    const gh = new Uint8Array(32).fill(1);
    const root = await store.initGenesis(gh, [{ key: kvKey('g'), value: u('1') }]);
    expect(root).toEqual(stateRootOf([[kvKey('g'), u('1')]]));
    expect(await store.initGenesis(gh, [])).toEqual(root);
    await expect(store.initGenesis(new Uint8Array(32), [])).rejects.toMatchObject({
      code: 'genesis_mismatch',
    });
    expect(await store.getStateRoot(0)).toEqual(root);
  });
});

describe('ChainStore: state snapshots', () => {
  it('create -> restore on a fresh db gives the identical state root, height and next parent', async () => {
    const { store } = await fresh();
    const exec = kvExecutor();
    await store.initGenesis(new Uint8Array(32).fill(5), [{ key: kvKey('g'), value: u('genesis') }]);
    for (let i = 0; i < 4; i++) await applyBlock(store, exec, kvTxs(store, 30, i), 10 + i);
    const snap = store.createStateSnapshot();

    const { dir: dir2, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const other = await ChainStore.open(dir2);
    const meta = await other.restoreStateSnapshot(snap, store.stateRoot());
    expect(meta.height).toBe(4);
    expect(hex(other.stateRoot())).toBe(hex(store.stateRoot()));
    expect(other.latestHeight()).toBe(4);
    expect(other.appliedIndex()).toBe(13);
    expect(other.baseHeight()).toBe(5);
    expect(other.genesisHash()).toEqual(store.genesisHash());
    expect(await other.getBlock(4)).toBeUndefined();
    // Both continue identically from there.
    const txs = kvTxs(store, 10, 99);
    const a = await applyBlock(store, exec, txs, 14);
    const b = await applyBlock(other, exec, txs, 14);
    expect(hex(a.header.parentHash)).toBe(hex(b.header.parentHash));
    expect(hex(other.stateRoot())).toBe(hex(store.stateRoot()));
    await other.close();
    const reopened = await ChainStore.open(dir2);
    expect(hex(reopened.stateRoot())).toBe(hex(store.stateRoot()));
    await reopened.close();
  });

  it('refuses a tampered, truncated, stale or unexpected snapshot, leaving state untouched', async () => {
    const { store } = await fresh();
    await applyBlock(store, kvExecutor(), [put(1, 0, 'secret', 'value-123')], 2);
    const snap = store.createStateSnapshot();
    const { dir: dir2, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const other = await ChainStore.open(dir2);
    cleanups.push(() => other.close());
    const tampered = snap.slice();
    const at = Buffer.from(snap).indexOf('value-123');
    tampered[at] = 'V'.charCodeAt(0);
    await expect(other.restoreStateSnapshot(tampered)).rejects.toMatchObject({
      code: 'snapshot_root_mismatch',
    });
    await expect(other.restoreStateSnapshot(snap.subarray(0, snap.length - 1))).rejects.toMatchObject({
      code: 'snapshot_malformed',
    });
    const badMagic = snap.slice();
    badMagic[0] = 0;
    await expect(other.restoreStateSnapshot(badMagic)).rejects.toMatchObject({ code: 'snapshot_malformed' });
    await expect(other.restoreStateSnapshot(snap, new Uint8Array(32))).rejects.toMatchObject({
      code: 'snapshot_root_mismatch',
    });
    expect(other.state.size).toBe(0);
    expect(other.latestHeight()).toBe(0);
    await other.restoreStateSnapshot(snap);
    await expect(other.restoreStateSnapshot(snap)).rejects.toMatchObject({ code: 'snapshot_stale' });
  });

  it('finishes a snapshot install interrupted between the raft persist and the state restore', async () => {
    const { store } = await fresh();
    await applyBlock(store, kvExecutor(), [put(1, 0, 'a', '1')], 8);
    const data = store.createStateSnapshot();
    const { dir: dir2, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const other = await ChainStore.open(dir2);
    await other.raft.persist({
      snapshot: { meta: { index: 8, term: 1, conf: { voters: ['x'], learners: [] } }, data },
      entries: [],
    });
    await other.close(); // "crash" before restoreStateSnapshot
    const again = await ChainStore.open(dir2);
    expect(again.appliedIndex()).toBe(8);
    expect(hex(again.stateRoot())).toBe(hex(store.stateRoot()));
    expect(again.raft.storage.firstIndex()).toBe(9);
    await again.close();
  });
});
