/**
 * The core's mutable state as the role files see it. core.ts implements it; election.ts,
 * follower.ts and replication.ts read and write it; nothing outside consensus/ sees it (the public
 * `Raft` in raft.ts offers read-only views only). Depending on this interface rather than on the
 * class that implements it is what keeps the role files out of an import cycle with the core.
 */
import type { RaftLog } from './log.js';
import type { ProgressTracker } from './tracker.js';
import type { Entry, Message, NodeId, RaftConfig, RaftEvent, Role, StepDownReason } from './types.js';

/** Why a campaign starts: a timeout with pre-vote, a timeout without, or a leadership transfer. */
export type CampaignKind = 'preElection' | 'election' | 'transfer';

/** Entries as proposed, before the leader stamps term and index. */
export type ProposedEntry = Pick<Entry, 'type' | 'data'>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A message as the core queues it: `from` is always us, `term` defaults to our current term. */
export type OutgoingMessage = DistributiveOmit<Message, 'from' | 'term'> & { term?: number };

/** One peer's Raft state plus the transitions the role files may trigger; see the file comment. */
export interface RaftState {
  readonly id: NodeId;
  readonly cfg: RaftConfig;
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  /** Persistent (in HardState): current term and the vote cast in it. */
  term: number;
  vote: NodeId | null;
  /** Volatile: the leader we know of in this term. */
  leader: NodeId | null;
  /** Changed only through the become* transitions below. */
  readonly role: Role;
  electionElapsed: number;
  heartbeatElapsed: number;
  /** Target of an ongoing leadership transfer. */
  leadTransferee: NodeId | null;
  /** Index of the last conf change proposed by this leader; a new one waits until it is applied. */
  pendingConfIndex: number;
  /** Bytes of entries appended by this leader and not yet applied. */
  uncommittedSize: number;

  /** Only voters campaign (learners and nodes outside the configuration never do). */
  promotable(): boolean;
  /** Queues a message for the next Ready (requests only to members; see core.ts). */
  send(m: OutgoingMessage): void;
  /** Tells RaftConfig.onEvent, if any. */
  emit(e: RaftEvent): void;
  /** `reason` is reported when a leader or (pre-)candidate steps down. */
  becomeFollower(term: number, leader: NodeId | null, reason: StepDownReason): void;
  becomePreCandidate(): void;
  becomeCandidate(): void;
  becomeLeader(): void;
  /** Drops a pending fast campaign (`leaderLost`) and restarts the election timer; else nothing. */
  yieldFastCampaign(): void;
  /** Whether we are a pre-candidate started by the fast path (`leaderLost`). */
  isFastPreCandidate(): boolean;
  /**
   * We refused `candidate`'s vote because our log is ahead: if we were told our leader is lost and
   * have not campaigned yet, start a fast pre-election now; else nothing.
   */
  campaignInsteadOf(candidate: NodeId): void;
  /** Starts an election if allowed (see election.ts). */
  hup(kind: CampaignKind): void;
}
