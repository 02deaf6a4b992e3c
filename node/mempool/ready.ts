/**
 * A first-in first-out set of items, intrusive: membership and links live on the items
 * (`ReadyNode`). It behaves as a `Set` in insertion order (adding a member keeps its place, deleting
 * and adding again moves it last) without a hash-table operation or an iterator per call.
 */

/** The fields an item carries for `ReadyQueue`; only `ReadyQueue` writes them. */
export interface ReadyNode {
  queued: boolean;
  queuePrev: ReadyNode | null;
  queueNext: ReadyNode | null;
}

/** The fields of a `ReadyNode` in no queue, to spread into a new item. */
export const notQueued = { queued: false, queuePrev: null, queueNext: null } as const;

/** Items in the order they were (last) added. */
export class ReadyQueue<T extends ReadyNode> {
  private head: T | null = null;
  private tail: T | null = null;
  private count = 0;

  /** Number of items queued. */
  get size(): number {
    return this.count;
  }

  /** The first item, or undefined if empty. */
  first(): T | undefined {
    return this.head ?? undefined;
  }

  /** Appends `item` unless it is queued already (then it keeps its place). */
  add(item: T): void {
    if (item.queued) return;
    item.queued = true;
    item.queuePrev = this.tail;
    item.queueNext = null;
    if (this.tail === null) this.head = item;
    else this.tail.queueNext = item;
    this.tail = item;
    this.count++;
  }

  /** Removes `item` if it is queued. */
  delete(item: T): void {
    if (!item.queued) return;
    const { queuePrev: p, queueNext: n } = item;
    if (p === null) this.head = n as T | null;
    else p.queueNext = n;
    if (n === null) this.tail = p as T | null;
    else n.queuePrev = p;
    item.queued = false;
    item.queuePrev = null;
    item.queueNext = null;
    this.count--;
  }
}
