/**
 * The leader's view of one peer's log (etcd tracker.Progress) and the pipelining window (Inflights).
 *
 * probe: we do not know where the follower's log matches; send one append per heartbeat and wait.
 * replicate: the follower is caught up; stream appends optimistically, up to maxInflightMsgs at once.
 * snapshot: the follower needs entries we compacted; a snapshot is in flight, send nothing else.
 */

/** Progress states; see the file comment. */
export const ProgressState = { Probe: 'probe', Replicate: 'replicate', Snapshot: 'snapshot' } as const;
export type ProgressState = (typeof ProgressState)[keyof typeof ProgressState];

/**
 * A bounded ring of in-flight append messages, each remembered by its last index (and size), so the
 * leader stops sending once `capacity` are unacknowledged.
 */
export class Inflights {
  readonly capacity: number;
  private readonly idx: Float64Array;
  private readonly size: Float64Array;
  private start = 0;
  private n = 0;
  private totalBytes = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.idx = new Float64Array(capacity);
    this.size = new Float64Array(capacity);
  }

  /** Records a message whose last entry is `index`. Callers check full() first. */
  add(index: number, bytes: number): void {
    if (this.n === this.capacity) throw new RangeError('inflights: add to a full window');
    const at = (this.start + this.n) % this.capacity;
    this.idx[at] = index;
    this.size[at] = bytes;
    this.n++;
    this.totalBytes += bytes;
  }

  /** Frees every message whose last index is <= `to` (they were acknowledged). */
  freeLE(to: number): void {
    while (this.n > 0 && (this.idx[this.start] as number) <= to) {
      this.totalBytes -= this.size[this.start] as number;
      this.start = (this.start + 1) % this.capacity;
      this.n--;
    }
    if (this.n === 0) this.start = 0;
  }

  /** Frees the oldest message (used on a heartbeat response so a stuck window can make one step). */
  freeFirstOne(): void {
    if (this.n === 0) return;
    this.freeLE(this.idx[this.start] as number);
  }

  full(): boolean {
    return this.n === this.capacity;
  }

  count(): number {
    return this.n;
  }

  bytes(): number {
    return this.totalBytes;
  }

  reset(): void {
    this.start = 0;
    this.n = 0;
    this.totalBytes = 0;
  }
}

/** The leader's bookkeeping for one peer (including itself). */
export class Progress {
  /** Highest index known to be replicated on the peer. */
  match = 0;
  /** Next index to send. */
  next: number;
  state: ProgressState = ProgressState.Probe;
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Ticks spent in snapshot state; after an election timeout the leader gives up and probes again. */
  snapshotTicks = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** In probe state: an append was sent and we wait for its answer (or the next heartbeat response). */
  probeSent = false;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.isLearner = isLearner;
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.snapshotTicks = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // Coming out of snapshot state, the snapshot (if it arrived) covers pendingSnapshot.
    if (this.state === ProgressState.Snapshot) {
      const pending = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** An acknowledgement up to n; returns false if it was stale. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`, with the follower's hint of where to retry. Returns
   * false if the rejection is stale (answers a message we no longer care about).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      if (rejected <= this.match) return false;
      // Optimistic sends went too far; retry right after the last known match.
      this.next = this.match + 1;
      return true;
    }
    // In probe state only the rejection of our most recent probe counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Bookkeeping after sending an append with `entries` entries ending at `lastIndex`. */
  sentEntries(entries: number, lastIndex: number, bytes: number): void {
    if (this.state === ProgressState.Replicate) {
      if (entries > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  /** Whether the leader must hold back appends to this peer for now. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      default:
        return true;
    }
  }
}
