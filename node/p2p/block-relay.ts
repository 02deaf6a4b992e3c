/**
 * Hash-only blocks on the Raft stream (Raft protocol version >= 3, node/p2p/version.ts).
 *
 * Followers already hold most of a block's txs from gossip. On a stream of version >= 3 the leader
 * sends each block entry of an append as a compact block (protocol/chain/compact-block.ts): tx
 * hashes instead of txs. The follower expands it from its mempool before the message reaches Raft,
 * so it persists and acknowledges the full block, byte for byte the leader's; an entry it cannot
 * fill is fetched whole from the leader (`/ehrchain/<chain>/raft-entry/1.0.0`, a request naming
 * the entry's term and index, answered with its data from the leader's recent sends). If that
 * fails too the message is dropped and Raft resends it, as for any lost message. A peer on an
 * older version gets full blocks: the transport expands a compact frame again before writing it
 * on a version 1 or 2 stream. The leader compacts a block it built with the tx hashes its
 * producer handed over (`knowTxs`), so compaction hashes no tx. A follower hands the mempool txs it
 * filled a block from to its applier (`handOver`), so applying it decodes and hashes no tx again.
 *
 * Nothing here is trusted: the expanded block is decoded and checked (signatures, shape, state
 * root) when applied, as it always was.
 */
import { type AppendMsg, type Entry, EntryType, type Message } from '../../consensus/types.js';
import { BLOCK_TAG } from '../../protocol/chain/block.js';
import { compactBlock, expandCompactBlock, isCompactBlock } from '../../protocol/chain/compact-block.js';
import { HASH_BYTES } from '../../protocol/chain/encoding.js';
import type { SignedTx } from '../../protocol/chain/types.js';
import { RequestRefusal } from './request.js';

/** Blocks whose tx hashes the leader keeps for compacting them (the producer keeps a few in flight). */
export const KNOWN_BLOCKS = 64;

/** First Raft protocol version whose appends carry compact blocks. */
export const HASH_ONLY_BLOCKS_VERSION = 3;

/** The request/response protocol a follower fetches a whole entry on. */
export function raftEntryProtocol(chainId: string): string {
  return `/ehrchain/${chainId}/raft-entry/1.0.0`;
}

/** What the relay needs from the node. */
export interface BlockRelayDeps {
  /** The decoded signed tx this node holds under a tx hash (its mempool), or undefined. */
  lookupTx(hash: Uint8Array): SignedTx | undefined;
  /**
   * Called with an expanded block's bytes and the held txs it was filled from, in block order, so
   * the applier takes them instead of decoding and hashing each tx again (node/blocks/tx-handover.ts).
   */
  handOver?(block: Uint8Array, txs: readonly SignedTx[]): void;
  /** Fetches an entry's full data from `peer` (the leader that sent it); rejects on failure. */
  fetchEntry(peer: string, request: Uint8Array): Promise<Uint8Array>;
}

/** Options of the relay. */
export interface BlockRelayOptions {
  /** Entries the leader keeps to answer fetches, at most (the newest win). */
  readonly keepEntries: number;
  /** ...and at most this many bytes of them. */
  readonly keepBytes: number;
}

// Only uncommitted entries are sent compact (the producer keeps a few in flight) and a follower
// fetches within a round trip; the data is the Raft log's own bytes, shared while the log holds them.
export const defaultBlockRelayOptions: BlockRelayOptions = { keepEntries: 256, keepBytes: 16 * 1024 * 1024 };

/** Counters of what the relay did (also exported as metrics by the node). */
export interface BlockRelayCounts {
  /** Block entries sent compact (once per entry, whatever the number of followers). */
  compacted: number;
  /** Txs a follower filled from its mempool. */
  filled: number;
  /** Txs a follower lacked (their entries were fetched whole from the leader). */
  missing: number;
  /** Entries fetched whole. */
  fetched: number;
  /** Appends dropped because an entry could be neither filled nor fetched. */
  failed: number;
}

/** Leader and follower sides of hash-only blocks; see the module comment. */
export class BlockRelay {
  readonly options: BlockRelayOptions;
  readonly counts: BlockRelayCounts = { compacted: 0, filled: 0, missing: 0, fetched: 0, failed: 0 };
  /** Compact form of each entry's data, built once for every follower. */
  readonly #compactOf = new WeakMap<Uint8Array, Uint8Array | null>();
  /** Tx hashes (32 bytes each, in block order) of blocks this node built, until compacted. */
  readonly #hashesOf = new Map<Uint8Array, Uint8Array>();
  /** Full data of entries sent compact, by index, oldest first. */
  readonly #sent = new Map<number, Entry>();
  #sentBytes = 0;

  constructor(
    options: Partial<BlockRelayOptions>,
    private readonly deps: BlockRelayDeps,
  ) {
    this.options = { ...defaultBlockRelayOptions, ...options };
  }

  /**
   * Leader: the hashes of the txs of a block it proposes, in block order, by the block's bytes
   * (the entry's data, the same array), so compacting it hashes no tx. Only the hashes are copied
   * (never the txs), for the last KNOWN_BLOCKS blocks: a block is compacted on its first send, right
   * after it is proposed, and one never sent compact (no follower on version 3) must not pin memory.
   */
  knowTxs(block: Uint8Array, txs: readonly { readonly hash: Uint8Array }[]): void {
    if (txs.some((t) => t.hash.length !== HASH_BYTES)) return;
    const all = new Uint8Array(txs.length * HASH_BYTES);
    for (let i = 0; i < txs.length; i++) all.set(txs[i]!.hash, i * HASH_BYTES);
    this.#hashesOf.set(block, all);
    if (this.#hashesOf.size > KNOWN_BLOCKS) this.#hashesOf.delete(this.#hashesOf.keys().next().value!);
  }

  #knownHashes(block: Uint8Array): Uint8Array[] | undefined {
    const all = this.#hashesOf.get(block);
    if (all === undefined) return undefined;
    this.#hashesOf.delete(block);
    const out: Uint8Array[] = [];
    for (let at = 0; at < all.length; at += HASH_BYTES) out.push(all.subarray(at, at + HASH_BYTES));
    return out;
  }

  /**
   * Leader: the entries with each block above `commit` replaced by its compact form, or null when
   * none would be smaller (no such block with a tx). Committed entries go in full: a follower that
   * receives them is catching up, holds few of their txs, and could outrun what the leader keeps to
   * serve fetches; uncommitted ones are the producer's few in flight.
   */
  compactEntries(entries: readonly Entry[], commit = 0): Entry[] | null {
    let out: Entry[] | null = null;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index <= commit) continue;
      const c = this.#compact(e);
      if (c === null) continue;
      out ??= entries.slice();
      out[i] = { term: e.term, index: e.index, type: e.type, data: c };
    }
    return out;
  }

  #compact(e: Entry): Uint8Array | null {
    if (e.type !== EntryType.Normal || e.data[0] !== BLOCK_TAG) return null;
    let c = this.#compactOf.get(e.data);
    if (c === undefined) {
      try {
        const r = compactBlock(e.data, undefined, undefined, this.#knownHashes(e.data));
        c = r.refs > 0 && r.bytes.length < e.data.length ? r.bytes : null;
      } catch {
        c = null; // not a block after all: it travels as it is
      }
      this.#compactOf.set(e.data, c);
      if (c !== null) this.counts.compacted++;
    }
    // Sent compact again (a resend): servable again for as long as a new one.
    if (c !== null && this.#sent.get(e.index)?.data !== e.data) this.#remember(e);
    return c;
  }

  #remember(e: Entry): void {
    const old = this.#sent.get(e.index);
    if (old !== undefined) {
      this.#sent.delete(e.index);
      this.#sentBytes -= old.data.length;
    }
    this.#sent.set(e.index, e);
    this.#sentBytes += e.data.length;
    while (this.#sent.size > this.options.keepEntries || this.#sentBytes > this.options.keepBytes) {
      const first = this.#sent.values().next().value;
      if (first === undefined) break;
      this.#sent.delete(first.index);
      this.#sentBytes -= first.data.length;
    }
  }

  /** Leader: answers a follower's fetch of an entry it sent compact. Refuses 'unknown_entry'. */
  serveEntry(request: Uint8Array): Uint8Array {
    const want = decodeEntryRequest(request);
    const e = this.#sent.get(want.index);
    if (e === undefined || e.term !== want.term) throw new RequestRefusal('unknown_entry');
    return e.data;
  }

  /** True when `msg` carries a compact entry (so `fill` must run before Raft sees it). */
  needsFill(msg: Message): msg is AppendMsg {
    return (
      msg.type === 'append' && msg.entries.some((e) => e.type === EntryType.Normal && isCompactBlock(e.data))
    );
  }

  /**
   * Follower: `msg` with every compact entry expanded (from the mempool, else fetched from
   * `msg.from`), or null when one could not be (the message is then dropped; Raft resends).
   */
  async fill(msg: AppendMsg): Promise<AppendMsg | null> {
    const entries = msg.entries.slice();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.type !== EntryType.Normal || !isCompactBlock(e.data)) continue;
      const data = await this.#expand(msg.from, e);
      if (data === null) {
        this.counts.failed++;
        return null;
      }
      entries[i] = { term: e.term, index: e.index, type: e.type, data };
    }
    return { ...msg, entries };
  }

  async #expand(from: string, e: Entry): Promise<Uint8Array | null> {
    let r: ReturnType<typeof expandCompactBlock>;
    // The held txs looked up, in block order: references are looked up front to back, once each.
    const held: SignedTx[] = [];
    try {
      r = expandCompactBlock(e.data, (h) => {
        const tx = this.deps.lookupTx(h);
        if (tx !== undefined) held.push(tx);
        return tx?.bytes;
      });
    } catch {
      return null; // malformed: Raft will resend, and a leader that keeps sending it is faulty
    }
    if (r.ok) {
      this.counts.filled += r.filled;
      this.deps.handOver?.(r.block, held);
      return r.block;
    }
    this.counts.missing += r.missing;
    try {
      const data = await this.deps.fetchEntry(from, encodeEntryRequest(e.term, e.index));
      if (data[0] !== BLOCK_TAG) return null;
      this.counts.fetched++;
      return data;
    } catch {
      return null;
    }
  }
}

/** `[u32 term hi, u32 term lo, u32 index hi, u32 index lo]`: two big-endian u64. */
export function encodeEntryRequest(term: number, index: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(term));
  v.setBigUint64(8, BigInt(index));
  return b;
}

/** Inverse of `encodeEntryRequest`; refuses 'bad_request' on anything else. */
export function decodeEntryRequest(b: Uint8Array): { readonly term: number; readonly index: number } {
  if (b.length !== 16) throw new RequestRefusal('bad_request');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const term = v.getBigUint64(0);
  const index = v.getBigUint64(8);
  if (term > BigInt(Number.MAX_SAFE_INTEGER) || index > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RequestRefusal('bad_request');
  return { term: Number(term), index: Number(index) };
}
