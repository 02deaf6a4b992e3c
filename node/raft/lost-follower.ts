/**
 * Repairs a follower that lost entries it had acknowledged (restored from a backup, or rebuilt with
 * `--recover-from-peers`). The Raft core never lowers a follower's `match` (Raft assumes a disk
 * keeps what it acknowledged), so a leader keeps sending from above the follower's log, the
 * follower keeps rejecting, and it never catches up. A new leader starts with no `match` for anyone
 * and probes from its own log's end down. So a leader that sees a follower reject below the match
 * it recorded hands leadership to the most up-to-date other voter (a leadership transfer: no
 * election timeout), at most once per `cooldownMs`.
 */
import type { Message } from '../../consensus/types.js';
import type { Logger } from '../log.js';

export interface LostFollowerDeps {
  readonly self: string;
  status(): { role: string; term: number; voters: readonly string[]; transferring: boolean };
  matchOf(id: string): number | undefined;
  transferLeadership(to: string): void;
  now(): number;
  readonly log: Logger;
}

export class LostFollowerWatch {
  #last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly opts: { readonly cooldownMs: number },
    private readonly deps: LostFollowerDeps,
  ) {}

  /** Looks at each inbound Raft message (before it is stepped); never drops one. */
  observe(m: Message): void {
    if (m.type !== 'appendResp' || !m.reject) return;
    const d = this.deps;
    const match = d.matchOf(m.from);
    if (match === undefined || m.rejectHint >= match) return;
    const st = d.status();
    if (st.role !== 'leader' || st.transferring || m.term !== st.term) return;
    const now = d.now();
    if (now - this.#last < this.opts.cooldownMs) return;
    const to = st.voters
      .filter((id) => id !== d.self && id !== m.from)
      .sort((a, b) => (d.matchOf(b) ?? 0) - (d.matchOf(a) ?? 0))[0];
    if (to === undefined) return;
    this.#last = now;
    d.log.warn(
      { follower: m.from, match, itsLast: m.rejectHint, to },
      'a follower lost entries it had acknowledged (restored?): handing leadership over so it is repaired',
    );
    d.transferLeadership(to);
  }
}
