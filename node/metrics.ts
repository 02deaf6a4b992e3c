/**
 * Prometheus metrics of one node (prom-client), on a registry of its own so several in-process
 * nodes never share counters. Names carry their unit.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The block relay's counters, as the metrics read them. */
interface BlockRelayCountsView {
  readonly compacted: number;
  readonly filled: number;
  readonly missing: number;
  readonly fetched: number;
  readonly failed: number;
}

/** The applier's tx hand-over counters (node/blocks/tx-handover.ts), as the metrics read them. */
interface TxHandOverCountsView {
  readonly blocks: number;
  readonly reused: number;
  readonly decoded: number;
}

/** The node's metrics; pass `defaults: true` in a real process to add CPU, memory and GC metrics. */
export class NodeMetrics {
  readonly registry = new Registry();
  readonly txAdmitted = new Counter({
    name: 'ehrchain_tx_admitted_total',
    help: 'Transactions admitted to the mempool, by source (http, gossip)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly txRejected = new Counter({
    name: 'ehrchain_tx_rejected_total',
    help: 'Transactions refused, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly txCommitted = new Counter({
    name: 'ehrchain_tx_committed_total',
    help: 'Transactions applied in committed blocks, by status (ok, reverted)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly blockHeight = new Gauge({
    name: 'ehrchain_block_height',
    help: 'Height of the last applied block',
    registers: [this.registry],
  });
  readonly raftTerm = new Gauge({
    name: 'ehrchain_raft_term',
    help: 'Current Raft term',
    registers: [this.registry],
  });
  readonly raftCommitIndex = new Gauge({
    name: 'ehrchain_raft_commit_index',
    help: 'Raft commit index',
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({
    name: 'ehrchain_raft_is_leader',
    help: '1 when this node leads',
    registers: [this.registry],
  });
  readonly leaderChanges = new Counter({
    name: 'ehrchain_raft_leader_changes_total',
    help: 'Leader changes observed',
    registers: [this.registry],
  });
  readonly raftElections = new Counter({
    name: 'ehrchain_raft_elections_total',
    help: 'Campaigns this node started, by kind: pre (a pre-election, no term bump) or vote (a term bump)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly peersLost = new Counter({
    name: 'ehrchain_p2p_peers_lost_total',
    help: 'Validators whose connections closed and that refused an immediate redial (fast failover, docs/raft.md)',
    registers: [this.registry],
  });
  readonly raftProofRejected = new Counter({
    name: 'ehrchain_raft_proof_rejected_total',
    help: 'Raft messages kept from Raft for a missing or invalid leader certificate or vote signature, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly peers = new Gauge({
    name: 'ehrchain_p2p_peers',
    help: 'Connected peers',
    registers: [this.registry],
  });
  readonly incompatiblePeers = new Gauge({
    name: 'ehrchain_p2p_incompatible_peers',
    help: 'Validators refused for serving no Raft protocol version this node speaks (1 each), by peer and the versions it serves',
    labelNames: ['peer', 'versions'] as const,
    registers: [this.registry],
  });
  readonly mempoolTxs = new Gauge({
    name: 'ehrchain_mempool_txs',
    help: 'Transactions waiting in the mempool',
    registers: [this.registry],
  });
  readonly commitLatency = new Histogram({
    name: 'ehrchain_tx_commit_latency_seconds',
    help: 'From admission on this node to being applied in a committed block',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly blockApply = new Histogram({
    name: 'ehrchain_block_apply_seconds',
    help: 'Time to verify, execute and persist one committed block',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly blockTxs = new Histogram({
    name: 'ehrchain_block_txs',
    help: 'Transactions per committed block',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 4000],
    registers: [this.registry],
  });
  readonly divergence = new Gauge({
    name: 'ehrchain_state_divergence',
    help: '1 once this node computed a state root that differs from the chain: it has stopped applying',
    registers: [this.registry],
  });
  readonly diskFull = new Gauge({
    name: 'ehrchain_disk_full',
    help: '1 while writes wait for disk space (txs and blob uploads refused with disk_full), else 0',
    registers: [this.registry],
  });
  /** Where `ehrchain_disk_free_bytes` reads from (set by the composition root). */
  diskFree: () => number | null = () => null;
  readonly diskFreeBytes = new Gauge({
    name: 'ehrchain_disk_free_bytes',
    help: "Free bytes on the data directory's file system, sampled every store.diskProbeMs",
    registers: [this.registry],
    collect: () => {
      const free = this.diskFree();
      if (free !== null) this.diskFreeBytes.set(free);
    },
  });

  readonly clockSkew = new Gauge({
    name: 'ehrchain_clock_skew_seconds',
    help: "The newest block time from the leader minus this node's clock when it arrived (+: leader ahead)",
    registers: [this.registry],
  });
  readonly blocksRefusedFuture = new Counter({
    name: 'ehrchain_blocks_refused_future_total',
    help: "Blocks kept out of this node's Raft log because their time was ahead of its clock by more than the bound",
    registers: [this.registry],
  });
  readonly leaderClockBehind = new Counter({
    name: 'ehrchain_leader_clock_behind_total',
    help: 'Block cuts this node, as leader, held back because its clock was behind the chain',
    registers: [this.registry],
  });

  /** The block relay's counters (node/p2p/block-relay.ts), read at each scrape. */
  #relay: BlockRelayCountsView | null = null;
  readonly blockRelayTxs = new Counter({
    name: 'ehrchain_block_relay_txs_total',
    help: 'Txs of hash-only blocks received: filled from the mempool (source=mempool), or lacked and fetched with their entry from the leader (source=fetched)',
    labelNames: ['source'] as const,
    registers: [this.registry],
    collect: () => {
      const c = this.#relay;
      if (c === null) return;
      this.blockRelayTxs.reset();
      this.blockRelayTxs.inc({ source: 'mempool' }, c.filled);
      this.blockRelayTxs.inc({ source: 'fetched' }, c.missing);
    },
  });
  readonly blockRelayEntries = new Counter({
    name: 'ehrchain_block_relay_entries_total',
    help: 'Block entries sent hash-only (event=compacted), fetched whole by this follower (event=fetched), or neither filled nor fetched (event=failed)',
    labelNames: ['event'] as const,
    registers: [this.registry],
    collect: () => {
      const c = this.#relay;
      if (c === null) return;
      this.blockRelayEntries.reset();
      this.blockRelayEntries.inc({ event: 'compacted' }, c.compacted);
      this.blockRelayEntries.inc({ event: 'fetched' }, c.fetched);
      this.blockRelayEntries.inc({ event: 'failed' }, c.failed);
    },
  });

  /** Exports the block relay's counters. */
  observeBlockRelay(counts: BlockRelayCountsView): void {
    this.#relay = counts;
  }

  /** The applier's hand-over counters (node/blocks/tx-handover.ts), read at each scrape. */
  #handOver: TxHandOverCountsView | null = null;
  readonly handOverBlocks = new Counter({
    name: 'ehrchain_block_handover_blocks_total',
    help: 'Blocks applied with the decoded txs the producer (leader) or the block relay (follower) handed over',
    registers: [this.registry],
    collect: () => {
      const c = this.#handOver;
      if (c === null) return;
      this.handOverBlocks.reset();
      this.handOverBlocks.inc(c.blocks);
    },
  });
  readonly handOverTxs = new Counter({
    name: 'ehrchain_block_handover_txs_total',
    help: 'Txs of those blocks taken as handed over, not decoded nor hashed again (result=reused), or decoded from the block bytes after all (result=decoded)',
    labelNames: ['result'] as const,
    registers: [this.registry],
    collect: () => {
      const c = this.#handOver;
      if (c === null) return;
      this.handOverTxs.reset();
      this.handOverTxs.inc({ result: 'reused' }, c.reused);
      this.handOverTxs.inc({ result: 'decoded' }, c.decoded);
    },
  });

  /** Exports the applier's hand-over counters. */
  observeTxHandOver(counts: TxHandOverCountsView): void {
    this.#handOver = counts;
  }

  readonly loopDelayMax = new Gauge({
    name: 'ehrchain_event_loop_delay_max_seconds',
    help: 'Longest event-loop delay in the last 50 ms sample (node/raft/stall-watch.ts)',
    registers: [this.registry],
  });
  readonly loopStalls = new Histogram({
    name: 'ehrchain_event_loop_stall_seconds',
    help: 'Event-loop stalls longer than raft.stallWarnMs (each is logged with what ran in it)',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  /** The StallMetrics of node/raft/stall-watch.ts. */
  readonly stalls = {
    setLoopDelayMax: (s: number) => this.loopDelayMax.set(s),
    observeStall: (s: number) => this.loopStalls.observe(s),
  };

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults === true) collectDefaultMetrics({ register: this.registry });
  }
}
