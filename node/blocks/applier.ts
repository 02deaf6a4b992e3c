/**
 * Applies committed Raft entries to the chain: decode the block, check it against the rules, run its
 * transactions, check the state root it names, and persist block, receipts, indexes and state in
 * one atomic batch. A state root that differs from the block's is a divergence: the applier stops
 * for good and says so. The rules see the feature switches of genesis and of the state the block
 * builds on; when a feature this code does not know takes effect at the next block, the applier
 * stops before it ("upgrade required") rather than apply it by old rules.
 */

import type { Entry } from '../../consensus/types.js';
import { decodeBlock, verifyBlockSignature } from '../../protocol/chain/block.js';
import { bytesEqual, toHex } from '../../protocol/chain/encoding.js';
import { isChainError } from '../../protocol/chain/errors.js';
import {
  type ChainFeatures,
  effectiveFeatures,
  type FeatureSchedule,
  isKnownFeature,
  type UpgradeRequired,
  upgradeRequired,
  upgradeRequiredMessage,
} from '../../protocol/chain/features.js';
import type { Block, Receipt } from '../../protocol/chain/types.js';
import type { Logger } from '../log.js';
import type { Executor } from '../state/executor.js';
import { parseSchedule, readScheduleBytes } from '../state/features.js';
import { JournaledState } from '../state/journal.js';
import type { WorldState } from '../state/world.js';
import type { CommitBlockInput } from '../store/chain-store.js';
import { type ChainTip, checkBlock } from './rules.js';
import { executeSliced, type SliceHold } from './sliced-exec.js';
import type { TxHandOver } from './tx-handover.js';
import type { Verifier } from './verify.js';

/** Durable side of applying: node/store's ChainStore. */
export interface BlockSink {
  /** The in-memory world state the store keeps equal to disk. */
  readonly state: WorldState;
  /** Writes block, receipts, tx index, state writes, root and applied index in one atomic batch. */
  commitBlock(input: CommitBlockInput): Promise<void>;
  /** The state root after `height`, or undefined if this node never applied it (restored past it). */
  getStateRoot(height: number): Promise<Uint8Array | undefined>;
}

export interface AppliedBlock {
  readonly block: Block;
  readonly receipts: readonly Receipt[];
  readonly root: Uint8Array;
}

export interface ApplierHooks {
  onApplied(applied: AppliedBlock, entry: Entry): void;
  onRejected(entry: Entry, code: string, message: string): void;
  onDivergence(message: string): void;
  /** A feature this code does not know takes effect at the next block: the applier has stopped. */
  onUpgradeRequired?(u: UpgradeRequired): void;
}

/** Applier options. */
export interface ApplierOptions {
  readonly chainId: string;
  /** The chain's feature switches (genesis `features`), read by the block rules. */
  readonly features?: ChainFeatures;
  /** Execute a block in slices of about this many ms, yielding between them (0 or absent: one piece). */
  readonly sliceMs?: number;
}

/** What the applier works with. */
export interface ApplierDeps {
  readonly executor: Executor;
  /** Waited on before a block and at each slice boundary (raft/leaderless-hold.ts); none if absent. */
  readonly hold?: SliceHold;
  readonly sink: BlockSink;
  readonly sigs: Verifier;
  /** Decoded txs the producer or the block relay handed over for an entry's data (tx-handover.ts). */
  readonly handOver?: TxHandOver;
  /** Whether a key is a validator in applied state. */
  isValidator(publicKey: Uint8Array): boolean;
  readonly hooks: ApplierHooks;
  readonly log: Logger;
  /** The last applied block when the applier starts. */
  readonly tip: ChainTip;
}

/** Thrown on start when a feature this code does not know is already in force at the next block. */
export class UpgradeRequiredError extends Error {
  override readonly name = 'UpgradeRequiredError';
  readonly code = 'upgrade_required';
  constructor(readonly required: UpgradeRequired) {
    super(upgradeRequiredMessage(required));
  }
}

interface ScheduleCache {
  readonly raw: Uint8Array | undefined;
  readonly parsed: FeatureSchedule;
  readonly effective: ChainFeatures;
}

export class Applier {
  #tip: ChainTip;
  #diverged: string | null = null;
  /** Recent roots by height, so a block's state root is checked without a disk read. */
  readonly #roots = new Map<number, Uint8Array>();

  readonly #chainId: string;
  readonly #features: ChainFeatures | undefined;
  readonly #sliceMs: number;
  readonly #hold: SliceHold;
  readonly #executor: Executor;
  readonly #sink: BlockSink;
  readonly #sigs: Verifier;
  readonly #handOver: TxHandOver | undefined;
  readonly #hooks: ApplierHooks;
  readonly #log: Logger;
  readonly #isValidator: (publicKey: Uint8Array) => boolean;
  /** The governance schedule as last read, with its bytes, so a block without a change parses nothing. */
  #schedule: ScheduleCache = {
    raw: undefined,
    parsed: {},
    effective: {},
  };
  #upgrade: UpgradeRequired | null = null;

  constructor(opts: ApplierOptions, deps: ApplierDeps) {
    this.#chainId = opts.chainId;
    this.#features = opts.features;
    this.#sliceMs = opts.sliceMs ?? 0;
    this.#hold = deps.hold ?? (() => null);
    this.#executor = deps.executor;
    this.#sink = deps.sink;
    this.#sigs = deps.sigs;
    this.#handOver = deps.handOver;
    this.#hooks = deps.hooks;
    this.#log = deps.log;
    this.#isValidator = (pk) => deps.isValidator(pk);
    this.#tip = deps.tip;
    this.#roots.set(deps.tip.height, deps.sink.state.root());
    this.#schedule = { raw: undefined, parsed: {}, effective: effectiveFeatures(this.#features, {}) };
    this.#readSchedule();
    this.#upgrade = upgradeRequired(this.#schedule.parsed, this.#tip.height + 1);
  }

  /** The feature switches in force for the next block: genesis's and those the state schedules. */
  get features(): ChainFeatures {
    return this.#readSchedule().effective;
  }

  /** The governance schedule in the applied state, names this code does not know included. */
  get schedule(): FeatureSchedule {
    return this.#readSchedule().parsed;
  }

  /** Set once a feature this code does not know is in force at the next block: nothing more applies. */
  get upgradeRequired(): UpgradeRequired | null {
    return this.#upgrade;
  }

  #readSchedule(): ScheduleCache {
    const raw = readScheduleBytes(this.#sink.state);
    const last = this.#schedule.raw;
    if (raw === last || (raw !== undefined && last !== undefined && bytesEqual(raw, last)))
      return this.#schedule;
    const parsed = parseSchedule(raw);
    this.#schedule = { raw, parsed, effective: effectiveFeatures(this.#features, parsed) };
    return this.#schedule;
  }

  get tip(): ChainTip {
    return this.#tip;
  }

  get divergence(): string | null {
    return this.#diverged;
  }

  /** Resets the tip after a snapshot restore. */
  resetTip(tip: ChainTip): void {
    this.#tip = tip;
    this.#roots.clear();
    this.#roots.set(tip.height, this.#sink.state.root());
    // A snapshot may come from past the height of a feature this code does not know.
    const u = upgradeRequired(this.#readSchedule().parsed, tip.height + 1);
    if (u !== null && this.#upgrade === null) {
      this.#upgrade = u;
      this.#hooks.onUpgradeRequired?.(u);
    }
  }

  /** Applies entries in order. Resolves once each applied block is durable. */
  async apply(entries: readonly Entry[]): Promise<void> {
    for (const entry of entries) {
      if (this.#diverged !== null) throw new Error(`state divergence: ${this.#diverged}`);
      if (this.#upgrade !== null) throw new Error(upgradeRequiredMessage(this.#upgrade));
      // Raft's own no-op entries (a new leader's first entry) carry no block.
      if (entry.data.length === 0) continue;
      await this.#applyEntry(entry);
    }
  }

  async #applyEntry(entry: Entry): Promise<void> {
    let block: Block;
    try {
      // The txs this node decoded at intake, where the producer or the relay handed them over.
      block = this.#handOver?.decode(entry.data) ?? decodeBlock(entry.data);
    } catch (err) {
      if (!isChainError(err)) throw err;
      this.#hooks.onRejected(entry, 'bad_encoding', err.message);
      return;
    }
    // One proposer signature per block: checked here, so apply never queues behind admission's
    // verifications. Most tx signatures were checked at admission and are remembered; the rest go
    // to the verifier's worker threads.
    const signatureOk = verifyBlockSignature(block, this.#sigs.keys);
    const txSigs = await this.#sigs.verifyTxs(block.txs);
    const verdict = checkBlock({
      block,
      entryTerm: entry.term,
      chainId: this.#chainId,
      tip: this.#tip,
      isValidator: this.#isValidator,
      signatureOk,
      txSignaturesOk: txSigs,
      features: this.features,
    });
    if (!verdict.ok) {
      this.#hooks.onRejected(entry, verdict.code, verdict.message);
      return;
    }
    const h = block.header;
    const expected = this.#roots.get(h.stateHeight) ?? (await this.#sink.getStateRoot(h.stateHeight));
    if (expected !== undefined && !bytesEqual(expected, h.stateRoot)) {
      this.#diverged =
        `block ${h.height} says the state root after ${h.stateHeight} is ${toHex(h.stateRoot)}, ` +
        `this node computed ${toHex(expected)}`;
      this.#hooks.onDivergence(this.#diverged);
      throw new Error(`state divergence: ${this.#diverged}`);
    }
    if (expected === undefined)
      this.#log.debug({ height: h.stateHeight }, 'state root not held locally; not checked');

    const journal = new JournaledState(this.#sink.state);
    const exec = await executeSliced(
      this.#executor,
      { height: h.height, time: h.time, proposer: h.proposer, chainId: this.#chainId },
      block.txs,
      journal,
      this.#sliceMs,
      undefined,
      this.#hold,
    );
    // The journal's writes are one per key, each with its map string: staged without deduplicating.
    const staged = this.#sink.state.stage(journal.writes(), true);
    // The entry's bytes are the block's canonical encoding (decoding is canonical): the store writes
    // them as they are rather than encoding the block again.
    await this.#sink.commitBlock({
      block,
      receipts: exec.receipts,
      staged,
      appliedIndex: entry.index,
      encoded: entry.data,
    });
    this.#tip = { height: h.height, hash: block.hash, time: h.time };
    this.#roots.set(h.height, staged.root);
    if (this.#roots.size > 4096) this.#roots.delete(h.height - 4096);
    this.#hooks.onApplied({ block, receipts: exec.receipts, root: staged.root }, entry);
    this.#afterFeatures(h.height);
  }

  /** Logs the switches that took effect at `height`, and stops if an unknown one does at the next. */
  #afterFeatures(height: number): void {
    const before = this.#schedule.parsed;
    const { parsed, effective } = this.#readSchedule();
    for (const [name, at] of Object.entries(effective)) {
      if (at === height)
        this.#log.info({ feature: name, height }, `feature ${name} active from height ${height}`);
    }
    for (const [name, at] of Object.entries(parsed)) {
      if (before[name] !== undefined) continue;
      const known = isKnownFeature(name) ? '' : ': this node does not know it, upgrade before that height';
      this.#log.warn({ feature: name, height: at }, `feature ${name} scheduled at height ${at}${known}`);
    }
    const u = upgradeRequired(parsed, height + 1);
    if (u === null) return;
    this.#upgrade = u;
    this.#log.fatal(
      { feature: u.name, height: u.height, applied: height },
      `${upgradeRequiredMessage(u)}; this node has stopped applying blocks`,
    );
    this.#hooks.onUpgradeRequired?.(u);
  }
}
