/**
 * Count buckets: who holds the most? Keys with a small integer count, grouped by count, with O(1)
 * increment, decrement and "a key with the highest count" (the LFU-cache trick: counts move by one,
 * so the maximum moves by at most one per operation).
 */
export class CountBuckets {
  private readonly counts = new Map<string, number>();
  private readonly buckets: Set<string>[] = [new Set()];
  private max = 0;

  /** Current count of `key` (0 if absent). */
  countOf(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds one to `key`'s count. */
  inc(key: string): void {
    const c = this.countOf(key);
    if (c > 0) this.buckets[c]!.delete(key);
    const n = c + 1;
    this.counts.set(key, n);
    let b = this.buckets[n];
    if (!b) {
      b = new Set();
      this.buckets[n] = b;
    }
    b.add(key);
    if (n > this.max) this.max = n;
  }

  /** Subtracts one from `key`'s count; a key reaching 0 is forgotten. No-op if absent. */
  dec(key: string): void {
    const c = this.countOf(key);
    if (c === 0) return;
    this.buckets[c]!.delete(key);
    if (c === 1) this.counts.delete(key);
    else {
      this.counts.set(key, c - 1);
      this.buckets[c - 1]!.add(key);
    }
    while (this.max > 0 && this.buckets[this.max]!.size === 0) this.max--;
  }

  /** A key with the highest count (the earliest to reach it), or undefined if none. */
  maxKey(): string | undefined {
    if (this.max === 0) return undefined;
    return this.buckets[this.max]!.values().next().value;
  }

  /** The highest count (0 if empty). */
  get maxCount(): number {
    return this.max;
  }

  /** Number of keys with a non-zero count. */
  get size(): number {
    return this.counts.size;
  }
}
