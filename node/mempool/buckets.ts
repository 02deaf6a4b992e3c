/**
 * Count buckets: who holds the most? Items with a small integer count, grouped by count, with O(1)
 * increment, decrement and "an item with the highest count" (the LFU-cache trick: counts move by
 * one, so the maximum moves by at most one per operation).
 *
 * Intrusive: the count and the bucket links live on the items themselves (`CountNode`), so a move
 * between buckets rewrites a few fields of objects the caller already holds, where a map of counts
 * and a Set per count cost four hash-table operations on tables of thousands of keys.
 */

/** The fields an item carries for `CountBuckets`; only `CountBuckets` writes them. */
export interface CountNode {
  /** Current count (0: in no bucket). */
  count: number;
  bucketPrev: CountNode | null;
  bucketNext: CountNode | null;
}

/** The fields of a `CountNode` in no bucket, to spread into a new item. */
export const noCount = { count: 0, bucketPrev: null, bucketNext: null } as const;

/** Items grouped by count; within a count, in the order they reached it. */
export class CountBuckets<T extends CountNode> {
  // heads[c] / tails[c]: the first and last item with count c (c >= 1).
  private readonly heads: (T | null)[] = [null];
  private readonly tails: (T | null)[] = [null];
  private max = 0;
  private items = 0;

  /** Adds one to `item`'s count; it goes last among the items of its new count. */
  inc(item: T): void {
    const c = item.count;
    if (c > 0) this.unlink(item, c);
    else this.items++;
    const n = c + 1;
    item.count = n;
    this.append(item, n);
    if (n > this.max) this.max = n;
  }

  /** Subtracts one from `item`'s count; at 0 it leaves the buckets. No-op at 0. */
  dec(item: T): void {
    const c = item.count;
    if (c === 0) return;
    this.unlink(item, c);
    item.count = c - 1;
    if (c === 1) this.items--;
    else this.append(item, c - 1);
    while (this.max > 0 && this.heads[this.max] === null) this.max--;
  }

  /** An item with the highest count (the earliest to reach it), or undefined if none. */
  maxItem(): T | undefined {
    return this.max === 0 ? undefined : (this.heads[this.max] ?? undefined);
  }

  /** The highest count (0 if empty). */
  get maxCount(): number {
    return this.max;
  }

  /** Number of items with a non-zero count. */
  get size(): number {
    return this.items;
  }

  private append(item: T, c: number): void {
    if (c >= this.heads.length) {
      this.heads.push(null);
      this.tails.push(null);
    }
    const tail = this.tails[c] ?? null;
    item.bucketPrev = tail;
    item.bucketNext = null;
    if (tail === null) this.heads[c] = item;
    else tail.bucketNext = item;
    this.tails[c] = item;
  }

  private unlink(item: T, c: number): void {
    const { bucketPrev: p, bucketNext: n } = item;
    if (p === null) this.heads[c] = n as T | null;
    else p.bucketNext = n;
    if (n === null) this.tails[c] = p as T | null;
    else n.bucketPrev = p;
    item.bucketPrev = null;
    item.bucketNext = null;
  }
}
