/**
 * Block time is consent time (grants, requests and emergencies expire by it), and it is the
 * proposer's clock. A follower therefore takes no block into its Raft log whose time is more than
 * `maxClockSkewMs` ahead of its own clock: the append that carries it is dropped before Raft sees it,
 * and its sender is not followed, nor voted for, for `distrustMs`, so the other validators elect a
 * leader whose clock agrees with theirs. A leader ahead of a majority therefore cannot move consent
 * time, and the skew each block shows is reported (metric, and a warning past the bound).
 *
 * The leader's side is `leaderClockVerdict` (pure, used by the block producer): a leader whose wall
 * clock is behind its chain, or has advanced less than its monotonic clock since it began leading
 * (stalled or slowed), waits, and steps aside once that gap passes the same bound.
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

/** A reading of both clocks at one instant. */
export interface ClockReading {
  /** Wall clock, ms since the epoch (the block time a cut would carry). */
  readonly wall: number;
  /** A monotonic clock, ms from any origin: it neither stops nor steps with the wall clock. */
  readonly mono: number;
}

/** What a leader with txs waiting may do, given its clocks and its chain. */
export interface LeaderClockInput {
  /** Time of the last block in the log (the parent of the next cut). */
  readonly tipTime: number;
  /** Both clocks when it began leading. */
  readonly since: ClockReading;
  /** Both clocks now. */
  readonly now: ClockReading;
  readonly maxClockSkewMs: number;
  /** The chain's `timeAdvances` rule is active at the next height: a block must be later than its parent. */
  readonly timeAdvances: boolean;
}

export const LeaderClockAction = { cut: 'cut', wait: 'wait', stepAside: 'stepAside' } as const;
export type LeaderClockAction = (typeof LeaderClockAction)[keyof typeof LeaderClockAction];

export interface LeaderClockVerdict {
  readonly action: LeaderClockAction;
  /**
   * How far the wall clock is behind: behind the chain (`tipTime - wall`) or behind the time that
   * has passed since it began leading (monotonic elapsed - wall elapsed), whichever is larger.
   */
  readonly behindMs: number;
  /** Why it waits or steps aside: `behind_chain`, `stalled` or `same_ms` (cut: `ok`). */
  readonly reason: 'ok' | 'behind_chain' | 'stalled' | 'same_ms';
}

/**
 * The leader's clock rule. A block is stamped with the wall clock and never earlier than its parent,
 * so a leader whose clock is behind the chain would stamp its parent's time, and one whose clock
 * stops would stamp the same time forever: either stalls consent time (expiries never come). It
 * therefore cuts only when its wall clock is past the chain's tip, waits otherwise, and steps aside
 * once its clock is more than `maxClockSkewMs` behind the chain or behind the time that has passed
 * since it began leading (measured by the monotonic clock, which a stalled or stepped wall clock
 * does not affect). Consent time is therefore held still by one leader's clock for at most about
 * `maxClockSkewMs` (plus a leadership transfer) per term it leads.
 */
export function leaderClockVerdict(i: LeaderClockInput): LeaderClockVerdict {
  const behindChain = i.tipTime - i.now.wall;
  const lag = i.now.mono - i.since.mono - (i.now.wall - i.since.wall);
  const behindMs = Math.max(behindChain, lag, 0);
  if (behindMs > i.maxClockSkewMs) {
    return { action: 'stepAside', behindMs, reason: behindChain >= lag ? 'behind_chain' : 'stalled' };
  }
  if (behindChain > 0) return { action: 'wait', behindMs, reason: 'behind_chain' };
  if (behindChain === 0 && i.timeAdvances) return { action: 'wait', behindMs, reason: 'same_ms' };
  return { action: 'cut', behindMs, reason: 'ok' };
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
