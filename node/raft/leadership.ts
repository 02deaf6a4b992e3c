/**
 * Follows Raft's soft state: records leader changes (metrics, log, event stream) and hands block
 * production to this node when it becomes leader, extending the last block in its log.
 */
import type { Role, Status } from '../../consensus/types.js';
import type { ChainTip } from '../blocks/rules.js';
import type { NodeEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';

export interface LeadershipDeps {
  status(): Status;
  readonly producer: { readonly leading: boolean; lead(term: number, tip: ChainTip): void; follow(): void };
  /** The last block in this node's log (applied or not); see blocks/log-tip.ts. */
  logTip(): ChainTip;
  readonly metrics: NodeMetrics;
  readonly events: NodeEvents;
  readonly log: Logger;
  /** Epoch ms (Date.now by default): stamps when this node learned its leader. */
  readonly now?: () => number;
}

export class Leadership {
  #leader: string | null = null;
  /** Epoch ms at which this node learned `#leader` (null with no leader). */
  #since: number | null = null;

  constructor(private readonly deps: LeadershipDeps) {}

  /** The leader as this node last saw it (a libp2p peer id), or null. */
  get leader(): string | null {
    return this.#leader;
  }

  /**
   * Epoch ms, by this node's clock, at which it learned `leader` as its leader; null if `leader` is
   * not the leader it follows (none, or Raft's status is a step ahead of this). Operational only
   * (`/v1/status` `leaderSince`): failover timelines, never consent.
   */
  leaderSince(leader: string | null): number | null {
    return leader !== null && leader === this.#leader ? this.#since : null;
  }

  onSoftState(leader: string | null, role: Role): void {
    const { deps } = this;
    const st = deps.status();
    deps.metrics.raftTerm.set(st.term);
    deps.metrics.isLeader.set(role === 'leader' ? 1 : 0);
    if (leader !== this.#leader) {
      deps.metrics.leaderChanges.inc();
      deps.log.info({ leader, term: st.term, role }, leader === null ? 'no leader' : 'leader elected');
      deps.events.emit('event', { type: 'leader', leader, term: st.term });
      this.#since = leader === null ? null : (deps.now ?? Date.now)();
    }
    this.#leader = leader;
    if (role === 'leader' && !deps.producer.leading) deps.producer.lead(st.term, deps.logTip());
    else if (role !== 'leader' && deps.producer.leading) deps.producer.follow();
  }
}
