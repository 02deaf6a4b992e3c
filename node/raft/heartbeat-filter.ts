/**
 * Leaves out a leader's heartbeat to a follower that replication has just covered.
 *
 * The Raft core sends a heartbeat to every follower each `heartbeatTick`, whatever else went: with
 * blocks every 50-100 ms, an append (and its acknowledgement) already crossed each link within the
 * interval, and the heartbeat and its response were two more messages each way per tick, a third
 * of the Raft messages at low rates (docs/bench.md). A heartbeat does three things, each done by
 * what crossed the link meanwhile: it resets the follower's election timer (an append does), it
 * tells the follower the commit index (an append carrying at least as high a commit does), and its
 * response tells the leader the follower is alive and unblocks a stalled probe or window (an
 * acknowledged append does: acknowledgements are cumulative). So a heartbeat to `p` is left out
 * when, since the last heartbeat due for `p`, an append to `p` with a commit index at least the
 * heartbeat's went out AND an accepted append response came back from `p`. Otherwise it goes out
 * as before, so an idle, lossy or probing link is heartbeaten every interval, and a link that got
 * no answer in one interval is heartbeaten in the next. Raft's safety does not depend on any
 * message arriving: this only changes which messages are sent, never what one says.
 */
import type { Message } from '../../consensus/types.js';

interface Interval {
  /** Highest commit index carried by an append sent to the peer in this interval (-1: none). */
  appendCommit: number;
  /** An accepted append response came back from the peer in this interval. */
  acked: boolean;
}

/** Per-follower record of what crossed the link since its last heartbeat was due. */
export class HeartbeatFilter {
  readonly #peers = new Map<string, Interval>();

  /** Whether the outbound `m` should be sent (false only for a covered heartbeat); notes appends. */
  shouldSend(m: Message): boolean {
    if (m.type === 'append') {
      const p = this.#interval(m.to);
      if (m.commit > p.appendCommit) p.appendCommit = m.commit;
      return true;
    }
    if (m.type !== 'heartbeat') return true;
    const p = this.#peers.get(m.to);
    // A heartbeat was due: the next interval starts empty either way.
    this.#peers.delete(m.to);
    return !(p?.acked && p.appendCommit >= m.commit);
  }

  /** Notes an inbound message admitted to Raft: an accepted append response shows the link works. */
  received(m: Message): void {
    if (m.type === 'appendResp' && !m.reject) this.#interval(m.from).acked = true;
  }

  #interval(peer: string): Interval {
    let p = this.#peers.get(peer);
    if (p === undefined) {
      p = { appendCommit: -1, acked: false };
      this.#peers.set(peer, p);
    }
    return p;
  }
}
