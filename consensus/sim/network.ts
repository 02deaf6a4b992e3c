/**
 * The simulator's network: a seeded fault model over in-flight messages. Time is the simulator's
 * step counter. A sent message is delivered at the earliest one step later; it can be dropped,
 * delayed by up to `maxDelay` further steps, duplicated, and delivered out of order. Partitions
 * split the nodes into groups; a message crossing groups is lost when it comes due. Messages to a
 * crashed node are lost.
 */
import type { Prng } from './prng.js';

/** Fault rates; all probabilities are per message. */
export interface NetworkFaults {
  drop: number;
  duplicate: number;
  /** Probability that a message gets an extra delay of 1..maxDelay steps. */
  delay: number;
  maxDelay: number;
  /** Shuffle messages that come due in the same step (otherwise send order). */
  reorder: boolean;
}

/** A reliable network: every message arrives next step, in order. */
export const reliableNetwork: NetworkFaults = {
  drop: 0,
  duplicate: 0,
  delay: 0,
  maxDelay: 0,
  reorder: false,
};

/** Counters of what the network did, for tests that assert faults happened. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  delayed: number;
  /** Steps in which a due batch of two or more messages was shuffled. */
  reordered: number;
  /** Lost because sender and receiver were in different partition groups. */
  partitionLost: number;
  /** Lost because the receiver was down. */
  downLost: number;
  partitions: number;
  heals: number;
}

/** Anything with an address. */
export interface Addressed {
  readonly from: string;
  readonly to: string;
}

/** Seeded in-flight message store with faults; see the file comment. */
export class SimNetwork<M extends Addressed> {
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    partitionLost: 0,
    downLost: 0,
    partitions: 0,
    heals: 0,
  };
  private readonly due = new Map<number, M[]>();
  private readonly group = new Map<string, number>();
  private readonly down = new Set<string>();
  private inFlight = 0;

  constructor(
    private readonly rng: Prng,
    public faults: NetworkFaults,
  ) {}

  /** Queues a message sent at step `now`. */
  send(msg: M, now: number): void {
    this.stats.sent++;
    if (this.faults.drop > 0 && this.rng.chance(this.faults.drop)) {
      this.stats.dropped++;
      return;
    }
    this.enqueue(msg, now);
    if (this.faults.duplicate > 0 && this.rng.chance(this.faults.duplicate)) {
      this.stats.duplicated++;
      this.enqueue(msg, now);
    }
  }

  private enqueue(msg: M, now: number): void {
    let at = now + 1;
    if (this.faults.delay > 0 && this.rng.chance(this.faults.delay)) {
      this.stats.delayed++;
      at += this.rng.range(1, Math.max(1, this.faults.maxDelay));
    }
    const bucket = this.due.get(at);
    if (bucket) bucket.push(msg);
    else this.due.set(at, [msg]);
    this.inFlight++;
  }

  /** Removes and returns the messages due at step `now` that can be delivered. */
  deliver(now: number): M[] {
    const bucket = this.due.get(now);
    if (!bucket) return [];
    this.due.delete(now);
    this.inFlight -= bucket.length;
    if (this.faults.reorder && bucket.length > 1) {
      this.rng.shuffle(bucket);
      this.stats.reordered++;
    }
    const out: M[] = [];
    for (const m of bucket) {
      if (this.down.has(m.to)) this.stats.downLost++;
      else if (!this.connected(m.from, m.to)) this.stats.partitionLost++;
      else out.push(m);
    }
    this.stats.delivered += out.length;
    return out;
  }

  /** Whether a and b are in the same partition group. */
  connected(a: string, b: string): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  /** Splits the nodes into the given groups (nodes not listed join group 0). */
  partition(groups: readonly (readonly string[])[]): void {
    this.group.clear();
    groups.forEach((g, i) => {
      for (const id of g) this.group.set(id, i);
    });
    this.stats.partitions++;
  }

  /** Whether any partition is in force. */
  get partitioned(): boolean {
    return this.group.size > 0 && new Set(this.group.values()).size > 1;
  }

  /** Ends any partition. */
  heal(): void {
    if (this.group.size > 0) this.stats.heals++;
    this.group.clear();
  }

  /** Marks a node down: messages to it are lost, including those already in flight. */
  crash(id: string): void {
    this.down.add(id);
    for (const [at, bucket] of this.due) {
      const kept = bucket.filter((m) => m.to !== id);
      const lost = bucket.length - kept.length;
      if (lost === 0) continue;
      this.stats.downLost += lost;
      this.inFlight -= lost;
      if (kept.length === 0) this.due.delete(at);
      else this.due.set(at, kept);
    }
  }

  /** Marks a node up again. */
  restart(id: string): void {
    this.down.delete(id);
  }

  /** Whether the node is down. */
  isDown(id: string): boolean {
    return this.down.has(id);
  }

  /** Number of messages queued. */
  get pending(): number {
    return this.inFlight;
  }
}
