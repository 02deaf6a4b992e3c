/**
 * Block time is consent time (grants, requests and emergencies expire by it), and it is the
 * proposer's clock. A follower therefore takes no block into its Raft log whose time is more than
 * `maxClockSkewMs` ahead of its own clock: the append that carries it is dropped before Raft sees it,
 * and its sender is not followed, nor voted for, for `distrustMs`, so the other validators elect a
 * leader whose clock agrees with theirs. A leader ahead of a majority therefore cannot move consent
 * time, and the skew each block shows is reported (metric, and a warning past the bound).
 */
import type { Message } from '../../consensus/types.js';
import { EntryType } from '../../consensus/types.js';
import { peekBlockHeader } from '../../protocol/chain/block.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';

export interface BlockClockOptions {
  /** A block more than this many ms ahead of the local clock is refused. */
  readonly maxClockSkewMs: number;
  /** How long a peer that sent a block from the future is not followed or voted for. */
  readonly distrustMs: number;
}

export interface BlockClockDeps {
  /** Wall clock, ms since the epoch. */
  now(): number;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
}

/** Warnings about the clock at most this often. */
const WARN_EVERY_MS = 10_000;

export class BlockClock {
  readonly #distrusted = new Map<string, number>();
  #lastWarn = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly opts: BlockClockOptions,
    private readonly deps: BlockClockDeps,
  ) {}

  /** Whether Raft may see `m`: false for a block from the future, and for anything from its sender for a while. */
  admit(m: Message): boolean {
    const now = this.deps.now();
    const until = this.#distrusted.get(m.from);
    if (until !== undefined) {
      if (now < until) return false;
      this.#distrusted.delete(m.from);
    }
    if (m.type !== 'append') return true;
    for (const e of m.entries) {
      if (e.type !== EntryType.Normal || e.data.length === 0) continue;
      let time: number;
      try {
        time = peekBlockHeader(e.data).time;
      } catch {
        continue; // not a block: the applier refuses it with its reason
      }
      const skew = time - now;
      this.deps.metrics.clockSkew.set(skew / 1000);
      if (skew > this.opts.maxClockSkewMs) {
        this.#distrusted.set(m.from, now + this.opts.distrustMs);
        this.deps.metrics.blocksRefusedFuture.inc();
        this.#warn(
          { peer: m.from, blockTime: time, skewMs: skew, boundMs: this.opts.maxClockSkewMs },
          'refused a block from the future: its proposer clock is ahead of ours by more than the bound',
        );
        return false;
      }
      if (-skew > this.opts.maxClockSkewMs) {
        this.#warn(
          { peer: m.from, blockTime: time, skewMs: skew },
          "this node's clock is ahead of the leader's block times",
        );
      }
    }
    return true;
  }

  #warn(fields: Record<string, unknown>, message: string): void {
    const now = this.deps.now();
    if (now - this.#lastWarn < WARN_EVERY_MS) return;
    this.#lastWarn = now;
    this.deps.log.warn(fields, `${message}; check NTP on every validator`);
  }
}
