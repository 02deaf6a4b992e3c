/**
 * The follower side of replication: AppendEntries with the log-matching check and the fast
 * back-off hint, heartbeats, and InstallSnapshot.
 */
import type { RaftState } from './state.js';
import type { AppendMsg, Entry, HeartbeatMsg, Message, SnapshotMsg } from './types.js';

/** Messages of the current term for a follower. */
export function stepFollower(r: RaftState, m: Message): void {
  // Election safety: a term has at most one leader. Replication of our term from anyone but the
  // leader we follow can only come from a peer lying about its role (a validator that was not
  // elected, trying to put a block of its own into our log): ignore it.
  if (isReplication(m) && r.leader !== null && m.from !== r.leader) return;
  switch (m.type) {
    case 'append':
      r.electionElapsed = 0;
      r.leader = m.from;
      handleAppend(r, m);
      return;
    case 'heartbeat':
      r.electionElapsed = 0;
      r.leader = m.from;
      handleHeartbeat(r, m);
      return;
    case 'snapshot':
      r.electionElapsed = 0;
      r.leader = m.from;
      handleSnapshot(r, m);
      return;
    case 'timeoutNow':
      // Leadership transfer: campaign now, skipping pre-vote and the lease of the old leader.
      r.hup('transfer');
      return;
    default:
      return;
  }
}

function isReplication(m: Message): m is AppendMsg | HeartbeatMsg | SnapshotMsg {
  return m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot';
}

function handleAppend(r: RaftState, m: AppendMsg): void {
  if (!wellFormedAppend(m)) return;
  if (m.prevIndex < r.log.committed) {
    r.send({
      type: 'appendResp',
      to: m.from,
      index: r.log.committed,
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
    return;
  }
  if (r.trk.conf.voters.length === 0 && r.log.lastIndex() === 0 && m.entries.length > 0) {
    // We joined with no configuration: replaying the log from index 1 would apply membership
    // changes to an empty set (and could make us a cluster of one). Only a snapshot, which
    // carries the membership, may start our log. While the leader probes above index 0, reject with
    // hint 0 so it learns our log is empty and backs off below its first index, where it sends a
    // snapshot (silence left it probing above its first index forever: sim seed 5502). Once it is
    // at index 0 there is nothing more to tell: stay silent (no ping-pong) until it has a snapshot.
    if (m.prevIndex > 0) {
      r.send({
        type: 'appendResp',
        to: m.from,
        index: m.prevIndex,
        reject: true,
        rejectHint: 0,
        hintTerm: 0,
      });
    }
    return;
  }
  const lastNew = r.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
  if (lastNew !== null) {
    r.send({
      type: 'appendResp',
      to: m.from,
      index: lastNew,
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
    return;
  }
  // §5.3 log matching failed. Fast back-off: point the leader at the last entry that could match.
  const hint = r.log.findConflictByTerm(Math.min(m.prevIndex, r.log.lastIndex()), m.prevTerm);
  r.send({
    type: 'appendResp',
    to: m.from,
    index: m.prevIndex,
    reject: true,
    rejectHint: hint.index,
    hintTerm: hint.term,
  });
}

function handleHeartbeat(r: RaftState, m: HeartbeatMsg): void {
  r.log.commitTo(m.commit);
  r.send({ type: 'heartbeatResp', to: m.from });
}

function handleSnapshot(r: RaftState, m: SnapshotMsg): void {
  const s = m.snapshot;
  if (!Number.isSafeInteger(s.meta.index) || s.meta.index < 0 || s.meta.term > m.term) return;
  // Every entry from index 1 on has a term of at least 1: a snapshot claiming index > 0 at term 0
  // describes a log no leader can have, and installing it would leave us refusing every append.
  if (s.meta.index > 0 && !(s.meta.term >= 1)) return;
  const { conf } = s.meta;
  // Unlike etcd we accept a snapshot whose membership lacks us: a new member gets a snapshot
  // taken before its addition and learns of it from the entries that follow.
  if (s.meta.index <= r.log.committed) {
    r.send({
      type: 'appendResp',
      to: m.from,
      index: r.log.committed,
      reject: false,
      rejectHint: 0,
      hintTerm: 0,
    });
    return;
  }
  if (r.log.matchTerm(s.meta.index, s.meta.term)) {
    // We already hold the snapshot's last entry: just fast-forward the commit.
    r.log.commitTo(s.meta.index);
  } else {
    r.log.restore(s);
    r.trk.setConf(conf, r.log.lastIndex() + 1);
    r.emit({ type: 'snapshotInstalled', term: r.term, index: s.meta.index, snapshotTerm: s.meta.term });
  }
  r.send({
    type: 'appendResp',
    to: m.from,
    index: r.log.lastIndex(),
    reject: false,
    rejectHint: 0,
    hintTerm: 0,
  });
}

/** Entries must follow prevIndex contiguously with non-decreasing terms no later than the message's. */
function wellFormedAppend(m: AppendMsg): boolean {
  if (!Number.isSafeInteger(m.prevIndex) || m.prevIndex < 0 || m.prevTerm > m.term) return false;
  let prevTerm = m.prevTerm;
  for (let i = 0; i < m.entries.length; i++) {
    const e = m.entries[i] as Entry;
    if (e.index !== m.prevIndex + 1 + i || e.term < prevTerm || e.term > m.term) return false;
    prevTerm = e.term;
  }
  return true;
}
