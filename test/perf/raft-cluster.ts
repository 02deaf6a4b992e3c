/**
 * An in-process Raft cluster for benchmarks: every node is a Raft + MemoryStorage, messages go
 * through an in-memory outbox and are delivered as fast as the loop runs (no faults, no delay).
 * Ready is handled as the contract says: persist, send, apply, advance.
 */
import { defaultRaftOptions } from '../../consensus/options.js';
import { Raft } from '../../consensus/raft.js';
import { MemoryStorage } from '../../consensus/storage.js';
import type { Entry, Message, RaftConfig } from '../../consensus/types.js';

/** How messages cross the in-memory wire. */
export type WireMode = 'copy' | 'share';

/** One benchmark node. */
export class BenchNode {
  readonly storage: MemoryStorage;
  readonly raft: Raft;
  /** Normal entries with data applied so far. */
  applied = 0;
  appliedBytes = 0;
  private lastIndexApplied = 0;

  constructor(
    readonly id: string,
    voters: readonly string[],
    private readonly send: (m: Message) => void,
    options: Partial<RaftConfig>,
    seed: number,
  ) {
    this.storage = new MemoryStorage({ voters });
    let s = seed >>> 0;
    const random = (): number => {
      // xorshift32: election jitter only.
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 4294967296;
    };
    this.raft = new Raft({ ...defaultRaftOptions, ...options, id, storage: this.storage, random });
  }

  /** Handles every pending Ready. */
  drain(compactEvery: number): void {
    const raft = this.raft;
    while (raft.hasReady()) {
      const rd = raft.ready();
      if (rd.snapshot) this.storage.applySnapshot(rd.snapshot);
      if (rd.entries.length > 0) this.storage.append(rd.entries);
      if (rd.hardState) this.storage.setHardState(rd.hardState);
      for (const m of rd.messages) this.send(m);
      for (const e of rd.committedEntries) {
        if (e.data.length > 0) {
          this.applied++;
          this.appliedBytes += e.data.length;
        }
        this.lastIndexApplied = e.index;
      }
      raft.advance(rd);
    }
    // Keep memory bounded the way a node would: snapshot and compact now and then.
    if (compactEvery > 0 && this.lastIndexApplied - this.storage.firstIndex() >= compactEvery) {
      const snapIndex = this.storage.snapshot().meta.index;
      if (this.lastIndexApplied > snapIndex) {
        this.storage.createSnapshot(this.lastIndexApplied, this.raft.status().conf, new Uint8Array(8));
        this.storage.compact(this.lastIndexApplied);
      }
    }
  }
}

/**
 * Copies a message as a decoder would produce it from one received frame: fresh message and entry
 * objects, all entry data copied into one new buffer per message, each entry a view into it.
 */
function wireCopy(m: Message): Message {
  if (m.type === 'append') {
    const n = m.entries.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += (m.entries[i] as Entry).data.length;
    const frame = new Uint8Array(total);
    const entries: Entry[] = new Array(n);
    let off = 0;
    for (let i = 0; i < n; i++) {
      const e = m.entries[i] as Entry;
      frame.set(e.data, off);
      entries[i] = {
        index: e.index,
        term: e.term,
        type: e.type,
        data: frame.subarray(off, off + e.data.length),
      };
      off += e.data.length;
    }
    return { ...m, entries };
  }
  if (m.type === 'snapshot')
    return { ...m, snapshot: { meta: m.snapshot.meta, data: m.snapshot.data.slice() } };
  return { ...m };
}

/** A cluster of BenchNodes over an in-memory wire. */
export class BenchCluster {
  readonly nodes = new Map<string, BenchNode>();
  private outbox: Message[] = [];

  constructor(
    size: number,
    private readonly wire: WireMode,
    options: Partial<RaftConfig>,
    private readonly compactEvery: number,
  ) {
    const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    ids.forEach((id, i) => {
      this.nodes.set(id, new BenchNode(id, ids, (m) => this.outbox.push(m), options, 0x9e3779b9 + i));
    });
  }

  /** Every node handles its Ready, then every queued message is delivered. Returns messages delivered. */
  round(): number {
    for (const n of this.nodes.values()) n.drain(this.compactEvery);
    const batch = this.outbox;
    this.outbox = [];
    for (const m of batch) this.nodes.get(m.to)?.raft.step(this.wire === 'copy' ? wireCopy(m) : m);
    return batch.length;
  }

  /** Ticks every node once. */
  tick(): void {
    for (const n of this.nodes.values()) n.raft.tick();
  }

  /** Ticks and exchanges messages until some node leads; returns it. */
  elect(maxRounds = 10_000): BenchNode {
    for (let i = 0; i < maxRounds; i++) {
      this.tick();
      this.round();
      for (const n of this.nodes.values()) if (n.raft.status().role === 'leader') return n;
    }
    throw new Error('no leader elected');
  }
}
