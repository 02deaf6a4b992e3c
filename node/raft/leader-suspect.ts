/**
 * Acts leaderless from the moment the leader's last connection closes (issue 18, docs/raft.md),
 * not only once the dialer has settled that it is gone. Between the two lies one turn of this
 * node's event loop (the probe's refused connect is reported in the next one: 35-350 ms under
 * flat-out load); during it the node otherwise goes on taking in tx submissions and applying
 * blocks, which lengthens that very turn. A suspicion turns on what a known loss turns on, the
 * `no_leader` refusal of submissions (http/leaderless.ts) and the hold of block execution
 * (leaderless-hold.ts), and nothing in Raft: the lease, votes and campaigns still wait for the
 * dialer's report (`Raft.leaderLost`). It is lifted when the redial succeeds, and at the latest
 * after `maxMs` (to Raft's view then), so a suspicion that nothing settles costs at most that.
 */
import type { PeerLossEvent } from '../p2p/dialer.js';

export interface LeaderSuspectDeps {
  /** The leader Raft knows now (null: none). */
  leader(): string | null;
  /** Told `null` when the leader is suspected lost, and Raft's leader again when it is cleared. */
  onLeader(leader: string | null): void;
}

/** Follows the dialer's peer-loss events; see the file comment. */
export class LeaderSuspect {
  #suspect: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly maxMs: number,
    private readonly deps: LeaderSuspectDeps,
  ) {}

  /** The peer suspected lost, if any. */
  get suspect(): string | null {
    return this.#suspect;
  }

  /** One event of the dialer (node/p2p/dialer.ts). */
  observe(e: PeerLossEvent): void {
    if (e.type === 'disconnected') {
      if (this.#suspect !== null || e.peer !== this.deps.leader()) return;
      this.#suspect = e.peer;
      this.deps.onLeader(null);
      this.#timer = setTimeout(() => this.clear(), this.maxMs);
      this.#timer.unref?.();
    } else if (e.type === 'redialled' && e.peer === this.#suspect) this.clear();
    // A refused probe or a failed redial: Raft's leaderLost follows and its soft state (no leader,
    // then the new one) reaches the same hooks; the timer's clear() then only repeats it.
  }

  /** Lifts the suspicion: back to whatever leader Raft knows now. */
  clear(): void {
    if (this.#suspect === null) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#suspect = null;
    this.deps.onLeader(this.deps.leader());
  }
}
