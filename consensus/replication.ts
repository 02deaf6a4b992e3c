/**
 * The leader's half of Raft: appending proposals, replicating them (probe / replicate / snapshot
 * per follower, pipelined within the inflight window), counting acknowledgements into commits,
 * heartbeats, check-quorum, and leadership transfer. Operates on the RaftState (state.ts) it belongs to.
 */
import type { Progress } from './progress.js';
import type { ProposedEntry, RaftState } from './state.js';
import type { AppendRespMsg, Entry, Message, NodeId, ProposeResult, TransferAbortReason } from './types.js';
import { EntryType } from './types.js';

const empty = new Uint8Array(0);

/** Leader-side logic of one Raft peer. */
export class Replicator {
  private readonly r: RaftState;
  /** Proposals were appended since the last flush; send them in as few messages as possible. */
  pendingFlush = false;

  constructor(r: RaftState) {
    this.r = r;
  }

  /** §5.2/§8: a new leader commits an empty entry of its own term to learn what is committed. */
  onBecomeLeader(): void {
    const r = this.r;
    const self = r.trk.progress.get(r.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conservatively treat everything in the log as possibly holding an unapplied conf change.
    r.pendingConfIndex = r.log.lastIndex();
    this.append([{ type: EntryType.Normal, data: empty }]);
    this.bcastAppend();
  }

  /** Appends proposed entries to the leader's log; they are sent on the next flush. */
  appendAndSend(ents: readonly ProposedEntry[]): ProposeResult {
    const r = this.r;
    const max = r.cfg.maxUncommittedBytes;
    let size = 0;
    for (const e of ents) size += e.data.byteLength;
    // An empty tail always accepts one proposal, so a single large entry is never stuck.
    if (max > 0 && r.uncommittedSize > 0 && r.uncommittedSize + size > max) {
      return { ok: false, code: 'too_many_uncommitted', leader: r.leader };
    }
    r.uncommittedSize += size;
    const last = this.append(ents);
    this.pendingFlush = true;
    return { ok: true, index: last, term: r.term };
  }

  private append(ents: readonly ProposedEntry[]): number {
    const r = this.r;
    const li = r.log.lastIndex();
    const stamped: Entry[] = ents.map((e, i) => ({
      term: r.term,
      index: li + 1 + i,
      type: e.type,
      data: e.data,
    }));
    // The leader's own copy counts toward the quorum only once it is durable (onPersisted): its
    // appends may leave before its disk write ends (thesis 10.2.1), so a quorum without it must be
    // a quorum of followers that persisted.
    return r.log.append(stamped);
  }

  /**
   * The driver persisted the leader's entries up to `index` of `term`: its own copy now counts
   * toward the quorum (thesis 10.2.1); a new commit goes out to the followers at once.
   */
  onPersisted(index: number, term: number): void {
    const r = this.r;
    if (r.role !== 'leader' || term !== r.term) return;
    if (r.trk.progress.get(r.id)?.maybeUpdate(index) !== true) return;
    if (this.maybeCommit()) this.bcastAppend();
  }

  /** Sends everything proposed since the last flush (batched up to maxSizePerMsg per message). */
  flush(): void {
    if (!this.pendingFlush) return;
    this.pendingFlush = false;
    if (this.r.role !== 'leader') return;
    for (const id of this.r.trk.progress.keys()) {
      if (id !== this.r.id) while (this.maybeSendAppend(id, false)) {}
    }
  }

  tickLeader(): void {
    const r = this.r;
    r.heartbeatElapsed++;
    r.electionElapsed++;
    if (r.electionElapsed >= r.cfg.electionTick) {
      r.electionElapsed = 0;
      // Check-quorum: a leader cut off from a majority steps down rather than serve stale reads
      // and accept proposals that cannot commit.
      if (r.cfg.checkQuorum && !r.trk.quorumActive(r.id)) {
        r.becomeFollower(r.term, null, 'checkQuorum');
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.abortTransfer('timeout');
    }
    for (const [id, pr] of r.trk.progress) {
      // A lost snapshot would otherwise stall the follower forever: retry after an election timeout.
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= r.cfg.electionTick) {
        pr.becomeProbe();
        this.sendAppend(id);
      }
    }
    if (r.heartbeatElapsed >= r.cfg.heartbeatTick) {
      r.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  stepLeader(m: Message): void {
    const pr = this.r.trk.progress.get(m.from);
    if (!pr) return;
    if (m.type === 'appendResp') {
      this.handleAppendResp(m, pr);
    } else if (m.type === 'heartbeatResp') {
      pr.recentActive = true;
      pr.probeSent = false;
      // Let a full window make one step per heartbeat, so a lost ack cannot stall a follower.
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
      if (pr.match < this.r.log.lastIndex() || pr.state === 'probe') this.sendAppend(m.from);
    }
  }

  private handleAppendResp(m: AppendRespMsg, pr: Progress): void {
    const r = this.r;
    pr.recentActive = true;
    if (m.reject) {
      // Fast back-off: skip every entry of a term the follower cannot hold at that position.
      let next = m.rejectHint;
      if (m.hintTerm > 0) next = r.log.findConflictByTerm(m.rejectHint, m.hintTerm).index;
      if (pr.maybeDecrTo(m.index, next)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    // An acknowledgement beyond our log cannot come from an honest peer of this term.
    if (m.index > r.log.lastIndex()) return;
    const oldPaused = pr.isPaused();
    if (!(pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe'))) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
      // The snapshot (or enough of the log) arrived: resume normal replication.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index);
    }
    if (this.maybeCommit()) this.bcastAppend();
    else if (oldPaused) this.sendAppend(m.from);
    // Pipelining: keep the window full.
    while (this.maybeSendAppend(m.from, false)) {}
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  /** §5.3/§5.4.2: advance commit to what a majority holds, if that entry is from our term. */
  maybeCommit(): boolean {
    return this.r.log.maybeCommit(this.r.trk.committed(), this.r.term);
  }

  bcastAppend(): void {
    for (const id of this.r.trk.progress.keys()) if (id !== this.r.id) this.sendAppend(id);
  }

  private bcastHeartbeat(): void {
    const r = this.r;
    for (const [id, pr] of r.trk.progress) {
      if (id === r.id) continue;
      // Never tell a follower to commit beyond what we know it holds.
      r.send({ type: 'heartbeat', to: id, commit: Math.min(pr.match, r.log.committed) });
    }
  }

  sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /** Sends one append to `to` unless its progress is paused; returns whether a message was sent. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const r = this.r;
    const pr = r.trk.progress.get(to);
    if (!pr || to === r.id || pr.isPaused()) return false;
    if (pr.next > r.log.lastIndex() + 1) pr.next = r.log.lastIndex() + 1;
    const prevIndex = pr.next - 1;
    const prevTerm = r.log.termOrUndefined(prevIndex);
    if (prevTerm === undefined || pr.next < r.log.firstIndex()) return this.maybeSendSnapshot(to, pr);
    const entries = r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsg);
    if (entries.length === 0 && !sendIfEmpty) return false;
    let bytes = 0;
    for (const e of entries) bytes += e.data.byteLength;
    r.send({ type: 'append', to, prevIndex, prevTerm, entries, commit: r.log.committed });
    pr.sentEntries(entries.length, prevIndex + entries.length, bytes);
    return true;
  }

  private maybeSendSnapshot(to: NodeId, pr: Progress): boolean {
    const r = this.r;
    // Do not ship a (possibly large) snapshot to a peer we have not heard from.
    if (!pr.recentActive) return false;
    const snapshot = r.log.snapshot();
    if (snapshot.meta.index === 0) return false;
    pr.becomeSnapshot(snapshot.meta.index);
    r.send({ type: 'snapshot', to, snapshot });
    return true;
  }

  private sendTimeoutNow(to: NodeId): void {
    this.r.send({ type: 'timeoutNow', to });
  }

  /** Called after the driver applied a conf change on the leader. */
  onConfChange(): void {
    const r = this.r;
    if (!r.trk.isVoter(r.id)) {
      // §6: a leader removed from the configuration steps down once the removal is committed
      // (the driver applies only committed entries); first tell the others the new commit index.
      this.bcastAppend();
      r.becomeFollower(r.term, null, 'removed');
      return;
    }
    if (r.leadTransferee !== null && !r.trk.isVoter(r.leadTransferee))
      this.abortTransfer('transfereeRemoved');
    // Removing a voter may shrink the quorum enough to commit more.
    if (this.maybeCommit()) this.bcastAppend();
    else {
      for (const [id, pr] of r.trk.progress) {
        if (id !== r.id) this.maybeSendAppend(id, pr.state === 'probe');
      }
    }
  }

  private abortTransfer(reason: TransferAbortReason): void {
    const r = this.r;
    if (r.leadTransferee === null) return;
    r.emit({ type: 'transferAborted', term: r.term, to: r.leadTransferee, reason });
    r.leadTransferee = null;
  }

  transferLeadership(to: NodeId): void {
    const r = this.r;
    if (to === r.id) return;
    const pr = r.trk.progress.get(to);
    if (!pr || pr.isLearner) return;
    if (r.leadTransferee === to) return;
    this.abortTransfer('superseded');
    r.leadTransferee = to;
    r.emit({ type: 'transferStarted', term: r.term, to });
    // The transfer must finish within an election timeout or it is aborted (see tickLeader).
    r.electionElapsed = 0;
    if (pr.match === r.log.lastIndex()) this.sendTimeoutNow(to);
    else this.sendAppend(to);
  }
}
