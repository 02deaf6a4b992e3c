/**
 * A simulated cluster: nodes, the faulty network between them, and the safety checker. One `step()`
 * is one unit of simulated time: deliver the messages due now, tick every running node, then let
 * every running node handle its Ready (so anything sent arrives at the earliest next step).
 */
import type { ConfState, Message } from '../types.js';
import { SafetyChecker } from './checker.js';
import { HASH_INIT, mixInt, mixString } from './hash.js';
import { type NetworkFaults, SimNetwork } from './network.js';
import { type NodeSink, SimNode, type SimRaftSettings } from './node.js';
import type { Prng } from './prng.js';

/** How to build a cluster. */
export interface ClusterOptions {
  readonly size: number;
  readonly settings: SimRaftSettings;
  readonly rng: Prng;
  readonly faults: NetworkFaults;
  /** Probability that a node misses a tick in a step (clock skew). */
  readonly tickSkip: number;
  /** Keep the last lines of an event log for failure reports. */
  readonly trace?: boolean;
  /**
   * Nodes added later start with no membership (as the core intends: only a snapshot may start
   * their log); otherwise they start from the genesis membership and may replay the log from 1.
   */
  readonly joinEmpty?: boolean;
}

const LOG_LINES = Number(process.env.SIM_TRACE_LINES ?? 60);

/** Node ids used by the simulator: n1..nN. */
function nodeIds(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `n${i + 1}`);
}

/** A simulated cluster; see the file comment. */
export class Cluster implements NodeSink {
  /** Every node ever started (genesis members, then nodes added by membership changes). */
  readonly ids: string[];
  /** Nodes removed from the cluster and shut down for good. */
  readonly retired = new Set<string>();
  readonly genesis: ConfState;
  readonly nodes = new Map<string, SimNode>();
  readonly net: SimNetwork<Message>;
  readonly checker = new SafetyChecker();
  now = 0;
  /** Crashes that hit a node in the middle of handling a Ready. */
  midReadyCrashes = 0;
  traceHash = HASH_INIT;
  readonly recent: string[] = [];
  readonly log: ((line: string) => void) | undefined;
  private readonly rng: Prng;

  constructor(private readonly opts: ClusterOptions) {
    this.rng = opts.rng;
    this.ids = nodeIds(opts.size);
    this.net = new SimNetwork<Message>(this.rng.fork(), opts.faults);
    this.log = opts.trace ? (line) => this.record(line) : undefined;
    this.genesis = { voters: [...this.ids], learners: [] };
    for (const id of this.ids) this.createNode(id);
  }

  private createNode(id: string, conf: ConfState = this.genesis): SimNode {
    const node = new SimNode(id, conf, this.opts.settings, this.rng.fork(), this);
    this.nodes.set(id, node);
    node.start();
    return node;
  }

  /** Starts a brand-new node (not yet a member) that a membership change will add. */
  addNode(id: string): SimNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`);
    this.ids.push(id);
    this.log?.(`${id} created`);
    return this.createNode(id, this.opts.joinEmpty ? { voters: [], learners: [] } : this.genesis);
  }

  /** Shuts a removed node down for good. */
  retire(id: string): void {
    if (this.node(id).up) this.crash(id);
    this.retired.add(id);
    this.log?.(`${id} retired`);
  }

  /** Members per the latest applied configuration of the highest-term leader (or genesis). */
  members(): string[] {
    const conf = this.leader()?.sm.conf ?? this.genesis;
    return [...conf.voters, ...conf.learners];
  }

  private record(line: string): void {
    this.recent.push(`[${this.now}] ${line}`);
    if (this.recent.length > LOG_LINES) this.recent.shift();
  }

  /** NodeSink: queue a message on the network. */
  send(m: Message): void {
    this.net.send(m, this.now);
  }

  /** NodeSink: fold something into the trace hash. */
  trace(f: (h: number) => number): void {
    this.traceHash = f(this.traceHash);
  }

  /** The node with this id (throws if unknown). */
  node(id: string): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** One unit of simulated time. */
  step(): void {
    this.now++;
    for (const m of this.net.deliver(this.now)) {
      const raft = this.nodes.get(m.to)?.raft;
      if (!raft) continue;
      this.traceHash = mixInt(mixString(mixString(this.traceHash, m.type), m.to), m.term);
      this.log?.(`${m.from}->${m.to} ${m.type} t${m.term}${describe(m)}`);
      raft.step(m);
    }
    for (const id of this.ids) {
      const raft = this.node(id).raft;
      if (raft && !(this.opts.tickSkip > 0 && this.rng.chance(this.opts.tickSkip))) raft.tick();
    }
    this.drainAll();
  }

  /** Lets every running node handle its Ready. */
  drainAll(): void {
    for (const id of this.ids) {
      const n = this.node(id);
      n.drain();
      if (n.stoppedMidReady) {
        this.midReadyCrashes++;
        this.crash(id);
      }
    }
  }

  /** Running nodes. */
  upNodes(): SimNode[] {
    return this.ids.map((id) => this.node(id)).filter((n) => n.up);
  }

  /** The running leader with the highest term, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.upNodes()) if (n.role === 'leader' && (!best || n.term > best.term)) best = n;
    return best;
  }

  /** Crashes a node: volatile state and in-flight inbound messages are lost, storage is kept. */
  crash(id: string): void {
    this.node(id).crash();
    this.net.crash(id);
    this.log?.(`${id} crashed`);
    // A killed process's connections close at once and its port refuses: its peers' transports
    // report it lost, for certain.
    for (const n of this.upNodes()) n.raft?.leaderLost(id, { certain: true });
  }

  /**
   * Every node reports the nodes outside its group lost, as a transport whose connections broke
   * would (a real partition closes no socket at once; reporting it anyway tests that a report
   * about a live leader stays safe). `certain`: report it as a refused connect, which a real
   * transport never does for a live peer: a bug's report, to test that it stays safe too.
   */
  reportPartition(groups: readonly (readonly string[])[], certain = false): void {
    for (const g of groups) {
      for (const id of g) {
        const raft = this.node(id).raft;
        for (const other of this.ids) if (!g.includes(other)) raft?.leaderLost(other, { certain });
      }
    }
  }

  /** Restarts a crashed node from its storage. */
  restart(id: string): void {
    this.net.restart(id);
    this.node(id).start();
    this.log?.(`${id} restarted`);
  }

  /** Checks every node's storage against the checker's shadow of it. */
  verifyStorage(): void {
    for (const id of this.ids) this.checker.verifyStorage(id, this.node(id).storage);
  }
}

function describe(m: Message): string {
  switch (m.type) {
    case 'append':
      return ` prev=${m.prevIndex}/${m.prevTerm} n=${m.entries.length} commit=${m.commit}`;
    case 'appendResp':
      return ` idx=${m.index}${m.reject ? ` reject hint=${m.rejectHint}/${m.hintTerm}` : ''}`;
    case 'vote':
    case 'preVote':
      return ` last=${m.lastLogIndex}/${m.lastLogTerm}`;
    case 'voteResp':
    case 'preVoteResp':
      return m.reject ? ' reject' : ' grant';
    case 'snapshot':
      return ` at=${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
    case 'heartbeat':
      return ` commit=${m.commit}`;
    default:
      return '';
  }
}
