/**
 * On the leader, every `intervalMs`: proposes the next single-server step from Raft's membership
 * toward the validator set in applied state (membership.ts decides the step). A refusal (a change
 * already in flight) is retried next round.
 */
import type { ConfChange, ProposeResult, Status } from '../../consensus/types.js';
import type { Logger } from '../log.js';
import { nextMembershipChange, type Validator } from './membership.js';

export interface MembershipReconcilerOptions {
  readonly intervalMs: number;
}

export interface MembershipReconcilerDeps {
  status(): Status;
  /** The leader's view of a peer's match index. */
  matchOf(id: string): number | undefined;
  proposeConfChange(change: ConfChange): ProposeResult;
  validators(): readonly Validator[];
  /** True once the node has stopped taking part in consensus. */
  faulted(): boolean;
  readonly log: Logger;
}

export class MembershipReconciler {
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: MembershipReconcilerOptions,
    private readonly deps: MembershipReconcilerDeps,
  ) {}

  start(): void {
    if (this.#timer === null) this.#timer = setInterval(() => this.reconcile(), this.opts.intervalMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One round: propose the next membership step, if this node leads and one is needed. */
  reconcile(): void {
    const { deps } = this;
    if (deps.faulted() || deps.status().role !== 'leader') return;
    const wanted = new Set(deps.validators().map((v) => v.peerId));
    const change = nextMembershipChange(deps.status(), wanted, (id) => deps.matchOf(id));
    if (change === null) return;
    try {
      const r = deps.proposeConfChange(change);
      if (r.ok) deps.log.info({ change }, 'membership change proposed');
    } catch (err) {
      deps.log.warn({ err, change }, 'membership change refused');
    }
  }
}
