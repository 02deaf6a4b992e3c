/**
 * A small deterministic message pump for Raft unit tests: a few Raft instances over MemoryStorage,
 * Ready handled in the contract's simplest order (persist, send, apply, advance), messages delivered in
 * FIFO rounds, with links that tests can cut, nodes they can isolate, and a drop filter. Not a
 * fault injector (that is consensus/sim/); just enough to script the paper's scenarios.
 */
import { decodeConfChange } from '../../../../consensus/confchange.js';
import { defaultRaftOptions, type RaftOptions } from '../../../../consensus/options.js';
import { Raft } from '../../../../consensus/raft.js';
import { MemoryStorage } from '../../../../consensus/storage.js';
import type {
  Entry,
  Message,
  NodeId,
  ProposeResult,
  RaftEvent,
  Ready,
  Snapshot,
} from '../../../../consensus/types.js';
import { EntryType } from '../../../../consensus/types.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Test defaults: small timeouts, pre-vote and check-quorum off unless a test turns them on. */
export const testOptions: RaftOptions = {
  ...defaultRaftOptions,
  electionTick: 10,
  heartbeatTick: 1,
  preVote: false,
  checkQuorum: false,
  maxUncommittedBytes: 0,
};

/** A deterministic uniform [0, 1) generator (mulberry32) seeded from a string. */
export function seeded(seed: string): () => number {
  let a = 0x9e3779b9;
  for (let i = 0; i < seed.length; i++) a = Math.imul(a ^ seed.charCodeAt(i), 0x85ebca6b);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);

/** One node under test: its Raft, its "disk", and what its state machine applied. */
export class TestNode {
  raft: Raft;
  /** Payloads of applied normal entries (non-empty ones), in order; restored from snapshots. */
  appliedData: string[] = [];
  /** Every Ready this node produced (for tests that check the contract). */
  readonly readies: Ready[] = [];
  /** Every event its Raft reported through RaftConfig.onEvent, across restarts. */
  readonly events: RaftEvent[] = [];
  constructor(
    readonly id: NodeId,
    readonly storage: MemoryStorage,
    readonly opts: RaftOptions,
    readonly random: () => number,
  ) {
    this.raft = this.createRaft(opts.applied);
  }

  /** A Raft over this node's storage that records its events (`applied` as on restart). */
  createRaft(applied: number): Raft {
    const { id, storage, random } = this;
    return new Raft({ ...this.opts, id, storage, random, applied, onEvent: (e) => this.events.push(e) });
  }
}

export interface PumpOptions {
  readonly options?: Partial<RaftOptions>;
  readonly learners?: readonly NodeId[];
  /** Override the election jitter for every node (e.g. () => 0 for a fixed timeout). */
  readonly random?: (id: NodeId) => () => number;
}

/** See the file comment. */
export class Pump {
  readonly nodes = new Map<NodeId, TestNode>();
  /** Messages waiting to be delivered. */
  queue: Message[] = [];
  /** Every message that left a node (dropped or not), in order. */
  readonly sent: Message[] = [];
  /** Called for every message as it is sent, after its Ready was persisted (for contract checks). */
  onSend: ((n: TestNode, m: Message) => void) | null = null;
  /** Return false to drop a message. */
  filter: ((m: Message) => boolean) | null = null;
  private readonly cut = new Set<string>();

  constructor(
    voters: readonly NodeId[],
    private readonly po: PumpOptions = {},
  ) {
    for (const id of [...voters, ...(po.learners ?? [])]) {
      this.addNode(id, new MemoryStorage({ voters, learners: po.learners ?? [] }));
    }
  }

  /** Adds a node with the given storage (a brand-new member passes `new MemoryStorage()`). */
  addNode(id: NodeId, storage = new MemoryStorage(), options: Partial<RaftOptions> = {}): TestNode {
    const opts = { ...testOptions, ...this.po.options, ...options };
    const random = this.po.random?.(id) ?? seeded(id);
    const n = new TestNode(id, storage, opts, random);
    this.nodes.set(id, n);
    return n;
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  raft(id: NodeId): Raft {
    return this.node(id).raft;
  }

  /** Crash and restart: volatile state is lost, storage survives, applied restarts at the snapshot. */
  restart(id: NodeId): void {
    const n = this.node(id);
    const snap = n.storage.snapshot();
    n.appliedData = snap.meta.index > 0 ? (JSON.parse(text(snap.data)) as string[]) : [];
    n.raft = n.createRaft(snap.meta.index);
  }

  /** Drains one node's Ready loop per the contract; outgoing messages join the queue. */
  handleReady(id: NodeId): void {
    const n = this.node(id);
    while (n.raft.hasReady()) {
      const rd = n.raft.ready();
      n.readies.push(rd);
      // 1. persist
      if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
      n.storage.append(rd.entries);
      if (rd.hardState) n.storage.setHardState(rd.hardState);
      // 2. send
      for (const m of rd.messages) {
        this.onSend?.(n, m);
        this.sent.push(m);
        if (this.deliverable(m)) this.queue.push(m);
      }
      // 3. apply
      if (rd.snapshot) n.appliedData = JSON.parse(text(rd.snapshot.data)) as string[];
      for (const e of rd.committedEntries) this.apply(n, e);
      // 4. advance
      n.raft.advance(rd);
    }
  }

  private apply(n: TestNode, e: Entry): void {
    if (e.type === EntryType.ConfChange) n.raft.applyConfChange(decodeConfChange(e.data));
    else if (e.data.byteLength > 0) n.appliedData.push(text(e.data));
  }

  private deliverable(m: Message): boolean {
    if (this.cut.has(`${m.from}>${m.to}`)) return false;
    return this.filter === null || this.filter(m);
  }

  /** Handles every node's Ready, then delivers the queued messages (one round). Returns how many. */
  round(): number {
    for (const id of this.nodes.keys()) this.handleReady(id);
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) this.nodes.get(m.to)?.raft.step(m);
    for (const id of this.nodes.keys()) this.handleReady(id);
    return batch.length;
  }

  /** Rounds until no message is in flight. */
  stabilize(maxRounds = 1000): void {
    if (!this.settle(maxRounds)) throw new Error('pump did not stabilize');
  }

  /** Rounds until no message is in flight or `maxRounds` have passed; true if none is left. */
  settle(maxRounds = 1000): boolean {
    for (let i = 0; i < maxRounds; i++) {
      this.round();
      if (this.queue.length === 0) return true;
    }
    return false;
  }

  /** Ticks the given nodes (default all) n times, stabilizing after each tick. */
  tick(n = 1, ids: readonly NodeId[] = [...this.nodes.keys()]): void {
    for (let i = 0; i < n; i++) {
      for (const id of ids) this.raft(id).tick();
      this.stabilize();
    }
  }

  /** Ticks only `id` until it leaves the follower role (it campaigns), then stabilizes. */
  campaign(id: NodeId): void {
    const r = this.raft(id);
    for (let i = 0; i < 2 * r.config.electionTick + 1 && r.role === 'follower'; i++) r.tick();
    this.stabilize();
  }

  /** Ticks only `id` (stabilizing after each tick) until it leads; throws if it never does. */
  elect(id: NodeId, maxTicks = 200): void {
    for (let i = 0; i < maxTicks; i++) {
      if (this.raft(id).role === 'leader') return;
      this.tick(1, [id]);
    }
    if (this.raft(id).role !== 'leader') throw new Error(`${id} was not elected`);
  }

  /** Proposes on `id`, then stabilizes. */
  propose(id: NodeId, data: string): ProposeResult {
    const res = this.raft(id).propose(bytes(data));
    this.stabilize();
    return res;
  }

  /** Handles `id`'s Ready and takes (without delivering) every queued message. */
  take(id?: NodeId): Message[] {
    if (id !== undefined) this.handleReady(id);
    else for (const nid of this.nodes.keys()) this.handleReady(nid);
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** Steps one message into its recipient and handles the recipient's Ready. */
  deliver(m: Message): void {
    this.raft(m.to).step(m);
    this.handleReady(m.to);
  }

  /** Cuts both directions between a and b. */
  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  /** Cuts `id` off from every other node. */
  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  /** Restores every link and removes the filter. */
  heal(): void {
    this.cut.clear();
    this.filter = null;
  }

  /** The one node that believes it leads in the highest term, if any. */
  leader(): NodeId | null {
    let best: Raft | null = null;
    for (const n of this.nodes.values()) {
      if (n.raft.role === 'leader' && (!best || n.raft.term > best.term)) best = n.raft;
    }
    return best?.id ?? null;
  }

  /** Snapshots `id`'s state machine at its applied index and compacts its log up to there. */
  compact(id: NodeId): Snapshot {
    const n = this.node(id);
    const st = n.raft.status();
    const snap = n.storage.createSnapshot(st.applied, st.conf, bytes(JSON.stringify(n.appliedData)));
    n.storage.compact(st.applied);
    return snap;
  }

  /** Messages of a type sent so far (optionally only from/to a node). */
  sentOf<T extends Message['type']>(
    type: T,
    filter: { from?: NodeId; to?: NodeId } = {},
  ): Extract<Message, { type: T }>[] {
    return this.sent.filter(
      (m): m is Extract<Message, { type: T }> =>
        m.type === type &&
        (filter.from === undefined || m.from === filter.from) &&
        (filter.to === undefined || m.to === filter.to),
    );
  }
}

/** Builds a log entry for hand-made logs. */
export function entry(index: number, term: number, data = ''): Entry {
  return { index, term, type: EntryType.Normal, data: bytes(data) };
}

/** A MemoryStorage holding `terms[i]` at index i+1 for a hand-made log, with a hard state. */
export function storageWithLog(
  voters: readonly NodeId[],
  terms: readonly number[],
  hard: { term: number; vote?: NodeId | null; commit?: number } = { term: terms[terms.length - 1] ?? 0 },
): MemoryStorage {
  const s = new MemoryStorage({ voters });
  s.append(terms.map((t, i) => entry(i + 1, t)));
  s.setHardState({ term: hard.term, vote: hard.vote ?? null, commit: hard.commit ?? 0 });
  return s;
}
