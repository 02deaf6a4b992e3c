/**
 * The leader's and candidate's view of the membership: one Progress per member, the votes of the
 * current election, and the quorum questions asked of them (etcd tracker.ProgressTracker).
 */
import { Progress } from './progress.js';
import { committedIndex, voteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

/** Membership plus per-member replication progress and election votes. */
export class ProgressTracker {
  conf: ConfState;
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();
  private readonly maxInflight: number;

  constructor(conf: ConfState, maxInflight: number, nextIndex: number) {
    this.maxInflight = maxInflight;
    this.conf = { voters: [], learners: [] };
    this.setConf(conf, nextIndex);
  }

  /** Switches to a new membership, keeping the progress of members that stay. */
  setConf(conf: ConfState, nextIndex: number): void {
    const keep = new Set<NodeId>();
    for (const id of conf.voters) keep.add(id);
    for (const id of conf.learners) keep.add(id);
    for (const id of [...this.progress.keys()]) if (!keep.has(id)) this.progress.delete(id);
    for (const id of keep) {
      const learner = !conf.voters.includes(id);
      const pr = this.progress.get(id);
      if (pr) {
        pr.isLearner = learner;
      } else {
        const np = new Progress(nextIndex, this.maxInflight, learner);
        // A new member counts as active so check-quorum does not fire before it had a chance to answer.
        np.recentActive = true;
        this.progress.set(id, np);
      }
    }
    this.conf = { voters: [...conf.voters], learners: [...conf.learners] };
  }

  /** Forgets all replication state (new term): every peer is probed from lastIndex + 1. */
  resetProgress(self: NodeId, lastIndex: number): void {
    for (const [id, pr] of this.progress) {
      const np = new Progress(lastIndex + 1, this.maxInflight, pr.isLearner);
      if (id === self) np.match = lastIndex;
      this.progress.set(id, np);
    }
  }

  isVoter(id: NodeId): boolean {
    return this.conf.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.progress.has(id);
  }

  /** §5.3/§5.4: the highest index stored on a majority of voters. */
  committed(): number {
    return committedIndex(this.conf.voters, this.matchOf);
  }

  // Bound once: committed() runs on every acknowledgement and should not allocate a closure.
  private readonly matchOf = (id: NodeId): number => this.progress.get(id)?.match ?? 0;

  resetVotes(): void {
    this.votes.clear();
  }

  /**
   * Records a vote and returns the election's state. A voter's first answer counts, except that a
   * grant replaces a refusal: a pre-election's term is reused by the next one (a pre-candidate asks
   * for term + 1 without bumping its own), so a refusal of an earlier ask can arrive after the
   * next began, and a grant is only ever sent for what was asked (counting it is always sound).
   */
  recordVote(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    const prev = this.votes.get(id);
    if (prev === undefined || (granted && !prev)) this.votes.set(id, granted);
    return voteResult(this.conf.voters, this.votes);
  }

  /**
   * Check-quorum: did a majority of voters (counting `self`) talk to us since the last call? Resets
   * the activity flags for the next round.
   */
  quorumActive(self: NodeId): boolean {
    const active = new Map<NodeId, boolean>();
    for (const id of this.conf.voters) {
      const pr = this.progress.get(id);
      active.set(id, id === self || (pr?.recentActive ?? false));
    }
    for (const [id, pr] of this.progress) if (id !== self) pr.recentActive = false;
    return voteResult(this.conf.voters, active) === 'won';
  }
}
