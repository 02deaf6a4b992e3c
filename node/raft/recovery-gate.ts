/**
 * Keeps a node that lost its Raft state out of elections until it has caught up.
 *
 * Why: a validator restored from a backup, or rebuilt from its peers, has lost the votes it cast and
 * the entries it acknowledged since. If it voted, it could vote twice in one term, or help elect a
 * candidate that lacks an entry it had acknowledged (and that was committed with its help). So
 * while recovering it neither campaigns (its Raft is not ticked) nor answers (pre-)vote requests
 * (they are dropped, as if lost); it follows a leader normally. It is done once it has applied
 * what the leader's first append (or snapshot) showed: its commit index and the last index it sent,
 * whichever is higher. By then it holds every entry the leader held then, which includes every
 * committed entry it could have acknowledged. A timeoutNow (leadership transfer) is dropped too.
 */
import type { Message } from '../../consensus/types.js';
import type { Logger } from '../log.js';

export interface RecoveryGateDeps {
  appliedIndex(): number;
  /** Called once when recovery is done (clears the marker). */
  onDone(): Promise<void>;
  readonly log: Logger;
}

export class RecoveryGate {
  #active: boolean;
  #target: number | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    active: boolean,
    private readonly deps: RecoveryGateDeps,
    checkMs = 200,
  ) {
    this.#active = active;
    if (active) {
      deps.log.warn('recovering: out of elections until caught up with the leader');
      this.#timer = setInterval(() => this.check(), checkMs);
      this.#timer.unref();
    }
  }

  /** Whether the node is still catching up (no ticks, no votes). */
  get active(): boolean {
    return this.#active;
  }

  /**
   * False for a (pre-)vote request or a timeoutNow while recovering: the caller drops it. Notes what
   * the leader's first append or snapshot shows.
   */
  admit(m: Message): boolean {
    if (!this.#active) return true;
    if (m.type === 'vote' || m.type === 'preVote' || m.type === 'timeoutNow') return false;
    if (this.#target === null) {
      if (m.type === 'append') this.#target = Math.max(m.commit, m.prevIndex + m.entries.length);
      else if (m.type === 'snapshot') this.#target = m.snapshot.meta.index;
    }
    return true;
  }

  /** Ends recovery once what the leader showed first is applied. */
  check(): void {
    if (!this.#active || this.#target === null) return;
    if (this.deps.appliedIndex() < this.#target) return;
    this.#active = false;
    this.stop();
    this.deps.log.warn(
      { applied: this.deps.appliedIndex() },
      'recovered: caught up with the leader, voting again',
    );
    void this.deps
      .onDone()
      .catch((err: unknown) => this.deps.log.error({ err }, 'could not clear the marker'));
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
