/**
 * A running validator: the parts the composition root (create.ts) built, started in order and
 * stopped in reverse. It holds no wiring and no policy of its own; each part is readonly.
 */
import type { FastifyInstance } from 'fastify';
import type { Raft } from '../consensus/raft.js';
import type { Applier } from './blocks/applier.js';
import type { TxIngress } from './blocks/ingress.js';
import type { BlockProducer } from './blocks/producer.js';
import type { Verifier } from './blocks/verify.js';
import type { NodeConfig } from './config/config.js';
import type { NodeEvents } from './events.js';
import type { Logger } from './log.js';
import type { Mempool } from './mempool/mempool.js';
import type { NodeMetrics } from './metrics.js';
import type { Notifier } from './notify/notifier.js';
import type { P2PHost } from './p2p/host.js';
import type { RaftDriver } from './raft/driver.js';
import type { Leadership } from './raft/leadership.js';
import type { Validator } from './raft/membership.js';
import type { MembershipReconciler } from './raft/membership-reconciler.js';
import type { SearchIndex } from './records/search.js';
import type { RecordService } from './records/service.js';
import type { Executor } from './state/executor.js';
import type { AdminSocket } from './store/admin-socket.js';
import type { ChainStore } from './store/chain-store.js';

/** A fatal fault of the Raft loop, once set. */
export interface FaultCell {
  fault: Error | null;
}

/** Everything a node is made of; built by createChainNode. */
export interface ChainNodeParts {
  readonly config: NodeConfig;
  /** The admin endpoint on a Unix socket (online backups). */
  readonly admin: AdminSocket;
  readonly nodeId: string;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly events: NodeEvents;
  readonly store: ChainStore;
  readonly mempool: Mempool;
  readonly verifier: Verifier;
  readonly executor: Executor;
  readonly host: P2PHost;
  readonly raft: Raft;
  readonly applier: Applier;
  readonly producer: BlockProducer;
  readonly ingress: TxIngress;
  readonly driver: RaftDriver;
  readonly records: RecordService;
  readonly search: SearchIndex;
  readonly notify: Notifier;
  readonly http: FastifyInstance;
  readonly leadership: Leadership;
  readonly reconciler: MembershipReconciler;
  readonly lastSeen: ReadonlyMap<string, number>;
  readonly faults: FaultCell;
  validators(): Validator[];
}

export class ChainNode {
  readonly config: NodeConfig;
  readonly nodeId: string;
  readonly log: Logger;
  readonly metrics: NodeMetrics;
  readonly events: NodeEvents;
  readonly store: ChainStore;
  readonly mempool: Mempool;
  readonly executor: Executor;
  readonly host: P2PHost;
  readonly raft: Raft;
  readonly applier: Applier;
  readonly driver: RaftDriver;
  readonly records: RecordService;
  readonly search: SearchIndex;
  readonly http: FastifyInstance;
  readonly lastSeen: ReadonlyMap<string, number>;
  readonly #parts: ChainNodeParts;
  #started = false;

  constructor(parts: ChainNodeParts) {
    this.#parts = parts;
    ({
      config: this.config,
      nodeId: this.nodeId,
      log: this.log,
      metrics: this.metrics,
      events: this.events,
      store: this.store,
      mempool: this.mempool,
      executor: this.executor,
      host: this.host,
      raft: this.raft,
      applier: this.applier,
      driver: this.driver,
      records: this.records,
      search: this.search,
      http: this.http,
      lastSeen: this.lastSeen,
    } = parts);
  }

  /** The fault that stopped the Raft loop, if any. */
  get fault(): Error | null {
    return this.#parts.faults.fault;
  }

  /** The leader as this node last saw it (a libp2p peer id), or null. */
  get leader(): string | null {
    return this.#parts.leadership.leader;
  }

  /** The validator set as applied state says, with libp2p peer ids. */
  validators(): Validator[] {
    return this.#parts.validators();
  }

  /** The HTTP address actually bound (useful with port 0). */
  httpUrl(): string {
    const addr = this.http.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('HTTP server not listening');
    return `http://${addr.address}:${addr.port}`;
  }

  /** Starts the services in order: p2p, the Raft loop, records, membership, then the HTTP port. */
  async start(): Promise<void> {
    const p = this.#parts;
    this.#started = true;
    await p.host.start();
    await p.notify.start();
    p.driver.start();
    await p.records.start();
    await p.search.start();
    p.reconciler.start();
    const { host, port } = this.config.options.http;
    await p.http.listen({ host, port });
    await p.admin.start();
    this.log.info(
      { nodeId: this.nodeId, http: this.httpUrl(), p2p: p.host.multiaddrs(), height: p.applier.tip.height },
      `${this.config.name} started`,
    );
  }

  /** Stops everything in the reverse order of start, then closes the verifier and the store. */
  async stop(): Promise<void> {
    const p = this.#parts;
    // Writes waiting for disk space would hold the Raft loop (and this stop) forever.
    if (p.store.diskState().full) p.store.interruptWrites();
    if (this.#started) {
      await p.admin.stop();
      await p.http.close();
      p.reconciler.stop();
      await p.records.stop();
      await p.search.stop();
      p.producer.stop();
      p.ingress.flush();
      await p.driver.stop();
      await p.host.stop();
    } else {
      await p.http.close();
    }
    await p.notify.stop();
    await p.verifier.close();
    await p.store.close();
    this.log.info(`${this.config.name} stopped`);
  }

  /** Admits a client's signed tx bytes (the HTTP API's path in). */
  submit(bytes: Uint8Array) {
    return this.#parts.ingress.submit(bytes);
  }

  /** Admits a client's batch; each result is the admitted tx or the ChainError that refused it. */
  submitBatch(txs: readonly Uint8Array[]) {
    return this.#parts.ingress.submitBatch(txs);
  }
}
