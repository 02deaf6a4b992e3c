/**
 * The Raft state machine proper (after etcd-io/raft's raft.go): terms, roles and the dispatch of
 * ticks and messages to the role files (election.ts, follower.ts, replication.ts), which work on
 * it through the `RaftState` interface. Internal to consensus/: drivers use the `Raft` wrapper in
 * raft.ts, which adds the Ready bookkeeping and exposes read-only views.
 */
import { applyConfChange as applyToConf, decodeConfChange, encodeConfChange } from './confchange.js';
import { campaign, handleVoteRequest, resendVoteRequests, stepCandidate } from './election.js';
import { RaftError } from './errors.js';
import { stepFollower } from './follower.js';
import { RaftLog } from './log.js';
import { validateRaftConfig } from './options.js';
import { Replicator } from './replication.js';
import type { CampaignKind, OutgoingMessage, RaftState } from './state.js';
import { ProgressTracker } from './tracker.js';
import type {
  ConfChange,
  ConfState,
  HardState,
  LeaderLoss,
  Message,
  NodeId,
  PreVoteMsg,
  ProposeResult,
  RaftConfig,
  RaftEvent,
  Ready,
  Role,
  StepDownReason,
  VoteMsg,
} from './types.js';
import { EntryType } from './types.js';

// A fast (pre-)candidate asks again every tick, so a refused request older than this has a newer one.
const LEASE_REFUSED_KEPT_TICKS = 2;

/** One Raft peer's state and transitions; see the file comment. */
export class RaftCore implements RaftState {
  readonly id: NodeId;
  readonly cfg: RaftConfig;
  readonly log: RaftLog;
  readonly trk: ProgressTracker;
  term = 0;
  vote: NodeId | null = null;
  leader: NodeId | null = null;
  role: Role = 'follower';
  electionElapsed = 0;
  heartbeatElapsed = 0;
  leadTransferee: NodeId | null = null;
  pendingConfIndex = 0;
  uncommittedSize = 0;
  /** The hard state storage held at start (the Ready bookkeeping compares against it). */
  readonly initialHardState: HardState;
  /** Outgoing messages since the last Ready. */
  private msgs: Message[] = [];
  private randomizedElectionTimeout = 0;
  /** Ticks until the fast campaign after `leaderLost`, or null when none is due. */
  private fastCampaignIn: number | null = null;
  /** What the pending fast campaign will be: a real election only on a certain loss, rank 0. */
  private fastKind: CampaignKind = 'preElection';
  /** We are a (pre-)candidate of the fast path: ask unanswered voters again each tick. */
  private fastAsking = false;
  /**
   * (Pre-)vote requests refused silently under the lease in the last `LEASE_REFUSED_KEPT_TICKS`
   * ticks, by candidate: answered at once if we learn the leader is lost (see leaderLost).
   */
  private readonly leaseRefused = new Map<NodeId, { readonly m: PreVoteMsg | VoteMsg; ticksAgo: number }>();
  private readonly rep: Replicator;

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
    this.initialHardState = hardState;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log.commitTo(hardState.commit);
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
    this.reset(this.term); // a follower of no one; not an event
  }

  // ---- inputs -------------------------------------------------------------------------------

  tick(): void {
    for (const [from, r] of this.leaseRefused)
      if (++r.ticksAgo > LEASE_REFUSED_KEPT_TICKS) this.leaseRefused.delete(from);
    if (this.role === 'leader') {
      this.rep.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.fastCampaignIn !== null) {
      // A leader heard again (the connection drop was spurious) cancels the fast campaign.
      if (this.leader !== null) this.fastCampaignIn = null;
      else if (--this.fastCampaignIn <= 0) {
        this.fastCampaign();
        return;
      }
    }
    if (this.fastAsking) resendVoteRequests(this);
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.cfg.preVote ? 'preElection' : 'election');
    }
  }

  /**
   * The fast path's campaign, which asks unanswered voters again every tick: a pre-election, or an
   * election (term + 1) when the loss was certain and we rank first (see leaderLost).
   */
  private fastCampaign(): void {
    const kind = this.cfg.preVote ? this.fastKind : 'election';
    this.fastCampaignIn = null;
    this.electionElapsed = 0;
    this.hup(kind);
    this.fastAsking = this.role === 'preCandidate' || this.role === 'candidate';
  }

  isFastPreCandidate(): boolean {
    return this.role === 'preCandidate' && this.fastAsking;
  }

  campaignInsteadOf(candidate: NodeId): void {
    if (this.fastCampaignIn === null || this.role !== 'follower') return;
    this.emit({ type: 'campaignInstead', term: this.term, candidate });
    this.fastKind = 'preElection';
    this.fastCampaign();
  }

  yieldFastCampaign(): void {
    if (this.fastCampaignIn === null) return;
    this.fastCampaignIn = null;
    this.electionElapsed = 0;
  }

  /**
   * The driver's transport lost `peer` and could not redial it. If it is the leader we follow, forget
   * it: its lease no longer makes us refuse (pre-)votes, so we answer at once the ones we refused
   * under it in the last ticks; unless that made us grant one, the first-ranked of the remaining
   * voters (by id) campaigns at once (its requests are in the next Ready) and the one ranked r >= 1
   * after 1 + r * RaftConfig.leaderLostStaggerTick ticks. The first-ranked one skips the pre-vote
   * when the loss is `certain` (the leader's port refused: its process is gone, so there is no live
   * leader to protect); every other fast campaign is a pre-election. Anything else is ignored.
   * Safety does not depend on it: an uncertain false report costs at most a pre-election the others
   * refuse, a certain false one (a bug) at most two terms and an election timeout (docs/raft.md).
   */
  leaderLost(peer: NodeId, loss: LeaderLoss = { certain: false }): void {
    if (this.role !== 'follower' || this.leader === null || this.leader !== peer || !this.promotable()) {
      return;
    }
    const rest = this.trk.conf.voters.filter((v) => v !== peer).sort();
    const rank = Math.max(0, rest.indexOf(this.id));
    const inTicks = rank === 0 ? 0 : 1 + rank * (this.cfg.leaderLostStaggerTick ?? 2);
    const certain = loss.certain;
    this.leader = null;
    this.fastCampaignIn = inTicks;
    this.fastKind = certain && rank === 0 ? 'election' : 'preElection';
    this.emit({ type: 'leaderLost', term: this.term, leader: peer, inTicks, certain });
    // A survivor that detected the loss first is already asking: answer it rather than run too
    // (granting drops our own pending campaign, election.ts).
    const refused = [...this.leaseRefused.values()].map((r) => r.m);
    this.leaseRefused.clear();
    for (const m of refused) this.step(m);
    if (this.fastCampaignIn === 0) this.fastCampaign();
  }

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'preVote' || m.type === 'vote') {
        const force = m.type === 'vote' && m.transfer;
        // Leader lease (thesis 4.2.3): while we hear from a live leader, ignore would-be disruptors.
        const inLease =
          this.cfg.checkQuorum && this.leader !== null && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) {
          this.leaseRefused.set(m.from, { m, ticksAgo: 0 });
          this.emitRefusal(m, 'inLease');
          return;
        }
      }
      if (m.type === 'vote') {
        // A survivor told of the loss keeps its pending fast campaign across the new term: if it
        // refuses this candidate (its own log is ahead) it runs instead (campaignInsteadOf).
        const told = this.fastCampaignIn !== null || this.fastAsking;
        this.becomeFollower(m.term, null, 'higherTerm');
        if (told) this.fastCampaignIn = 0;
      } else if (m.type === 'preVote') {
        // Pre-vote never changes our term.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // The term in a granted pre-vote is the one we will campaign in; we bump it when we win.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from, 'higherTerm');
      } else {
        this.becomeFollower(m.term, null, 'higherTerm');
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // A stale leader would otherwise never learn our term (its heartbeats are ignored and, with
        // pre-vote/check-quorum, we may never disrupt it): answer so it steps down.
        this.send({ type: 'appendResp', to: m.from, index: 0, reject: false, rejectHint: 0, hintTerm: 0 });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      if (m.type === 'preVote' || m.type === 'vote') this.emitRefusal(m, 'staleTerm');
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

  propose(data: Uint8Array): ProposeResult {
    const refused = this.refuseProposal();
    if (refused) return refused;
    return this.rep.appendAndSend([{ type: EntryType.Normal, data }]);
  }

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

  applyConfChange(cc: ConfChange): ConfState {
    this.trk.setConf(applyToConf(this.trk.conf, cc), this.log.lastIndex() + 1);
    if (this.role === 'leader') this.rep.onConfChange();
    return this.trk.conf;
  }

  transferLeadership(to: NodeId): void {
    if (this.role === 'leader') this.rep.transferLeadership(to);
  }

  // ---- Ready support (raft.ts keeps the bookkeeping) ----------------------------------------

  /** Sends what was proposed since the last call, batched (see Replicator.flush). */
  flush(): void {
    this.rep.flush();
  }

  hasMessages(): boolean {
    return this.msgs.length > 0;
  }

  /** Hands the queued messages over to a Ready. */
  takeMessages(): Message[] {
    const out = this.msgs;
    this.msgs = [];
    return out;
  }

  /** The driver is done with `rd` (see raft.ts for what that requires): mark it stable and applied. */
  advance(rd: Ready): void {
    if (rd.snapshot) {
      this.log.stableSnapTo(rd.snapshot.meta.index);
      this.log.appliedTo(rd.snapshot.meta.index);
    }
    const lastNew = rd.entries[rd.entries.length - 1];
    if (lastNew) {
      this.log.stableTo(lastNew.index, lastNew.term);
      this.rep.onPersisted(lastNew.index, lastNew.term);
    }
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

  // ---- roles --------------------------------------------------------------------------------

  promotable(): boolean {
    return this.trk.isVoter(this.id);
  }

  becomeFollower(term: number, leader: NodeId | null, reason: StepDownReason): void {
    const from = this.role;
    this.reset(term);
    this.role = 'follower';
    this.leader = leader;
    if (from !== 'follower') this.emit({ type: 'steppedDown', term, from, reason });
    this.emit({ type: 'becameFollower', term, leader });
  }

  becomePreCandidate(): void {
    // No term bump and no vote: a failed pre-election leaves no trace (thesis 9.6).
    this.role = 'preCandidate';
    this.leader = null;
    this.fastCampaignIn = null;
    this.fastAsking = false;
    this.trk.resetVotes();
    this.emit({ type: 'becamePreCandidate', term: this.term });
  }

  becomeCandidate(): void {
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
    this.emit({ type: 'becameCandidate', term: this.term });
  }

  becomeLeader(): void {
    this.reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    this.emit({ type: 'becameLeader', term: this.term });
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
    this.fastCampaignIn = null;
    this.fastAsking = false;
    this.leaseRefused.clear();
    this.trk.resetVotes();
    this.trk.resetProgress(this.id, this.log.lastIndex());
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
  }

  hup(kind: CampaignKind): void {
    campaign(this, kind);
  }

  // ---- helpers ------------------------------------------------------------------------------

  emit(e: RaftEvent): void {
    this.cfg.onEvent?.(e);
  }

  private emitRefusal(m: Message & { type: 'preVote' | 'vote' }, reason: 'inLease' | 'staleTerm'): void {
    const pre = m.type === 'preVote';
    this.emit({ type: 'voteRefused', term: this.term, pre, candidate: m.from, voteTerm: m.term, reason });
  }

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
  send(m: OutgoingMessage): void {
    const isRequest =
      m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' || m.type === 'timeoutNow';
    if (isRequest && !this.trk.isMember(m.to)) return;
    if ((m.type === 'vote' || m.type === 'preVote') && !this.trk.isVoter(m.to)) return;
    this.msgs.push({ ...m, from: this.id, term: m.term ?? this.term } as Message);
  }
}
