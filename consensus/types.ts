/**
 * The contract between the pure Raft core and whoever drives it (the node, the simulator, tests).
 *
 * The core does no I/O: time arrives as `tick()`, messages as `step()`, randomness through
 * `RaftConfig.random`, and storage is read through the synchronous `Storage` interface. Everything
 * the core wants done comes back in a `Ready`. What the core requires of the driver:
 *
 * Before `advance(ready)`:
 *   1. `snapshot`, `entries` and `hardState` are durable and visible through `Storage` (advance
 *      drops them from the core's memory; from then on it reads them from `Storage`).
 *   2. Every ConfChange entry in `committedEntries` has been passed to `applyConfChange()`, in
 *      index order. Advance marks the entries applied, and the core relies on that for conf
 *      changes only: a leader proposes the next change, and a node campaigns, only once the
 *      previous one is applied to its configuration.
 * Any time after 1 (before or after advance):
 *   3. `messages` may be sent, never before 1: a vote or an acknowledgement promises that the
 *      term, vote or entries it reports survive a crash. Sending is best effort. The exception is
 *      `early` (a subset of `messages`): a leader's appends and heartbeats, which may leave before
 *      1 (thesis 10.2.1: the leader writes to its disk in parallel with replicating). They promise
 *      nothing about its own disk: its own copy counts toward a commit only after advance.
 *   4. Normal `committedEntries` may be applied, in index order and each exactly once, also after
 *      advance: the core does not read the state machine. Not before 1 either (a committed entry is
 *      durable on a quorum, and only after 1 is this node's copy part of it). A `snapshot` must be restored
 *      into the state machine after every entry before it and before any entry after it.
 * Advance means "handed over", not "applied": `Status.applied` counts entries handed over. The
 * driver must therefore restart Raft with `RaftConfig.applied` = what its state machine durably
 * applied (entries handed over but lost in a crash are then handed over again), and snapshot or
 * compact only up to that index. The simplest driver does 1, 3, 4 (with 2), then advances; the
 * node (node/raft-driver.ts) advances while normal entries still wait in an ordered apply queue,
 * and drains that queue before a conf change or a snapshot.
 */

/** A member's identity. In the chain node this is the validator's libp2p peer id string. */
export type NodeId = string;

export const EntryType = { Normal: 0, ConfChange: 1 } as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/** One log entry. `data` is opaque to Raft (a block, for the chain; a ConfChange for type 1). */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** What must be on disk before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

/** Cluster membership. Learners receive the log but neither vote nor count toward quorum. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

export interface SnapshotMeta {
  /** Index and term of the last entry the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** Membership as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine's serialised state; opaque to Raft. */
  readonly data: Uint8Array;
}

/** Single-server membership change, carried in an entry of type ConfChange. */
export interface ConfChange {
  readonly type: 'addVoter' | 'addLearner' | 'removeNode';
  readonly node: NodeId;
}

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  /** Sender's term; for preVote/preVoteResp, the term the candidate would campaign in. */
  readonly term: number;
}

/** Pre-vote request (Raft thesis 9.6): asks whether a real election could be won. Changes no term. */
export interface PreVoteMsg extends MessageBase {
  readonly type: 'preVote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}
export interface PreVoteRespMsg extends MessageBase {
  readonly type: 'preVoteResp';
  readonly reject: boolean;
}
export interface VoteMsg extends MessageBase {
  readonly type: 'vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /** Set when the election follows a leadership transfer: voters skip the leader-lease check. */
  readonly transfer: boolean;
}
export interface VoteRespMsg extends MessageBase {
  readonly type: 'voteResp';
  readonly reject: boolean;
}
/** AppendEntries (also used as the probe when entries is empty). */
export interface AppendMsg extends MessageBase {
  readonly type: 'append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}
export interface AppendRespMsg extends MessageBase {
  readonly type: 'appendResp';
  /** On success: the last index now known to match. On reject: the rejected prevIndex. */
  readonly index: number;
  readonly reject: boolean;
  /** Fast back-off: on reject, the follower's hint of where the leader should retry. */
  readonly rejectHint: number;
  /** Fast back-off: the term of the follower's entry at rejectHint (0 if none). */
  readonly hintTerm: number;
}
export interface HeartbeatMsg extends MessageBase {
  readonly type: 'heartbeat';
  /** min(leader commit, follower match) so a follower never commits past what it holds. */
  readonly commit: number;
}
export interface HeartbeatRespMsg extends MessageBase {
  readonly type: 'heartbeatResp';
}
export interface SnapshotMsg extends MessageBase {
  readonly type: 'snapshot';
  readonly snapshot: Snapshot;
}
/** Leadership transfer: tells the target to campaign at once. */
export interface TimeoutNowMsg extends MessageBase {
  readonly type: 'timeoutNow';
}

export type Message =
  | PreVoteMsg
  | PreVoteRespMsg
  | VoteMsg
  | VoteRespMsg
  | AppendMsg
  | AppendRespMsg
  | HeartbeatMsg
  | HeartbeatRespMsg
  | SnapshotMsg
  | TimeoutNowMsg;

export type MessageType = Message['type'];

/** Volatile state the driver may want to observe (leader changes, role). */
export interface SoftState {
  readonly leader: NodeId | null;
  readonly role: Role;
}

/** Work the driver must do; see the contract at the top of this file. */
export interface Ready {
  /** Present when it changed since the last Ready. */
  readonly softState?: SoftState;
  /** Present when it changed since the last Ready; persist before sending. */
  readonly hardState?: HardState;
  /** Entries to append to stable storage (overwriting any conflicting suffix); persist before sending. */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader: persist it before advance; restore the state machine from it. */
  readonly snapshot?: Snapshot;
  /** Send after persisting (before or after advance). */
  readonly messages: readonly Message[];
  /**
   * The leader's appends and heartbeats among `messages` (the same objects), which may be sent
   * before persisting (contract point 3); absent when none, or when this Ready changes the term or
   * vote (a leader's term must be durable before anything of that term leaves).
   */
  readonly early?: readonly Message[];
  /** Committed entries, in index order: conf changes applied before advance, the rest in order (maybe after). */
  readonly committedEntries: readonly Entry[];
}

/**
 * Read-only view of stable storage. The driver writes to it (append, snapshot, hard state) while
 * handling a Ready; Raft only reads. Indexes start at 1; index 0 / term 0 is the empty log.
 */
export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), stopping early (but returning at least one) once maxBytes of data is reached. */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** Term of the entry at index; the snapshot's index answers with the snapshot's term. Throws RaftError 'compacted' / 'unavailable'. */
  term(index: number): number;
  /** Index of the first entry still held (snapshot index + 1). */
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot (index 0 if none). */
  snapshot(): Snapshot;
}

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: Storage;
  /** Ticks without hearing from a leader before campaigning; the actual timeout is random in [electionTick, 2*electionTick). */
  readonly electionTick: number;
  readonly heartbeatTick: number;
  /** Uniform in [0, 1). The only source of randomness; the simulator passes a seeded generator. */
  readonly random: () => number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /**
   * Fast failover (`Raft.leaderLost`): the voter ranked r among the remaining voters (sorted ids,
   * the lost leader left out) campaigns 1 + r * leaderLostStaggerTick ticks after it is told, so
   * the survivors do not split the vote. Default 2.
   */
  readonly leaderLostStaggerTick?: number;
  /** Upper bound on entry bytes in one append message. */
  readonly maxSizePerMsg: number;
  /** Append messages in flight to one follower before the leader waits (pipelining window). */
  readonly maxInflightMsgs: number;
  /** Bytes of proposed but uncommitted entries the leader accepts before refusing proposals (0 = no limit). */
  readonly maxUncommittedBytes: number;
  /** Highest index the state machine durably applied (on restart); entries after it are handed over again. */
  readonly applied: number;
  /**
   * Told of role changes, votes and why, step-downs, snapshots and transfers (see RaftEvent), for
   * logs and tests. Called synchronously in the middle of a transition: it must not throw or call
   * back into the Raft, and it must not do I/O itself (queue or log).
   */
  readonly onEvent?: (e: RaftEvent) => void;
}

/**
 * How the transport knows a peer is lost (`Raft.leaderLost`). `certain`: its port refused a
 * connection, so its process is gone (a live but cut-off peer times out, it never refuses).
 */
export interface LeaderLoss {
  readonly certain: boolean;
}

/** Why a node refused a (pre-)vote. */
export type VoteRefusal =
  /** The request's term is below ours. */
  | 'staleTerm'
  /** Check-quorum's leader lease: we heard from a live leader within an election timeout (no answer is sent). */
  | 'inLease'
  /** We already voted for another candidate in this term. */
  | 'alreadyVoted'
  /** We follow a leader of this term (and have not voted in it). */
  | 'leaderKnown'
  /** §5.4.1: the candidate's log is behind ours. */
  | 'logNotUpToDate'
  /** Fast failover: we run a fast pre-election, rank ahead of the candidate and our log is no worse. */
  | 'outranked';

/** Why a leader or (pre-)candidate went back to follower. */
export type StepDownReason =
  /** A message of a higher term arrived (a leadership transfer that succeeded ends this way too). */
  | 'higherTerm'
  /** A leader that did not hear from a quorum within an election timeout. */
  | 'checkQuorum'
  /** A leader whose removal from the configuration was applied. */
  | 'removed'
  /** A (pre-)candidate refused by a quorum. */
  | 'electionLost'
  /** A (pre-)candidate that heard from the leader of its term. */
  | 'leaderOfTerm';

/** Why a leadership transfer was given up. */
export type TransferAbortReason = 'timeout' | 'transfereeRemoved' | 'superseded';

/** What happened inside the core, as told to `RaftConfig.onEvent`. `term` is ours after the event. */
export type RaftEvent =
  | { readonly type: 'becameFollower'; readonly term: number; readonly leader: NodeId | null }
  /**
   * The driver told us our leader is gone (`Raft.leaderLost`); we campaign in `inTicks` ticks (with
   * a real vote if the loss is `certain` and `inTicks` is 0, else a pre-vote).
   */
  | {
      readonly type: 'leaderLost';
      readonly term: number;
      readonly leader: NodeId;
      readonly inTicks: number;
      readonly certain: boolean;
    }
  /** Told of the loss, we refused `candidate` (our log is ahead) and pre-campaign at once instead. */
  | { readonly type: 'campaignInstead'; readonly term: number; readonly candidate: NodeId }
  /** A pre-election for `term + 1` started (our term is unchanged). */
  | { readonly type: 'becamePreCandidate'; readonly term: number }
  | { readonly type: 'becameCandidate'; readonly term: number }
  | { readonly type: 'becameLeader'; readonly term: number }
  | {
      readonly type: 'steppedDown';
      readonly term: number;
      readonly from: Exclude<Role, 'follower'>;
      readonly reason: StepDownReason;
    }
  | {
      readonly type: 'voteGranted';
      readonly term: number;
      readonly pre: boolean;
      readonly candidate: NodeId;
      /** The term the candidate asked for. */
      readonly voteTerm: number;
    }
  | {
      readonly type: 'voteRefused';
      readonly term: number;
      readonly pre: boolean;
      readonly candidate: NodeId;
      readonly voteTerm: number;
      readonly reason: VoteRefusal;
    }
  /** A snapshot from the leader replaced our log; the next Ready carries it. */
  | {
      readonly type: 'snapshotInstalled';
      readonly term: number;
      readonly index: number;
      readonly snapshotTerm: number;
    }
  | { readonly type: 'transferStarted'; readonly term: number; readonly to: NodeId }
  | {
      readonly type: 'transferAborted';
      readonly term: number;
      readonly to: NodeId;
      readonly reason: TransferAbortReason;
    };

/** Result of a proposal: refused proposals are values, not exceptions. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | {
      readonly ok: false;
      readonly code: 'not_leader' | 'transfer_in_progress' | 'too_many_uncommitted' | 'conf_change_pending';
      readonly leader: NodeId | null;
    };

export interface Status {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leader: NodeId | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
}
