/**
 * Block production on the leader: cuts a block when the mempool holds a full block or the block
 * interval has passed with txs waiting, never when idle. Blocks are pipelined through Raft: each
 * new block extends the last one proposed (the log tip), not the last one applied, and a bounded
 * number may be in flight at once.
 */

import type { ProposeResult } from '../../consensus/types.js';
import { encodeBlock, signBlock } from '../../protocol/chain/block.js';
import { type ChainFeatures, isFeatureActive } from '../../protocol/chain/features.js';
import type { Signer } from '../../protocol/chain/keys.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import type { Logger } from '../log.js';
import { type ClockReading, leaderClockVerdict } from '../raft/block-clock.js';
import type { BlockOptions } from './options.js';
import type { ChainTip } from './rules.js';
import { txRoot } from './tx-root.js';

/** What the producer needs from the mempool. */
export interface ProposalPool {
  readonly size: number;
  /** Hands out up to the limits, in per-sender nonce order, marking them in flight. */
  take(maxTxs: number, maxBytes: number): SignedTx[];
  /** Returns in-flight txs to the pool (their block will not commit through us). */
  onRequeue(txs: readonly SignedTx[]): void;
}

export interface ProducerOptions extends Omit<BlockOptions, 'applySliceMs'> {
  readonly chainId: string;
  /** The chain's feature switches (genesis `features`): the blocks it cuts must pass the rules. */
  readonly features?: ChainFeatures;
}

export interface ProducerDeps {
  readonly pool: ProposalPool;
  readonly signer: Signer;
  propose(data: Uint8Array): ProposeResult;
  /**
   * Called with a block's bytes and its txs just before they are proposed, so the block relay
   * can compact it without hashing its txs again (node/p2p/block-relay.ts).
   */
  proposing?(data: Uint8Array, txs: readonly SignedTx[]): void;
  /** Height and root of the applied state: the root the next header carries. */
  appliedState(): { height: number; root: Uint8Array };
  /** Wall clock, ms. */
  now(): number;
  /**
   * A monotonic clock, ms (performance.now): a wall clock that stalls or runs slow while this node
   * leads is caught against it. Without it only a clock behind the chain is caught.
   */
  monotonic?(): number;
  /**
   * This node leads but its clock is behind the last block's time, or behind the time that has
   * passed since it began leading, by `behindMs` (> maxClockSkewMs): it should hand leadership to a
   * validator whose clock agrees with the chain.
   */
  stepAside(behindMs: number): void;
  /** A cut held back because the clock is behind the chain (metric). */
  onClockBehind(): void;
  /** The switches in force, genesis's and governance's (the applier's); absent: `opts.features`. */
  features?(): ChainFeatures;
  readonly log: Logger;
}

interface Inflight {
  readonly height: number;
  readonly txs: readonly SignedTx[];
}

export class BlockProducer {
  #timer: NodeJS.Timeout | null = null;
  #term = 0;
  #leading = false;
  #tip: ChainTip | null = null;
  #lastCut = 0;
  #since: ClockReading = { wall: 0, mono: 0 };
  readonly #inflight = new Map<number, Inflight>();

  readonly #log: Logger;

  constructor(
    private readonly opts: ProducerOptions,
    private readonly deps: ProducerDeps,
  ) {
    this.#log = deps.log;
  }

  /** Starts as leader of `term`, extending `tip` (the last block in this node's log). */
  lead(term: number, tip: ChainTip): void {
    this.#term = term;
    this.#tip = tip;
    this.#leading = true;
    this.#lastCut = this.deps.now();
    this.#since = this.#read(this.#lastCut);
    if (this.#timer === null) {
      this.#timer = setInterval(
        () => this.maybeCut(false),
        Math.max(5, Math.floor(this.opts.intervalMs / 2)),
      );
    }
  }

  /** Stops producing; txs of blocks that had not been applied go back to the pool. */
  follow(): void {
    this.#leading = false;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const f of this.#inflight.values()) this.deps.pool.onRequeue(f.txs);
    this.#inflight.clear();
  }

  get leading(): boolean {
    return this.#leading;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** A block reached the state machine: it is no longer in flight. */
  onApplied(height: number): void {
    this.#inflight.delete(height);
    if (this.#leading && this.deps.pool.size >= this.opts.maxTxs) this.maybeCut(true);
  }

  /** A block of ours was rejected at apply: later blocks extend a bad parent, so start again from `tip`. */
  onRejected(tip: ChainTip): void {
    if (!this.#leading) return;
    for (const f of this.#inflight.values()) this.deps.pool.onRequeue(f.txs);
    this.#inflight.clear();
    this.#tip = tip;
  }

  /** Called on admission and on the timer: cut when full, or when the interval passed with txs waiting. */
  maybeCut(full: boolean): void {
    if (!this.#leading || this.#tip === null) return;
    const pending = this.deps.pool.size;
    if (pending === 0) return;
    if (this.#inflight.size >= this.opts.maxInflight) return;
    const now = this.deps.now();
    const tip = this.#tip;
    // A clock behind the chain, or stalled, would stamp blocks that stall consent time (expiries
    // would not come): wait for the clock, and hand leadership over when it is far behind
    // (raft/block-clock.ts). Under timeAdvances a block in the parent's millisecond would be
    // refused: wait for the next.
    const features = this.deps.features?.() ?? this.opts.features;
    const verdict = leaderClockVerdict({
      tipTime: tip.time,
      since: this.#since,
      now: this.#read(now),
      maxClockSkewMs: this.opts.maxClockSkewMs,
      timeAdvances: isFeatureActive(features, 'timeAdvances', tip.height + 1),
    });
    if (verdict.action === 'stepAside') {
      this.deps.onClockBehind();
      this.deps.stepAside(verdict.behindMs);
      return;
    }
    if (verdict.action === 'wait') {
      if (verdict.reason === 'behind_chain') this.deps.onClockBehind();
      return;
    }
    if (!(full && pending >= this.opts.maxTxs) && now - this.#lastCut < this.opts.intervalMs) return;
    this.#cut(now);
  }

  stop(): void {
    this.follow();
  }

  #read(wall: number): ClockReading {
    // Without a monotonic clock the two readings move together and only the chain's tip is checked.
    return { wall, mono: this.deps.monotonic?.() ?? wall };
  }

  #cut(now: number): void {
    const tip = this.#tip!;
    const txs = this.deps.pool.take(this.opts.maxTxs, this.opts.maxBytes);
    if (txs.length === 0) return;
    const state = this.deps.appliedState();
    // buildBlock's header, with the tx root through libsodium (tx-root.ts).
    const block = signBlock(
      {
        chainId: this.opts.chainId,
        height: tip.height + 1,
        parentHash: tip.hash,
        stateHeight: state.height,
        stateRoot: state.root,
        term: this.#term,
        // Block time never goes backwards (maybeCut waits while the clock is behind the tip).
        time: Math.max(now, tip.time),
        txRoot: txRoot(txs.map((t) => t.hash)),
        txCount: txs.length,
        proposer: this.deps.signer.publicKey,
      },
      txs,
      this.deps.signer,
    );
    const data = encodeBlock(block);
    this.deps.proposing?.(data, txs);
    const r = this.deps.propose(data);
    if (!r.ok) {
      this.deps.pool.onRequeue(txs);
      this.#log.debug({ code: r.code }, 'proposal refused');
      return;
    }
    this.#lastCut = now;
    this.#inflight.set(block.header.height, { height: block.header.height, txs });
    this.#tip = { height: block.header.height, hash: block.hash, time: block.header.time };
  }
}
