/**
 * Holds block execution while this node has lost its leader (issue 18, docs/raft.md): the sliced
 * executor (blocks/sliced-exec.ts) asks at each slice boundary and waits, until a leader is known
 * again or `holdMs` after the loss, whichever comes first. During a failover the survivors' main
 * threads answer the election's messages instead of applying the backlog of committed blocks; the
 * blocks are applied the same, only later. A node that never knew a leader (starting up) is not held.
 */

/** Follows Raft's soft state; see the file comment. */
export class LeaderlessHold {
  #hadLeader = false;
  #release: (() => void) | null = null;
  #held: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly holdMs: number) {}

  /** Raft's soft state changed: `leader` is who leads now (null: nobody known). */
  onLeader(leader: string | null): void {
    if (leader !== null) {
      this.#hadLeader = true;
      this.#end();
      return;
    }
    if (!this.#hadLeader || this.#held !== null || this.holdMs <= 0) return;
    // One hold per loss: a second loss before a leader is known does not extend it.
    this.#hadLeader = false;
    this.#held = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    this.#timer = setTimeout(() => this.#end(), this.holdMs);
    this.#timer.unref?.();
  }

  /** A promise to wait on while held, else null (go on). */
  wait(): Promise<void> | null {
    return this.#held;
  }

  /** Releases any waiter (the node stops). */
  stop(): void {
    this.#end();
  }

  #end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const release = this.#release;
    this.#release = null;
    this.#held = null;
    release?.();
  }
}
