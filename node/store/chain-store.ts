/**
 * The node's store: one LevelDB holding the Raft log, blocks, tx index, receipts, world state and
 * meta. The world state is also held whole in memory (WorldState) and mirrors the `state` sublevel
 * exactly. Every applied block lands in ONE atomic batch together with the Raft applied index, so a
 * process killed at any instant restarts at a block boundary and re-applies exactly the committed
 * entries above it. Writes are serialised in call order; reads never wait.
 */

import type { Writable } from 'node:stream';
import type { ConfState } from '../../consensus/types.js';
import type { BlockLimits } from '../../protocol/chain/block.js';
import { blockSize, defaultBlockLimits, encodeBlock } from '../../protocol/chain/block.js';
import type { Block, Receipt } from '../../protocol/chain/types.js';
import { NON_CONSUMING_CODES } from '../state/executor.js';
import { bytesEqual } from '../state/keys.js';
import { LtHash } from '../state/lthash.js';
import type { StateWrite } from '../state/view.js';
import type { StagedState } from '../state/world.js';
import { WorldState } from '../state/world.js';
import { type BackupSummary, writeBackup } from './backup.js';
import { decodeConfState, encodeConfState, encodeReceipts, readU64Key, u64Key } from './codec.js';
import type { Db } from './db.js';
import { Batch, BlockKey, MetaKey, metaKey, openDb, readRange, taggedBytes, taggedU64 } from './db.js';
import { StoreError, StoreErrorCode } from './errors.js';
import type { DiskGuardOptions, DiskState } from './health.js';
import { checkLayout, corruptError, scanAll } from './integrity.js';
import { RaftLogStore } from './raft-log.js';
import type { TxLocation } from './reads.js';
import * as reads from './reads.js';
import { checkStoredTip } from './self-check.js';
import type { StateSnapshotMeta } from './snapshot.js';
import { decodeStateSnapshot, encodeStateSnapshot } from './snapshot.js';

/** Options of the chain store. */
export interface ChainStoreOptions {
  /** fsync each applied block. Not needed for safety (see docs/state.md); default false. */
  readonly syncBlocks: boolean;
  /** fsync each Raft persist; default true. */
  readonly syncRaft: boolean;
  /**
   * Recompute the state root from every entry on open and refuse a state that does not match meta
   * (default true). When false, the accumulator stored in meta is trusted: open is then I/O-bound.
   */
  readonly verifyStateOnOpen: boolean;
  /** Limits passed to decodeBlock when reading blocks back. */
  readonly blockLimits: BlockLimits;
  /** Read every stored entry once on open, so a damaged table file is found before running (integrity.ts). */
  readonly scanOnOpen: boolean;
  /** How writes wait out a full disk (health.ts). */
  readonly disk: Partial<DiskGuardOptions>;
}

const defaultChainStoreOptions: ChainStoreOptions = {
  syncBlocks: false,
  syncRaft: true,
  verifyStateOnOpen: true,
  blockLimits: defaultBlockLimits,
  scanOnOpen: false,
  disk: {},
};

/** What `commitBlock` writes. */
export interface CommitBlockInput {
  readonly block: Block;
  /** One receipt per tx, in block order. */
  readonly receipts: readonly Receipt[];
  /** The block's state writes and resulting root, from `store.state.stage(writes)`. */
  readonly staged: StagedState;
  /** Raft index of the entry that carried the block. */
  readonly appliedIndex: number;
  /**
   * Optional: `encodeBlock(block)`, when the caller holds those bytes already (the Raft entry the
   * block was decoded from: decoding is canonical, so they are the same bytes), so the block is not
   * encoded again for its by-height row. Bytes of another length are ignored and the block encoded.
   */
  readonly encoded?: Uint8Array;
}

const ZERO_HASH = new Uint8Array(32);

/** The block's canonical bytes: `encoded` when it has the encoding's length, else encoded now. */
function blockBytes(block: Block, encoded: Uint8Array | undefined): Uint8Array {
  return encoded !== undefined && encoded.length === blockSize(block) ? encoded : encodeBlock(block);
}

/** The node's persistent store. Create with `ChainStore.open`. */
export class ChainStore {
  private open_ = true;
  private queue: Promise<void> = Promise.resolve();
  private height = 0;
  private applied = 0;
  private base = 1;
  private lastHash: Uint8Array = ZERO_HASH;
  private genesis: Uint8Array | undefined;
  private conf: ConfState | undefined;

  private constructor(
    private readonly db: Db,
    /** The Raft log: hand `raft.storage` to the Raft core, call `raft.persist(ready)`. */
    readonly raft: RaftLogStore,
    /** The world state in memory, equal to the `state` sublevel. Read it; write only via commits. */
    readonly state: WorldState,
    private readonly opts: ChainStoreOptions,
  ) {}

  /** Opens (or creates) the store in `dir`, loads state and Raft log, and recovers if needed. */
  static async open(dir: string, options: Partial<ChainStoreOptions> = {}): Promise<ChainStore> {
    const opts = { ...defaultChainStoreOptions, ...options };
    await checkLayout(dir);
    const db = await openDb(dir, opts.disk);
    try {
      if (opts.scanOnOpen) await scanAll(dir, db.level);
      const entries = await readRange(db.state);
      const acc = opts.verifyStateOnOpen ? undefined : await db.meta.get(metaKey(MetaKey.LtHash));
      const world = WorldState.fromEntries(entries, acc === undefined ? undefined : LtHash.fromBytes(acc));
      const store = new ChainStore(db, new RaftLogStore(db, { sync: opts.syncRaft }), world, opts);
      await store.loadMeta();
      await checkStoredTip(dir, db, store.tipForCheck(), opts.scanOnOpen);
      await store.raft.load(store.applied);
      const snap = store.raft.storage.snapshot();
      if (snap.meta.index > store.applied && snap.data.length > 0) {
        // Crashed between persisting a Raft snapshot and restoring state from it: finish the job.
        await store.restoreStateSnapshot(snap.data);
      }
      return store;
    } catch (e) {
      db.guard.close();
      await db.level.close();
      // LevelDB's own read errors (a damaged block) become `corrupt` with the way out.
      throw e instanceof StoreError ? e : corruptError(dir, 'the store cannot be read', e);
    }
  }

  private tipForCheck() {
    return { height: this.height, base: this.base, root: this.state.root(), lastHash: this.lastHash };
  }

  /** Whether writes are paused by a full disk, the free bytes last sampled, and why (health.ts). */
  diskState(): DiskState {
    return this.db.guard.state();
  }

  /** Calls `f` whenever the disk fills or has room again; returns the unsubscribe function. */
  onDiskState(f: (s: DiskState) => void): () => void {
    return this.db.guard.onChange(f);
  }

  /** Streams a consistent backup of the whole store to `out` while writes go on (backup.ts). */
  backup(out: Writable): Promise<BackupSummary> {
    this.check();
    return writeBackup(this.db.level, out);
  }

  /** Fails the writes that wait for disk space (a node that stops must not wait for the disk). */
  interruptWrites(): void {
    this.db.guard.close();
  }

  private async loadMeta(): Promise<void> {
    const names = [
      MetaKey.Height,
      MetaKey.Applied,
      MetaKey.Root,
      MetaKey.LastHash,
      MetaKey.Genesis,
      MetaKey.Base,
      MetaKey.Conf,
    ];
    const [h, a, root, last, gen, base, conf] = await this.db.meta.getMany(names.map(metaKey));
    this.height = h === undefined ? 0 : readU64Key(h);
    this.applied = a === undefined ? 0 : readU64Key(a);
    this.lastHash = last ?? ZERO_HASH;
    this.genesis = gen;
    this.base = base === undefined ? 1 : readU64Key(base);
    this.conf = conf === undefined ? undefined : decodeConfState(conf);
    // Against the recomputed root, or (verifyStateOnOpen false) at least the stored accumulator.
    const expected = root ?? new WorldState().root();
    if (!bytesEqual(this.state.root(), expected)) {
      const msg = 'state on disk does not hash to the root in meta';
      throw new StoreError(StoreErrorCode.StateRootMismatch, msg, { height: this.height });
    }
  }

  private check(): void {
    if (!this.open_) throw new StoreError(StoreErrorCode.NotOpen, 'store is closed');
  }

  // Writes run one at a time, in call order: each validates against in-memory meta that only
  // the previous write's completion brings up to date.
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      this.check();
      return f();
    });
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Closes the database once the running writes are done (queued chain writes fail `not_open`, as do
   * later calls; queued Raft writes complete first).
   */
  async close(): Promise<void> {
    if (!this.open_) return;
    this.open_ = false;
    this.db.guard.close();
    await this.queue;
    await this.raft.idle();
    await this.db.level.close();
  }

  /** Height of the last applied block (0 = genesis state). */
  latestHeight(): number {
    return this.height;
  }
  /** Raft index of the last applied entry. */
  appliedIndex(): number {
    return this.applied;
  }
  /** State root after `latestHeight()`. */
  stateRoot(): Uint8Array {
    return this.state.root();
  }
  /** Hash of the last applied block (zeros before the first). */
  lastBlockHash(): Uint8Array {
    return this.lastHash;
  }
  /** The genesis hash recorded by `initGenesis`, if any. */
  genesisHash(): Uint8Array | undefined {
    return this.genesis;
  }
  /** Lowest height from which every block up to the latest is stored (above 1 after a snapshot restore). */
  baseHeight(): number {
    return this.base;
  }
  /** Membership last recorded with `markApplied`, if any. */
  appliedConf(): ConfState | undefined {
    return this.conf;
  }

  private putMeta(batch: Batch, name: (typeof MetaKey)[keyof typeof MetaKey], v: Uint8Array): void {
    batch.put(metaKey(name), v, { sublevel: this.db.meta });
  }

  private putStateWrites(batch: Batch, writes: readonly StateWrite[]): void {
    for (const w of writes) {
      if (w.value === null) batch.del(w.key, { sublevel: this.db.state });
      else batch.put(w.key, w.value, { sublevel: this.db.state });
    }
  }

  /**
   * Writes the genesis state (height 0) on a fresh store and records the genesis hash. On a store
   * that already has this genesis it does nothing; another genesis is `genesis_mismatch`.
   */
  async initGenesis(genesisHash: Uint8Array, writes: readonly StateWrite[]): Promise<Uint8Array> {
    return this.exclusive(async () => {
      if (this.genesis !== undefined) {
        if (bytesEqual(this.genesis, genesisHash)) return this.state.root();
        throw new StoreError(StoreErrorCode.GenesisMismatch, 'store holds another chain');
      }
      if (this.height !== 0 || this.applied !== 0 || this.state.size !== 0) {
        throw new StoreError(
          StoreErrorCode.GenesisMismatch,
          'genesis on a store that already applied blocks',
        );
      }
      const staged = this.state.stage(writes);
      const batch = new Batch(this.db);
      this.putStateWrites(batch, staged.writes);
      batch.put(taggedU64(BlockKey.Root, 0), staged.root, { sublevel: this.db.blocks });
      this.putMeta(batch, MetaKey.Genesis, genesisHash);
      this.putMeta(batch, MetaKey.Root, staged.root);
      this.putMeta(batch, MetaKey.LtHash, staged.hash.bytes());
      this.putMeta(batch, MetaKey.Height, u64Key(0));
      await batch.write({ sync: true });
      this.state.applyStaged(staged);
      this.genesis = genesisHash.slice();
      return staged.root;
    });
  }

  /**
   * Applies a block durably: block, hash index, tx index, receipts, state writes, state root and the
   * Raft applied index, all in one atomic batch; then updates the in-memory state.
   * Txs refused without effect (bad nonce, wrong chain) keep their receipt but are not indexed by
   * hash, so a replayed tx never hides the original.
   */
  async commitBlock(input: CommitBlockInput): Promise<void> {
    return this.exclusive(async () => {
      const { block, receipts, staged, appliedIndex } = input;
      const h = block.header.height;
      if (h !== this.height + 1) {
        throw new StoreError(StoreErrorCode.BadHeight, `block ${h} after ${this.height}`, { height: h });
      }
      if (appliedIndex <= this.applied) {
        throw new StoreError(
          StoreErrorCode.BadAppliedIndex,
          `applied index ${appliedIndex} after ${this.applied}`,
        );
      }
      if (!bytesEqual(block.header.parentHash, this.lastHash)) {
        throw new StoreError(StoreErrorCode.BadParent, `block ${h} does not extend the last block`);
      }
      if (receipts.length !== block.txs.length) {
        throw new StoreError(
          StoreErrorCode.BadReceipts,
          `${receipts.length} receipts for ${block.txs.length} txs`,
        );
      }
      if (!this.state.isCurrent(staged))
        throw new StoreError(StoreErrorCode.StaleStage, 'staged against another state');

      const batch = new Batch(this.db);
      const blocks = this.db.blocks;
      batch.put(taggedU64(BlockKey.ByHeight, h), blockBytes(block, input.encoded), { sublevel: blocks });
      batch.put(taggedBytes(BlockKey.ByHash, block.hash), u64Key(h), { sublevel: blocks });
      batch.put(taggedU64(BlockKey.Root, h), staged.root, { sublevel: blocks });
      const txs = this.db.txs;
      // Each tx index value is u64be(height) ‖ u32be(index), written into one scratch array: the
      // batch copies values this small as they are added.
      const at = new Uint8Array(12);
      const view = new DataView(at.buffer);
      view.setUint32(0, Math.floor(h / 0x1_0000_0000));
      view.setUint32(4, h >>> 0);
      for (let i = 0; i < block.txs.length; i++) {
        const rc = receipts[i]!;
        if (rc.error !== undefined && NON_CONSUMING_CODES.has(rc.error)) continue;
        view.setUint32(8, i);
        batch.put(block.txs[i]!.hash, at, { sublevel: txs });
      }
      batch.put(u64Key(h), encodeReceipts(receipts), { sublevel: this.db.receipts });
      this.putStateWrites(batch, staged.writes);
      this.putMeta(batch, MetaKey.Height, u64Key(h));
      this.putMeta(batch, MetaKey.Applied, u64Key(appliedIndex));
      this.putMeta(batch, MetaKey.Root, staged.root);
      this.putMeta(batch, MetaKey.LtHash, staged.hash.bytes());
      this.putMeta(batch, MetaKey.LastHash, block.hash);
      await batch.write({ sync: this.opts.syncBlocks });

      this.state.applyStaged(staged);
      this.height = h;
      this.applied = appliedIndex;
      this.lastHash = block.hash;
    });
  }

  /**
   * Records that Raft entries up to `index` are applied when they carried no block (an empty entry
   * of a new leader, a membership change with its resulting `conf`).
   */
  async markApplied(index: number, conf?: ConfState): Promise<void> {
    return this.exclusive(async () => {
      if (index < this.applied)
        throw new StoreError(StoreErrorCode.BadAppliedIndex, `applied ${index} < ${this.applied}`);
      const batch = new Batch(this.db);
      this.putMeta(batch, MetaKey.Applied, u64Key(index));
      if (conf !== undefined) this.putMeta(batch, MetaKey.Conf, encodeConfState(conf));
      await batch.write({ sync: this.opts.syncBlocks });
      this.applied = index;
      if (conf !== undefined) this.conf = { voters: [...conf.voters], learners: [...conf.learners] };
    });
  }

  /** The block at `height`, or undefined. */
  async getBlock(height: number): Promise<Block | undefined> {
    this.check();
    return reads.block(this.db, this.opts.blockLimits, height);
  }

  /** The block with header hash `hash`, or undefined. */
  async getBlockByHash(hash: Uint8Array): Promise<Block | undefined> {
    this.check();
    return reads.blockByHash(this.db, this.opts.blockLimits, hash);
  }

  /** Up to `limit` stored blocks from height `from` upwards, in order. */
  async getBlocks(from: number, limit: number): Promise<Block[]> {
    this.check();
    return reads.blocks(this.db, this.opts.blockLimits, from, limit);
  }

  /** All receipts of block `height`, or undefined. */
  async getReceipts(height: number): Promise<Receipt[] | undefined> {
    this.check();
    return reads.receipts(this.db, height);
  }

  /** Where tx `hash` was executed, with its receipt; undefined if never executed (or refused by nonce). */
  async getTx(hash: Uint8Array): Promise<TxLocation | undefined> {
    this.check();
    return reads.tx(this.db, hash);
  }

  /** State root after block `height` (0 = genesis), if known. */
  async getStateRoot(height: number): Promise<Uint8Array | undefined> {
    this.check();
    if (height === this.height) return this.state.root();
    if (!Number.isSafeInteger(height) || height < 0) return undefined;
    return this.db.blocks.get(taggedU64(BlockKey.Root, height));
  }

  /** Serialises the applied state (see snapshot.ts): what a lagging node restores from. */
  createStateSnapshot(): Uint8Array {
    this.check();
    return encodeStateSnapshot({
      height: this.height,
      appliedIndex: this.applied,
      root: this.state.root(),
      lastBlockHash: this.lastHash,
      genesis: this.genesis ?? new Uint8Array(0),
      entries: this.state.sortedEntries(),
    });
  }

  /**
   * Replaces the whole state with a snapshot's, atomically, after checking that its entries hash to
   * its stated root (and to `expectedRoot` if given). Blocks below the snapshot are not copied.
   */
  async restoreStateSnapshot(bytes: Uint8Array, expectedRoot?: Uint8Array): Promise<StateSnapshotMeta> {
    return this.exclusive(async () => {
      const snap = decodeStateSnapshot(bytes, expectedRoot);
      if (snap.appliedIndex <= this.applied && this.applied > 0) {
        throw new StoreError(
          StoreErrorCode.SnapshotStale,
          `snapshot at ${snap.appliedIndex}, applied ${this.applied}`,
        );
      }
      if (this.genesis !== undefined && snap.genesis.length > 0 && !bytesEqual(this.genesis, snap.genesis)) {
        throw new StoreError(StoreErrorCode.GenesisMismatch, 'snapshot of another chain');
      }
      const batch = new Batch(this.db);
      const state = this.db.state;
      // The in-memory state mirrors the sublevel exactly, so its keys are exactly what must go.
      for (const [k] of this.state.entries()) batch.del(k, { sublevel: state });
      for (const [k, v] of snap.entries) batch.put(k, v, { sublevel: state });
      batch.put(taggedU64(BlockKey.Root, snap.height), snap.root, { sublevel: this.db.blocks });
      this.putMeta(batch, MetaKey.Height, u64Key(snap.height));
      this.putMeta(batch, MetaKey.Applied, u64Key(snap.appliedIndex));
      this.putMeta(batch, MetaKey.Root, snap.root);
      this.putMeta(batch, MetaKey.LtHash, snap.hash.bytes());
      this.putMeta(batch, MetaKey.LastHash, snap.lastBlockHash);
      const base = snap.height + 1;
      this.putMeta(batch, MetaKey.Base, u64Key(base));
      if (this.genesis === undefined && snap.genesis.length > 0)
        this.putMeta(batch, MetaKey.Genesis, snap.genesis);
      await batch.write({ sync: true });

      this.state.replace(snap.entries, snap.hash);
      this.height = snap.height;
      this.applied = snap.appliedIndex;
      this.lastHash = snap.lastBlockHash;
      this.base = base;
      if (this.genesis === undefined && snap.genesis.length > 0) this.genesis = snap.genesis;
      return snap;
    });
  }
}
