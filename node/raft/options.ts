/** Options of how the node runs Raft: timing, snapshots and log retention, the apply queue, membership. */

export interface RaftNodeOptions {
  /** Milliseconds per Raft tick. */
  readonly tickMs: number;
  /** Ticks without a leader before an election (randomised to [electionTick, 2*electionTick)). */
  readonly electionTick: number;
  /**
   * Fast failover (docs/raft.md): when the transport reports the leader's process gone, the first
   * remaining voter (by id) campaigns at once and the one ranked r >= 1 after 1 + r * this many
   * ticks, so they do not split the vote.
   */
  readonly leaderLostStaggerTick: number;
  /**
   * Fast failover (docs/raft.md): once this node has lost its leader, block execution pauses at its
   * next slice boundary until a leader is known again, at most this many ms (0: never pauses).
   */
  readonly leaderlessHoldMs: number;
  /** Ticks between a leader's heartbeats. */
  readonly heartbeatTick: number;
  /** Take a state snapshot and compact the Raft log every this many applied entries... */
  readonly snapshotEvery: number;
  /**
   * ...or once this many bytes of entries were applied since the last snapshot, whichever comes
   * first. The Raft log is held in memory until compacted, so this bounds a node's memory.
   */
  readonly snapshotBytes: number;
  /**
   * Raft entries kept below a snapshot when compacting, so a briefly lagging follower catches up
   * from the log; one further behind gets the snapshot (InstallSnapshot).
   */
  readonly keepEntries: number;
  /** At most this many bytes of entries are kept below a snapshot (the fewer of the two limits wins). */
  readonly keepBytes: number;
  /**
   * Committed blocks queued to apply beside the Raft loop, at most (0: apply before every advance).
   * See node/raft/driver.ts.
   */
  readonly maxApplyBacklog: number;
  /**
   * An event-loop stall at least this long is logged (warn) with what ran in it, and observed in
   * `ehrchain_event_loop_stall_seconds` (node/raft/stall-watch.ts).
   */
  readonly stallWarnMs: number;
  /** How often the leader compares Raft's membership with the validator set in state. */
  readonly membershipIntervalMs: number;
}

// etcd's defaults: heartbeat 100 ms, election timeout 1 s (randomised to 1-2 s). 500 ms measured too
// short for validators that share a loaded machine: the event loop lags past it and elects needlessly.
export const defaultRaftNodeOptions: RaftNodeOptions = {
  tickMs: 100,
  electionTick: 10,
  heartbeatTick: 1,
  leaderLostStaggerTick: 2,
  leaderlessHoldMs: 500,
  snapshotEvery: 20_000,
  snapshotBytes: 32 * 1024 * 1024,
  keepEntries: 2_000,
  keepBytes: 8 * 1024 * 1024,
  maxApplyBacklog: 64,
  membershipIntervalMs: 500,
  stallWarnMs: 250,
};
