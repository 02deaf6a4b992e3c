/**
 * Elections: starting a (pre-)campaign, answering vote requests, and counting the answers.
 * Functions over the RaftState (state.ts); the role switches themselves live in core.ts.
 */
import { stepFollower } from './follower.js';
import type { CampaignKind, RaftState } from './state.js';
import type { Message, PreVoteMsg, VoteMsg } from './types.js';
import { EntryType } from './types.js';
/** Starts an election if allowed (§5.2; thesis 9.6 for the pre-election). */
export function campaign(r: RaftState, kind: CampaignKind): void {
  if (r.role === 'leader' || !r.promotable() || hasUnappliedConfChanges(r)) return;
  let voteTerm: number;
  if (kind === 'preElection') {
    r.becomePreCandidate();
    voteTerm = r.term + 1;
  } else {
    r.becomeCandidate();
    voteTerm = r.term;
  }
  if (r.trk.recordVote(r.id, true) === 'won') {
    // A single-voter cluster wins at once.
    if (kind === 'preElection') r.hup('election');
    else r.becomeLeader();
    return;
  }
  const lastLogIndex = r.log.lastIndex();
  const lastLogTerm = r.log.lastTerm();
  for (const to of r.trk.conf.voters) {
    if (to === r.id) continue;
    if (kind === 'preElection') {
      r.send({ type: 'preVote', to, term: voteTerm, lastLogIndex, lastLogTerm });
    } else {
      r.send({
        type: 'vote',
        to,
        term: voteTerm,
        lastLogIndex,
        lastLogTerm,
        transfer: kind === 'transfer',
      });
    }
  }
}

/**
 * A (pre-)candidate of the fast path asks again every tick the voters that have not answered: one
 * of them may have refused silently (the lease) just before it learnt that the leader was lost too.
 */
export function resendVoteRequests(r: RaftState): void {
  if (r.role !== 'preCandidate' && r.role !== 'candidate') return;
  const lastLogIndex = r.log.lastIndex();
  const lastLogTerm = r.log.lastTerm();
  for (const to of r.trk.conf.voters) {
    if (to === r.id || r.trk.votes.has(to)) continue;
    if (r.role === 'preCandidate')
      r.send({ type: 'preVote', to, term: r.term + 1, lastLogIndex, lastLogTerm });
    else r.send({ type: 'vote', to, term: r.term, lastLogIndex, lastLogTerm, transfer: false });
  }
}

/** Committed but unapplied membership changes forbid campaigning (etcd does the same). */
function hasUnappliedConfChanges(r: RaftState): boolean {
  if (r.log.committed <= r.log.applied) return false;
  const lo = Math.max(r.log.applied + 1, r.log.firstIndex());
  return r.log.slice(lo, r.log.committed + 1).some((e) => e.type === EntryType.ConfChange);
}

/** §5.2/§5.4.1 and thesis 9.6: answers a (pre-)vote request whose term is not stale. */
export function handleVoteRequest(r: RaftState, m: PreVoteMsg | VoteMsg): void {
  const pre = m.type === 'preVote';
  // §5.2: one vote per term, first come first served. A pre-vote for a future term binds nothing.
  const canVote = r.vote === m.from || (r.vote === null && r.leader === null) || (pre && m.term > r.term);
  // Fast failover: two survivors pre-campaigning at once would each grant the other and split the
  // vote. The one ranked behind (higher id) stands down unless its log is strictly ahead.
  const yieldsTo = pre && r.role === 'preCandidate' && r.isFastPreCandidate() ? fastYield(r, m) : null;
  if (yieldsTo === false) {
    r.send({ type: 'preVoteResp', to: m.from, term: r.term, reject: true });
    r.emit({
      type: 'voteRefused',
      term: r.term,
      pre,
      candidate: m.from,
      voteTerm: m.term,
      reason: 'outranked',
    });
    return;
  }
  // §5.4.1: only for a candidate whose log is at least as up-to-date as ours.
  if (canVote && r.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
    r.send({ type: pre ? 'preVoteResp' : 'voteResp', to: m.from, term: m.term, reject: false });
    if (!pre) {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
    // A survivor that grants a fast-path (pre-)vote lets that candidate run rather than its own.
    r.yieldFastCampaign();
    if (yieldsTo === true) r.becomeFollower(r.term, null, 'electionLost');
    r.emit({ type: 'voteGranted', term: r.term, pre, candidate: m.from, voteTerm: m.term });
  } else {
    r.send({ type: pre ? 'preVoteResp' : 'voteResp', to: m.from, term: r.term, reject: true });
    const reason = !canVote ? (r.vote !== null ? 'alreadyVoted' : 'leaderKnown') : 'logNotUpToDate';
    r.emit({ type: 'voteRefused', term: r.term, pre, candidate: m.from, voteTerm: m.term, reason });
    // A survivor told of the loss whose log is ahead of a fast candidate's is the one that can win.
    if (!pre && reason === 'logNotUpToDate') r.campaignInsteadOf(m.from);
  }
}

/** For a fast-path pre-candidate: whether the asking candidate ranks ahead of us (lower id) or has a strictly more up-to-date log. */
function fastYield(r: RaftState, m: PreVoteMsg): boolean {
  const lastTerm = r.log.lastTerm();
  const ahead =
    m.lastLogTerm > lastTerm || (m.lastLogTerm === lastTerm && m.lastLogIndex > r.log.lastIndex());
  return ahead || (m.from < r.id && r.log.isUpToDate(m.lastLogIndex, m.lastLogTerm));
}

/** Messages of the current term for a (pre-)candidate. */
export function stepCandidate(r: RaftState, m: Message): void {
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      // §5.2: a candidate that hears from a leader of its term returns to follower.
      r.becomeFollower(m.term, m.from, 'leaderOfTerm');
      stepFollower(r, m);
      return;
    case 'preVoteResp':
    case 'voteResp': {
      if ((m.type === 'preVoteResp') !== (r.role === 'preCandidate')) return;
      const res = r.trk.recordVote(m.from, !m.reject);
      if (res === 'won') {
        if (r.role === 'preCandidate') r.hup('election');
        else r.becomeLeader();
      } else if (res === 'lost') {
        r.becomeFollower(r.term, null, 'electionLost');
      }
      return;
    }
    default:
      return;
  }
}
