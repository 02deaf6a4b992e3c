/**
 * The mempool: pending signed txs (already verified), bounded in count and bytes, ordered per
 * sender by nonce and handed to the block builder round-robin across senders.
 *
 * Per sender it tracks `committed` (the next nonce committed state expects; from `nonceOf`, then
 * advanced by `onCommitted`) and `cursor` (the next nonce `take` hands out; txs handed out stay
 * pending until committed, so a pipelined leader can cut block h+1 before h commits, and
 * `onRequeue` rewinds the cursor if a proposed block is lost).
 *
 * Admission: duplicate hash -> 'duplicate'; nonce < committed -> 'nonce_stale'; same sender and
 * nonce pending -> 'nonce_duplicate'; nonce >= committed + nonceWindow -> 'nonce_gap'. When full,
 * the tx may displace txs of the sender holding the most (its highest nonces first), but only if
 * that sender holds at least two more than the newcomer's sender; otherwise 'mempool_full'.
 *
 * Costs: add, take (per tx) and onCommitted (per tx) are O(1) amortised, except recomputing a
 * sender's highest pending nonce after an eviction, which is O(nonceWindow), a small constant.
 * Per tx, the hash-table work is the hash index and the sender's lookup and nonce map: the count
 * buckets and the round-robin queue are links on the sender's state (buckets.ts, ready.ts). A `Set`
 * drained from its front, as the queue was, also made each `values().next()` step over the slots
 * its earlier deletes left, thousands of them at the size of a busy pool.
 */

import { isLatin1KeyOf, latin1Key } from '../../protocol/chain/encoding.js';
import { ChainError } from '../../protocol/chain/errors.js';
import { txKey } from '../../protocol/chain/tx.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import { CountBuckets, type CountNode, noCount } from './buckets.js';
import { type MempoolOptions, resolveMempoolOptions } from './options.js';
import { notQueued, type ReadyNode, ReadyQueue } from './ready.js';

/** Reads the next expected nonce of a sender from committed state (0 for an unknown sender). */
export type NonceSource = (sender: Uint8Array) => number;

/**
 * One sender with pending txs. It carries its own links in the count buckets and the ready queue,
 * so moving it there touches only this object (no hash-table operation per tx).
 */
interface SenderState extends CountNode, ReadyNode {
  /** Its key in `senders`. */
  readonly key: string;
  committed: number;
  cursor: number;
  hi: number;
  readonly txs: Map<number, SignedTx>;
}

// Index keys: bytes as one-byte strings; a tx's hash key is made once per tx (`txKey`).
const keyOf = latin1Key;

// Senders recur (a sender's txs come in runs, and each is seen again at commit): a direct-mapped
// table of recent sender keys, checked char by char, hands out the string made last time instead
// of a new one. Public keys are uniform, so two bytes pick the slot; a collision only costs a miss.
const SENDER_SLOTS = 4096;
const recentSenders = new Array<string | undefined>(SENDER_SLOTS);

/** The sender's key string, as `keyOf`, shared with earlier calls for the same sender. */
function senderKey(sender: Uint8Array): string {
  if (sender.length < 2) return keyOf(sender);
  const slot = (sender[0]! | (sender[1]! << 8)) & (SENDER_SLOTS - 1);
  const known = recentSenders[slot];
  if (known !== undefined && isLatin1KeyOf(known, sender)) return known;
  const k = keyOf(sender);
  recentSenders[slot] = k;
  return k;
}

/** What the mempool reads from the chain. */
export interface MempoolDeps {
  /** The sender's next nonce in committed state. */
  readonly committedNonce: NonceSource;
}

/** Pending transactions with fair bounds and per-sender nonce order. */
export class Mempool {
  readonly options: MempoolOptions;
  private readonly senders = new Map<string, SenderState>();
  private readonly byHash = new Map<string, SignedTx>();
  private readonly counts = new CountBuckets<SenderState>();
  /** Senders whose tx at `cursor` is pending, in round-robin order. */
  private readonly ready = new ReadyQueue<SenderState>();
  /** Committed nonces of senders with nothing pending (LRU), in case `nonceOf` lags behind. */
  private readonly idle = new Map<string, number>();
  private totalBytes = 0;

  private readonly nonceOf: NonceSource;

  constructor(options: Partial<MempoolOptions>, deps: MempoolDeps) {
    this.options = resolveMempoolOptions(options);
    this.nonceOf = deps.committedNonce;
  }

  /** Pending tx count. */
  get size(): number {
    return this.byHash.size;
  }

  /** Total bytes of pending signed txs. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Number of senders with pending txs. */
  get senderCount(): number {
    return this.senders.size;
  }

  /** True if a tx with this hash is pending. */
  has(hash: Uint8Array): boolean {
    return this.byHash.has(keyOf(hash));
  }

  /** The pending tx with this hash. */
  get(hash: Uint8Array): SignedTx | undefined {
    return this.byHash.get(keyOf(hash));
  }

  /** Number of txs pending from `sender`. */
  pendingOf(sender: Uint8Array): number {
    return this.senders.get(senderKey(sender))?.txs.size ?? 0;
  }

  /** The nonce a sender should use next: committed nonce plus its contiguous pending run. */
  nextNonce(sender: Uint8Array): number {
    const sk = senderKey(sender);
    const s = this.senders.get(sk);
    if (!s) return this.committedOf(sk, sender);
    let n = s.committed;
    while (s.txs.has(n)) n++;
    return n;
  }

  private committedOf(sk: string, sender: Uint8Array): number {
    return Math.max(this.nonceOf(sender), this.idle.get(sk) ?? 0);
  }

  /**
   * Admits a verified tx. Returns the txs evicted to make room (possibly none). Throws a ChainError:
   * 'duplicate', 'nonce_stale', 'nonce_duplicate', 'nonce_gap' or 'mempool_full'.
   */
  add(tx: SignedTx): SignedTx[] {
    const hk = txKey(tx);
    if (this.byHash.has(hk)) throw new ChainError('duplicate', 'tx already pending');
    const { sender, nonce } = tx.body;
    const sk = senderKey(sender);
    const existing = this.senders.get(sk);
    const committed = existing ? existing.committed : this.committedOf(sk, sender);
    if (nonce < committed) {
      throw new ChainError('nonce_stale', `nonce ${nonce} < next nonce ${committed}`, {
        expected: committed,
      });
    }
    if (nonce >= committed + this.options.nonceWindow) {
      throw new ChainError('nonce_gap', `nonce ${nonce} too far ahead of ${committed}`, {
        expected: committed,
        window: this.options.nonceWindow,
      });
    }
    if (existing?.txs.has(nonce)) {
      throw new ChainError('nonce_duplicate', `another tx with nonce ${nonce} is pending`, { nonce });
    }
    const size = tx.bytes.length;
    const needCount = this.byHash.size + 1 - this.options.maxTxs;
    const needBytes = this.totalBytes + size - this.options.maxBytes;
    let evicted: SignedTx[] = [];
    if (needCount > 0 || needBytes > 0) {
      const plan = this.planEvictions(existing, existing?.txs.size ?? 0, needCount, needBytes);
      if (plan === null) throw new ChainError('mempool_full', 'mempool is full', { size: this.byHash.size });
      evicted = plan.map((v) => this.evictHighest(v));
    }
    let s = existing;
    if (!s) {
      s = { key: sk, committed, cursor: committed, hi: nonce, txs: new Map(), ...noCount, ...notQueued };
      this.senders.set(sk, s);
      this.idle.delete(sk);
    }
    s.txs.set(nonce, tx);
    if (nonce > s.hi || s.txs.size === 1) s.hi = nonce;
    this.byHash.set(hk, tx);
    this.counts.inc(s);
    this.totalBytes += size;
    if (nonce === s.cursor) this.ready.add(s);
    return evicted;
  }

  /**
   * Which senders to evict from (one entry per tx, highest nonce first) to free `needCount` txs and
   * `needBytes` bytes, each time from the sender holding the most, or null if the fairness rule
   * forbids it. Mutates the count buckets only temporarily.
   */
  private planEvictions(
    own: SenderState | undefined,
    ownCount: number,
    needCount: number,
    needBytes: number,
  ): SenderState[] | null {
    const plan: SenderState[] = [];
    const scan = new Map<SenderState, number>();
    let count = 0;
    let bytes = 0;
    try {
      while (count < needCount || bytes < needBytes) {
        const s = this.counts.maxItem();
        if (s === undefined || s === own || s.count < ownCount + 2) return null;
        let n = scan.get(s) ?? s.hi;
        while (!s.txs.has(n)) n--;
        scan.set(s, n - 1);
        count++;
        bytes += s.txs.get(n)!.bytes.length;
        this.counts.dec(s);
        plan.push(s);
      }
      return plan;
    } finally {
      for (const v of plan) this.counts.inc(v);
    }
  }

  /** Removes the highest-nonce pending tx of sender `s` (which must have one). */
  private evictHighest(s: SenderState): SignedTx {
    const n = s.hi;
    const tx = s.txs.get(n)!;
    this.removeEntry(s, n, tx);
    return tx;
  }

  private removeEntry(s: SenderState, nonce: number, tx: SignedTx): void {
    s.txs.delete(nonce);
    this.byHash.delete(txKey(tx));
    this.counts.dec(s);
    this.totalBytes -= tx.bytes.length;
    if (nonce === s.cursor) this.ready.delete(s);
    if (s.txs.size === 0) {
      this.senders.delete(s.key);
      this.ready.delete(s);
      this.remember(s.key, s.committed);
      return;
    }
    if (nonce === s.hi) {
      let h = nonce - 1;
      while (!s.txs.has(h)) h--;
      s.hi = h;
    }
  }

  private remember(sk: string, committed: number): void {
    if (this.options.maxIdleSenders === 0) return;
    this.idle.delete(sk);
    this.idle.set(sk, committed);
    if (this.idle.size > this.options.maxIdleSenders) this.idle.delete(this.idle.keys().next().value!);
  }

  /**
   * Hands out up to `maxTxs` txs totalling at most `maxBytes`, for the next block: one tx per
   * sender in turn (round-robin, continuing where the last call stopped), each sender's in nonce
   * order from its cursor. Handed-out txs stay pending until `onCommitted` (or `onRequeue`).
   */
  take(maxTxs: number, maxBytes: number): SignedTx[] {
    const out: SignedTx[] = [];
    const skipped: SenderState[] = [];
    let bytes = 0;
    while (out.length < maxTxs) {
      const s = this.ready.first();
      if (s === undefined) break;
      this.ready.delete(s);
      const tx = s.txs.get(s.cursor)!;
      if (bytes + tx.bytes.length > maxBytes) {
        // Does not fit this block; this sender keeps its cursor and its turn comes again next time.
        skipped.push(s);
        continue;
      }
      out.push(tx);
      bytes += tx.bytes.length;
      s.cursor++;
      if (s.txs.has(s.cursor)) this.ready.add(s);
    }
    for (const s of skipped) this.ready.add(s);
    return out;
  }

  /**
   * Committed txs (in a committed block; their nonces are consumed whether they succeeded or not):
   * removes them, advances each sender's committed nonce, and drops pending txs it made stale.
   */
  onCommitted(txs: readonly SignedTx[]): void {
    for (const tx of txs) {
      const { sender, nonce } = tx.body;
      const sk = senderKey(sender);
      const s = this.senders.get(sk);
      if (!s) {
        this.remember(sk, Math.max(nonce + 1, this.idle.get(sk) ?? 0));
        continue;
      }
      if (nonce < s.committed) continue;
      const from = s.committed;
      s.committed = nonce + 1;
      let alive = true;
      for (let n = from; n <= nonce && alive; n++) {
        const pending = s.txs.get(n);
        if (pending) {
          this.removeEntry(s, n, pending);
          // removeEntry dropped the sender when its last tx went
          alive = s.txs.size > 0;
        }
      }
      if (!alive) {
        this.remember(sk, s.committed);
        continue;
      }
      if (s.cursor < s.committed) s.cursor = s.committed;
      this.syncReady(s);
    }
  }

  /** Restores the invariant: `s` is in `ready` iff its tx at `cursor` is pending. */
  private syncReady(s: SenderState): void {
    if (s.txs.has(s.cursor)) this.ready.add(s);
    else this.ready.delete(s);
  }

  /**
   * Txs of a block that was proposed but will not commit (leadership lost): rewinds their senders'
   * cursors so they are handed out again, and re-admits any that were evicted meanwhile (silently
   * dropping those that no longer fit or are stale).
   */
  onRequeue(txs: readonly SignedTx[]): void {
    for (const tx of txs) {
      const sk = senderKey(tx.body.sender);
      const s = this.senders.get(sk);
      if (s && tx.body.nonce < s.cursor) {
        s.cursor = Math.max(s.committed, tx.body.nonce);
        this.syncReady(s);
      }
    }
    for (const tx of txs) {
      if (this.has(tx.hash)) continue;
      try {
        this.add(tx);
      } catch (e) {
        if (!(e instanceof ChainError)) throw e;
      }
    }
  }
}
