/**
 * The public face of the Raft core, in the manner of etcd-io/raft's RawNode: `tick()`, `step()`
 * and proposals in, `Ready` out, and read-only views (status, a peer's progress, soft and hard
 * state, the log). Election with pre-vote and check-quorum, replication with fast back-off,
 * pipelining and flow control, snapshots, single-server membership change and leadership
 * transfer live in the core (core.ts and the role files); this file owns the Ready bookkeeping.
 */
import { RaftCore } from './core.js';
import { RaftError } from './errors.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  LeaderLoss,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  Ready,
  Role,
  SoftState,
  Status,
} from './types.js';

export type { CampaignKind, ProposedEntry } from './state.js';

/** A read-only view of the leader's progress for one peer (for status pages and tests). */
export interface PeerProgress {
  readonly match: number;
  readonly next: number;
  readonly state: 'probe' | 'replicate' | 'snapshot';
  readonly inflight: number;
  readonly paused: boolean;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
}

/** A read-only view of the node's log: stable and unstable entries together. */
export interface RaftLogView {
  /** First index still held (after the snapshot, if any). */
  firstIndex(): number;
  lastIndex(): number;
  /** Term at `index`; throws RaftError 'compacted' / 'unavailable' outside the log. */
  term(index: number): number;
  /** Entries in [lo, hi); throws RaftError 'compacted' / 'unavailable' outside the log. */
  slice(lo: number, hi: number): readonly Entry[];
  readonly committed: number;
  readonly applied: number;
}

/**
 * One Raft peer. Not thread-safe, does no I/O. The driver's loop: feed `tick()`/`step()`/proposals,
 * then while `hasReady()`: `ready()`, handle it as the contract in types.ts says, `advance(rd)`.
 * Before advance: persist, and apply conf changes; sending and applying normal entries (in order)
 * may come later.
 */
export class Raft {
  readonly #core: RaftCore;
  readonly #log: RaftLogView;
  #prevSoft: SoftState = { leader: null, role: 'follower' };
  #prevHard: HardState;
  #outstanding: Ready | null = null;

  /** Throws RaftError 'invalid_config' on a bad config or stored state. */
  constructor(config: RaftConfig) {
    const core = new RaftCore(config);
    this.#core = core;
    this.#prevHard = core.initialHardState;
    const log = core.log;
    this.#log = {
      firstIndex: () => log.firstIndex(),
      lastIndex: () => log.lastIndex(),
      term: (i) => log.term(i),
      slice: (lo, hi) => log.slice(lo, hi),
      get committed() {
        return log.committed;
      },
      get applied() {
        return log.applied;
      },
    };
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Advances logical time by one tick. */
  tick(): void {
    this.#core.tick();
  }

  /** Handles one message from a peer. Stale or unexpected messages are ignored. */
  step(m: Message): void {
    this.#core.step(m);
  }

  /**
   * Tells the core that the transport lost its connection to `peer` and could not redial it (a
   * killed process's sockets close at once). If `peer` is our leader, we stop honouring its lease
   * and campaign within a few ticks, staggered by rank; the first-ranked survivor skips the pre-vote
   * when `loss.certain` (the peer's port refused a connection: no live leader to protect).
   * Otherwise nothing happens. A machine that loses power sends nothing: that case waits out the
   * normal election timeout.
   */
  leaderLost(peer: NodeId, loss: LeaderLoss = { certain: false }): void {
    this.#core.leaderLost(peer, loss);
  }

  /** Starts an election now (a pre-election when pre-vote is on), as if the election timer fired. */
  campaign(): void {
    this.#core.hup(this.#core.cfg.preVote ? 'preElection' : 'election');
  }

  /** Proposes an opaque entry. Only the leader accepts; refusals are values, not exceptions. */
  propose(data: Uint8Array): ProposeResult {
    return this.#core.propose(data);
  }

  /** Proposes a membership change. Throws RaftError 'invalid_conf_change' if it cannot apply. */
  proposeConfChange(cc: ConfChange): ProposeResult {
    return this.#core.proposeConfChange(cc);
  }

  /** The driver calls this when it applies a committed ConfChange entry; returns the new membership. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.#core.applyConfChange(cc);
  }

  /** Starts handing leadership to `to` (a voter); ignored unless we lead. */
  transferLeadership(to: NodeId): void {
    this.#core.transferLeadership(to);
  }

  // ---- outputs ------------------------------------------------------------------------------

  /** Whether there is anything for the driver to do. */
  hasReady(): boolean {
    const core = this.#core;
    core.flush();
    const soft = this.softState();
    return (
      soft.leader !== this.#prevSoft.leader ||
      soft.role !== this.#prevSoft.role ||
      !sameHard(this.hardState(), this.#prevHard) ||
      core.log.unstable.snapshot !== undefined ||
      core.log.unstable.entries.length > 0 ||
      core.hasMessages() ||
      core.log.hasNextCommittedEntries()
    );
  }

  /** Collects the work to do; the driver must handle it and call advance() before the next ready(). */
  ready(): Ready {
    if (this.#outstanding) throw new RaftError('invalid_ready', 'ready() called again before advance()');
    const core = this.#core;
    core.flush();
    const soft = this.softState();
    const hard = this.hardState();
    const snapshot = core.log.unstable.snapshot;
    const messages = core.takeMessages();
    const early =
      soft.role === 'leader' && hard.term === this.#prevHard.term && hard.vote === this.#prevHard.vote
        ? messages.filter((m) => m.type === 'append' || m.type === 'heartbeat')
        : [];
    const rd: Ready = {
      ...(soft.leader !== this.#prevSoft.leader || soft.role !== this.#prevSoft.role
        ? { softState: soft }
        : {}),
      ...(!sameHard(hard, this.#prevHard) ? { hardState: hard } : {}),
      ...(snapshot ? { snapshot } : {}),
      entries: [...core.log.unstable.entries],
      messages,
      ...(early.length > 0 ? { early } : {}),
      committedEntries: core.log.nextCommittedEntries(),
    };
    this.#prevSoft = soft;
    this.#prevHard = hard;
    this.#outstanding = rd;
    return rd;
  }

  /**
   * Tells the core that `rd` was handled as far as types.ts requires before advancing: its
   * snapshot, entries and hard state are durable in Storage and its conf changes applied
   * (applyConfChange). Its messages and normal committed entries may still be on their way.
   * Throws RaftError 'invalid_ready' for a Ready that is not the outstanding one.
   */
  advance(rd: Ready): void {
    if (rd !== this.#outstanding)
      throw new RaftError('invalid_ready', 'advance() with a Ready not from ready()');
    this.#outstanding = null;
    this.#core.advance(rd);
  }

  // ---- read-only views ----------------------------------------------------------------------

  get id(): NodeId {
    return this.#core.id;
  }
  get term(): number {
    return this.#core.term;
  }
  /** The vote cast in the current term. */
  get vote(): NodeId | null {
    return this.#core.vote;
  }
  get leader(): NodeId | null {
    return this.#core.leader;
  }
  get role(): Role {
    return this.#core.role;
  }
  /** Target of an ongoing leadership transfer (only while we lead). */
  get leadTransferee(): NodeId | null {
    return this.#core.leadTransferee;
  }
  /** The configuration this node was built with. */
  get config(): RaftConfig {
    return this.#core.cfg;
  }
  /** The log, read-only. */
  get log(): RaftLogView {
    return this.#log;
  }

  /** Whether this node may campaign (it is a voter in its current configuration). */
  promotable(): boolean {
    return this.#core.promotable();
  }

  /** Volatile state: who leads and our role. */
  softState(): SoftState {
    return { leader: this.#core.leader, role: this.#core.role };
  }

  /** The state that must be durable before messages that depend on it are sent. */
  hardState(): HardState {
    return { term: this.#core.term, vote: this.#core.vote, commit: this.#core.log.committed };
  }

  /** A snapshot of the node's state for observers. */
  status(): Status {
    const core = this.#core;
    return {
      id: core.id,
      role: core.role,
      term: core.term,
      leader: core.leader,
      commit: core.log.committed,
      applied: core.log.applied,
      lastIndex: core.log.lastIndex(),
      conf: { voters: [...core.trk.conf.voters], learners: [...core.trk.conf.learners] },
    };
  }

  /** The leader's progress for `id` (undefined unless we lead and `id` is a member). */
  progress(id: NodeId): PeerProgress | undefined {
    const pr = this.#core.role === 'leader' ? this.#core.trk.progress.get(id) : undefined;
    if (!pr) return undefined;
    return {
      match: pr.match,
      next: pr.next,
      state: pr.state,
      inflight: pr.inflights.count(),
      paused: pr.isPaused(),
      recentActive: pr.recentActive,
      isLearner: pr.isLearner,
    };
  }
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
