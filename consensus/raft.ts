/**
 * The Raft state machine (after etcd-io/raft): `tick()` and `step()` in, `Ready` out. Election with
 * pre-vote and check-quorum, replication with fast back-off, pipelining and flow control, snapshots,
 * single-server membership change and leadership transfer. Leader-side replication lives in
 * replication.ts; this file owns terms, roles, elections and the follower side.
 */
import { applyConfChange as applyToConf, decodeConfChange, encodeConfChange } from './confchange.js';
import { campaign, handleVoteRequest, stepCandidate } from './election.js';
import { RaftError } from './errors.js';
import { stepFollower } from './follower.js';
import { RaftLog } from './log.js';
import { validateRaftConfig } from './options.js';
import { Replicator } from './replication.js';
import { ProgressTracker } from './tracker.js';
import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  Ready,
  Role,
  SoftState,
  Status,
} from './types.js';
import { EntryType } from './types.js';

/** Why a campaign starts: a timeout with pre-vote, a timeout without, or a leadership transfer. */
export type CampaignKind = 'preElection' | 'election' | 'transfer';

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

/** One Raft peer. Not thread-safe, does no I/O; see types.ts for the Ready contract. */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId | null = null;
  leader: NodeId | null = null;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  /** Outgoing messages since the last Ready. */
  msgs: Message[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Target of an ongoing leadership transfer. */
  leadTransferee: NodeId | null = null;
  /** Index of the last conf change proposed by this leader; a new one waits until it is applied. */
  pendingConfIndex = 0;
  /** Bytes of entries appended by this leader and not yet applied. */
  uncommittedSize = 0;
  readonly cfg: RaftConfig;
  private randomizedElectionTimeout = 0;
  private readonly rep: Replicator;
  private prevSoft: SoftState = { leader: null, role: 'follower' };
  private prevHard: HardState;
  private outstanding: Ready | null = null;

  constructor(config: RaftConfig) {
    validateRaftConfig(config);
    this.cfg = config;
    this.id = config.id;
    this.log = new RaftLog(config.storage);
    const { hardState, confState } = config.storage.initialState();
    this.trk = new ProgressTracker(confState, config.maxInflightMsgs, this.log.lastIndex() + 1);
    if (hardState.commit > this.log.lastIndex()) {
      throw new RaftError('invalid_config', `stored commit ${hardState.commit} is beyond the log`);
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log.commitTo(hardState.commit);
    this.prevHard = hardState;
    if (config.applied > this.log.committed) {
      throw new RaftError(
        'invalid_config',
        `applied ${config.applied} is beyond commit ${this.log.committed}`,
      );
    }
    if (config.applied > this.log.applied) {
      // Conf changes applied before the restart but after the snapshot are not in storage's
      // ConfState; the driver will not re-deliver them, so replay them here.
      for (const e of this.log.slice(this.log.applied + 1, config.applied + 1)) {
        if (e.type === EntryType.ConfChange) {
          this.trk.setConf(applyToConf(this.trk.conf, decodeConfChange(e.data)), this.log.lastIndex() + 1);
        }
      }
      this.log.appliedTo(config.applied);
    }
    this.rep = new Replicator(this);
    this.becomeFollower(this.term, null);
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** Advances logical time by one tick. */
  tick(): void {
    if (this.role === 'leader') {
      this.rep.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.cfg.preVote ? 'preElection' : 'election');
    }
  }

  /** Handles one message from a peer. Stale or unexpected messages are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'preVote' || m.type === 'vote') {
        const force = m.type === 'vote' && m.transfer;
        // Leader lease (thesis 4.2.3): while we hear from a live leader, ignore would-be disruptors.
        const inLease =
          this.cfg.checkQuorum && this.leader !== null && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) return;
      }
      if (m.type === 'preVote') {
        // Pre-vote never changes our term.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // The term in a granted pre-vote is the one we will campaign in; we bump it when we win.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // A stale leader would otherwise never learn our term (its heartbeats are ignored and, with
        // pre-vote/check-quorum, we may never disrupt it): answer so it steps down.
        this.send({ type: 'appendResp', to: m.from, index: 0, reject: false, rejectHint: 0, hintTerm: 0 });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'preVote' || m.type === 'vote') {
      handleVoteRequest(this, m);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.rep.stepLeader(m);
        return;
      case 'follower':
        stepFollower(this, m);
        return;
      default:
        stepCandidate(this, m);
    }
  }

  /** Proposes an opaque entry. Only the leader accepts. */
  propose(data: Uint8Array): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    return this.rep.appendAndSend([{ type: EntryType.Normal, data }]);
  }

  /** Proposes a membership change. Throws RaftError 'invalid_conf_change' if it cannot apply. */
  proposeConfChange(cc: ConfChange): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    if (this.pendingConfIndex > this.log.applied) {
      return { ok: false, code: 'conf_change_pending', leader: this.leader };
    }
    applyToConf(this.trk.conf, cc); // validates against the current configuration
    const res = this.rep.appendAndSend([{ type: EntryType.ConfChange, data: encodeConfChange(cc) }]);
    if (res.ok) this.pendingConfIndex = res.index;
    return res;
  }

  /** The driver calls this when it applies a committed ConfChange entry; returns the new membership. */
  applyConfChange(cc: ConfChange): ConfState {
    this.trk.setConf(applyToConf(this.trk.conf, cc), this.log.lastIndex() + 1);
    if (this.role === 'leader') this.rep.onConfChange();
    return this.trk.conf;
  }

  /** Starts handing leadership to `to` (a voter); ignored unless we lead. */
  transferLeadership(to: NodeId): void {
    if (this.role === 'leader') this.rep.transferLeadership(to);
  }

  // ---- outputs ------------------------------------------------------------------------------

  /** Whether there is anything for the driver to do. */
  hasReady(): boolean {
    this.rep.flush();
    const soft = this.softState();
    const hard = this.hardState();
    return (
      soft.leader !== this.prevSoft.leader ||
      soft.role !== this.prevSoft.role ||
      !sameHard(hard, this.prevHard) ||
      this.log.unstable.snapshot !== undefined ||
      this.log.unstable.entries.length > 0 ||
      this.msgs.length > 0 ||
      this.log.hasNextCommittedEntries()
    );
  }

  /** Collects the work to do; the driver must handle it and call advance() before the next ready(). */
  ready(): Ready {
    if (this.outstanding) throw new RaftError('invalid_ready', 'ready() called again before advance()');
    this.rep.flush();
    const soft = this.softState();
    const hard = this.hardState();
    const snapshot = this.log.unstable.snapshot;
    const rd: Ready = {
      ...(soft.leader !== this.prevSoft.leader || soft.role !== this.prevSoft.role
        ? { softState: soft }
        : {}),
      ...(!sameHard(hard, this.prevHard) ? { hardState: hard } : {}),
      ...(snapshot ? { snapshot } : {}),
      entries: [...this.log.unstable.entries],
      messages: this.msgs,
      committedEntries: this.log.nextCommittedEntries(),
    };
    this.msgs = [];
    this.prevSoft = soft;
    this.prevHard = hard;
    this.outstanding = rd;
    return rd;
  }

  /** The driver persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    if (rd !== this.outstanding)
      throw new RaftError('invalid_ready', 'advance() with a Ready not from ready()');
    this.outstanding = null;
    if (rd.snapshot) {
      this.log.stableSnapTo(rd.snapshot.meta.index);
      this.log.appliedTo(rd.snapshot.meta.index);
    }
    const lastNew = rd.entries[rd.entries.length - 1];
    if (lastNew) this.log.stableTo(lastNew.index, lastNew.term);
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied) {
      this.log.appliedTo(lastApplied.index);
      if (this.role === 'leader') {
        let size = 0;
        for (const e of rd.committedEntries) size += e.data.byteLength;
        this.uncommittedSize = Math.max(0, this.uncommittedSize - size);
      }
    }
  }

  /** A snapshot of the node's state for observers. */
  status(): Status {
    return {
      id: this.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      commit: this.log.committed,
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      conf: { voters: [...this.trk.conf.voters], learners: [...this.trk.conf.learners] },
    };
  }

  /** The leader's progress for `id` (undefined unless we lead and `id` is a member). */
  progress(id: NodeId): PeerProgress | undefined {
    const pr = this.role === 'leader' ? this.trk.progress.get(id) : undefined;
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

  // ---- roles --------------------------------------------------------------------------------

  /** Only voters campaign (learners and nodes outside the configuration never do). */
  promotable(): boolean {
    return this.trk.isVoter(this.id);
  }

  becomeFollower(term: number, leader: NodeId | null): void {
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  /** @internal */
  becomePreCandidate(): void {
    // No term bump and no vote: a failed pre-election leaves no trace (thesis 9.6).
    this.role = 'preCandidate';
    this.leader = null;
    this.trk.resetVotes();
  }

  /** @internal */
  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  /** @internal */
  becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    this.rep.onBecomeLeader();
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
    }
    this.leader = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    const r = this.cfg.random();
    const jitter = Number.isFinite(r) ? Math.min(Math.max(r, 0), 0.999999) : 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + Math.floor(jitter * this.cfg.electionTick);
    this.leadTransferee = null;
    this.trk.resetVotes();
    this.trk.resetProgress(this.id, this.log.lastIndex());
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
  }

  /** Starts an election if allowed (see election.ts). */
  hup(kind: CampaignKind): void {
    campaign(this, kind);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private refuseProposal(): ProposeResult | null {
    if (this.role !== 'leader' || !this.trk.isVoter(this.id)) {
      return { ok: false, code: 'not_leader', leader: this.leader };
    }
    if (this.leadTransferee !== null) return { ok: false, code: 'transfer_in_progress', leader: this.leader };
    return null;
  }

  /**
   * Queues a message. Requests go only to members; responses go to whoever asked (a node joining
   * the cluster must be able to answer the leader before it knows the configuration).
   */
  send(m: DistributiveOmit<Message, 'from' | 'term'> & { term?: number }): void {
    const isRequest =
      m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'timeoutNow';
    if (isRequest && !this.trk.isMember(m.to)) return;
    if ((m.type === 'vote' || m.type === 'preVote') && !this.trk.isVoter(m.to)) return;
    this.msgs.push({ ...m, from: this.id, term: m.term ?? this.term } as Message);
  }

  private softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }

  private hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** Entries as proposed, before the leader stamps term and index. */
export type ProposedEntry = Pick<Entry, 'type' | 'data'>;
