/**
 * A validator node, wired in one place: LevelDB store, Raft core and its driver, libp2p host,
 * mempool, admission, block producer, applier and HTTP API. Every long-lived part starts in
 * `start()` and stops in `stop()`, in reverse order.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defaultRaftOptions } from '../consensus/options.js';
import { Raft } from '../consensus/raft.js';
import { entrySize } from '../consensus/storage.js';
import { registerExplorer } from '../explorer/serve.js';
import { NodeApi } from './api.js';
import { type AppliedBlock, Applier } from './applier.js';
import type { ChainTip } from './block-rules.js';
import { decodeBlock } from './chain/block.js';
import { fromHex, toHex } from './chain/encoding.js';
import { createSigner } from './chain/keys.js';
import { defaultTxLimits } from './chain/tx.js';
import type { Block } from './chain/types.js';
import { Verifier } from './chain/verify.js';
import type { Genesis, NodeConfig } from './config.js';
import { genesisHash, genesisWrites } from './genesis.js';
import type { NodeEvent } from './http/backend.js';
import { createHttpServer, defaultHttpOptions } from './http/server.js';
import { defaultGossipBatch, TxIngress } from './ingress.js';
import type { KeyPair } from './keyfile.js';
import type { Logger } from './log.js';
import { compactionPoint, logBytes, snapshotDue } from './log-retention.js';
import { nextMembershipChange, peerAddresses, type Validator, validatorsIn } from './membership.js';
import { Mempool } from './mempool/mempool.js';
import { NodeMetrics } from './metrics.js';
import { createP2PHost, type P2PHost } from './p2p/host.js';
import { nodeIdFromValidatorKey } from './p2p/identity.js';
import { BlockProducer } from './producer.js';
import { RaftAuth } from './raft-auth.js';
import { RaftDriver } from './raft-driver.js';
import { registerRecordRoutes } from './records/routes.js';
import { defaultRecordServiceOptions, RecordService, type RecordServiceOptions } from './records/service.js';
import type { Executor } from './state/executor.js';
import { createGovernanceContract } from './state/governance.js';
import { createKvContract } from './state/kv.js';
import { createNoopContract } from './state/noop.js';
import { createExecutor, nextNonce } from './state/registry.js';
import { isValidatorIn } from './state/validators.js';
import { createVmHandler } from './state/vm-contracts.js';
import { ChainStore } from './store/chain-store.js';

/** The built-in contracts: kv and noop (benchmarks), governance, and every VM contract (consent). */
export function createDefaultExecutor(): Executor {
  const vm = createVmHandler();
  return createExecutor({
    contracts: {
      kv: createKvContract(),
      noop: createNoopContract(),
      governance: createGovernanceContract(),
      consent: vm,
      vm,
    },
    fallback: vm,
  });
}

export interface ChainNodeInit {
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly key: KeyPair;
  readonly log: Logger;
  /** Defaults to the registry executor with the built-in contracts. */
  readonly executor?: Executor;
  /** Collect process metrics (CPU, memory, GC); on in a real process, off for in-process test nodes. */
  readonly processMetrics?: boolean;
  /** Records service options (blob limits, replicas, request window, read receipts). */
  readonly records?: Partial<RecordServiceOptions>;
}

/** Blocks proposed but not applied at once, at most: keeps the pipeline full without unbounded memory. */
const MAX_INFLIGHT_BLOCKS = 8;
/** Committed blocks queued to apply beside the Raft loop at most (see RaftDriverOptions). */
const MAX_APPLY_BACKLOG = 64;

export class ChainNode {
  readonly metrics: NodeMetrics;
  readonly events = new EventEmitter<{ event: [NodeEvent] }>();
  readonly nodeId: string;
  store!: ChainStore;
  host!: P2PHost;
  http!: FastifyInstance;
  mempool!: Mempool;
  driver!: RaftDriver;
  applier!: Applier;
  raft!: Raft;
  executor!: Executor;
  records!: RecordService;
  #producer!: BlockProducer;
  #ingress!: TxIngress;
  #verifier!: Verifier;
  readonly #admittedAt = new Map<string, number>();
  readonly lastSeen = new Map<string, number>();
  #leader: string | null = null;
  #lastSnapshotIndex = 0;
  /** Bytes of Raft entries applied since the last snapshot (bounds the in-memory log). */
  #logBytes = 0;
  #fault: Error | null = null;
  #membershipTimer: NodeJS.Timeout | null = null;

  constructor(readonly init: ChainNodeInit) {
    this.metrics = new NodeMetrics({ defaults: init.processMetrics === true });
    this.nodeId = nodeIdFromValidatorKey(init.key.publicKey);
  }

  get log(): Logger {
    return this.init.log;
  }

  get fault(): Error | null {
    return this.#fault;
  }

  get leader(): string | null {
    return this.#leader;
  }

  /** The HTTP address actually bound (useful with port 0). */
  httpUrl(): string {
    const addr = this.http.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('HTTP server not listening');
    return `http://${addr.address}:${addr.port}`;
  }

  async start(): Promise<void> {
    const { config, genesis, key, log } = this.init;
    this.store = await ChainStore.open(config.dataDir);
    await this.store.initGenesis(genesisHash(genesis), genesisWrites(genesis));
    const voters = genesis.validators.map((v) => nodeIdFromValidatorKey(fromHex(v.publicKey)));
    const fresh = this.store.raft.storage;
    if (
      fresh.lastIndex() === 0 &&
      fresh.snapshot().meta.index === 0 &&
      fresh.initialState().confState.voters.length === 0
    ) {
      await this.store.raft.bootstrap({ voters, learners: [] });
    }
    // bootstrap() replaces the in-memory mirror: take the storage only after it.
    const rs = this.store.raft.storage;
    this.#lastSnapshotIndex = rs.snapshot().meta.index;
    this.#logBytes = logBytes(rs, this.#lastSnapshotIndex + 1, this.store.appliedIndex());

    this.mempool = new Mempool((sender) => nextNonce(this.store.state, sender), {
      maxTxs: config.mempool.maxTxs,
      maxBytes: config.mempool.maxBytes,
      nonceWindow: config.mempool.nonceWindow,
    });
    // Worker threads, not libuv's pool: LevelDB's writes run in libuv's 4 threads, and thousands of
    // queued admission checks there made each block's apply wait 0.7 s under load (bench profile).
    this.#verifier = new Verifier({ mode: 'workers', workers: 2, verifiedCacheSize: 60_000 });
    const executor = this.init.executor ?? createDefaultExecutor();
    this.executor = executor;

    this.host = await createP2PHost({
      chainId: config.chainId,
      seed: key.seed,
      listen: config.p2p.listen,
      announce: config.p2p.announce,
      peers: peerAddresses(this.validators(), this.nodeId),
      maxTxBytes: 4 * 1024 * 1024,
    });

    this.raft = new Raft({
      ...defaultRaftOptions,
      id: this.nodeId,
      storage: rs,
      random: Math.random,
      electionTick: config.raft.electionTicks,
      heartbeatTick: config.raft.heartbeatTicks,
      applied: this.store.appliedIndex(),
      onEvent: (event) => log.debug(event, 'raft event'),
    });

    const raftAuth = new RaftAuth({
      chainId: config.chainId,
      id: this.nodeId,
      signer: createSigner(key.seed),
      raft: this.raft,
      onReject: (reason, m) => {
        this.metrics.raftProofRejected.inc({ reason });
        log.debug(
          { peer: m.from, type: m.type, term: m.term, reason },
          'raft message without a valid proof dropped',
        );
      },
    });

    const tip = await this.#appliedTip();
    this.applier = new Applier(
      config.chainId,
      executor,
      this.store,
      this.#verifier,
      (pk) => isValidatorIn(this.store.state, pk),
      {
        onApplied: (a) => this.#onApplied(a),
        onRejected: (entry, code, message) => {
          log.error({ index: entry.index, term: entry.term, code }, `committed block rejected: ${message}`);
          void this.#appliedTip().then((t) => this.#producer.onRejected(t));
        },
        onDivergence: (message) => {
          this.metrics.divergence.set(1);
          log.fatal(`STATE DIVERGENCE: ${message}; this node has stopped applying blocks`);
        },
      },
      log.child({ module: 'applier' }),
      tip,
    );

    this.#producer = new BlockProducer(
      {
        chainId: config.chainId,
        intervalMs: config.block.intervalMs,
        maxTxs: config.block.maxTxs,
        maxBytes: config.block.maxBytes,
        maxInflight: MAX_INFLIGHT_BLOCKS,
      },
      {
        pool: this.mempool,
        signer: createSigner(key.seed),
        propose: (data) => this.driver.propose(data),
        appliedState: () => ({ height: this.applier.tip.height, root: this.store.state.root() }),
        now: () => Date.now(),
      },
      log.child({ module: 'producer' }),
    );
    this.#ingress = new TxIngress(
      {
        limits: defaultTxLimits,
        rules: { chainId: config.chainId, maxGasLimit: 10_000_000 },
        ...defaultGossipBatch,
      },
      this.mempool,
      { verify: (tx) => this.#verifier.verifyTx(tx) },
      (batch) => {
        this.host.publishTx(batch).catch((err: unknown) => log.debug({ err }, 'gossip publish failed'));
      },
      (tx) => {
        if (this.#admittedAt.size < 500_000) this.#admittedAt.set(toHex(tx.hash), performance.now());
        this.metrics.mempoolTxs.set(this.mempool.size);
        if (this.#producer.leading && this.mempool.size >= config.block.maxTxs) this.#producer.maybeCut(true);
      },
      this.metrics,
      log.child({ module: 'ingress' }),
    );

    this.driver = new RaftDriver(
      this.raft,
      {
        storage: rs,
        persist: (rd) => this.store.raft.persist(rd),
        saveConfState: (conf, index) => this.store.markApplied(index, conf),
      },
      {
        send: (m) => {
          this.host.raft.sendMessage(m, raftAuth.proofFor(m));
        },
        apply: async (entries) => {
          for (const e of entries) this.#logBytes += entrySize(e);
          const t0 = performance.now();
          await this.applier.apply(entries);
          this.metrics.blockApply.observe((performance.now() - t0) / 1000);
          await this.#maybeSnapshot();
        },
        restore: async (snap) => {
          const meta = await this.store.restoreStateSnapshot(snap.data);
          this.applier.resetTip(await this.#appliedTip());
          this.#lastSnapshotIndex = snap.meta.index;
          this.#logBytes = 0;
          await this.#syncValidators();
          log.info({ height: meta.height, index: snap.meta.index }, 'restored state from a snapshot');
        },
        onSoftState: (soft) => this.#onSoftState(soft.leader, soft.role),
      },
      { tickMs: config.raft.tickMs, maxApplyBacklog: MAX_APPLY_BACKLOG },
      log.child({ module: 'raft' }),
      (err) => {
        this.#fault = err;
        log.fatal({ err }, 'the Raft loop stopped: the node no longer takes part in consensus');
      },
    );

    this.host.raft.onRaftMessage((m, proof) => {
      this.lastSeen.set(m.from, Date.now());
      // A claim of leadership needs a certificate of signed votes (raft-auth.ts); replication of our
      // term from a peer other than its leader is ignored by the Raft core.
      if (raftAuth.admit(m, proof)) this.driver.step(m);
    });
    this.host.onTx((bytes, from) => {
      this.#ingress
        .receiveBatch(bytes, from)
        .catch((err: unknown) => log.warn({ err }, 'gossip batch failed'));
    });

    this.records = new RecordService(
      { ...defaultRecordServiceOptions, ...this.init.records },
      {
        chainId: config.chainId,
        dir: join(config.dataDir, 'blobs'),
        host: this.host,
        signer: createSigner(key.seed),
        validatorPeers: () => this.validators().flatMap((v) => (v.peerId === this.nodeId ? [] : [v.peerId])),
        query: (method, args) => {
          const r = executor.query(this.store.state, 'consent', method, args);
          if (!r.ok) throw new Error(`consent query ${method} failed: ${r.error}`);
          return r.returnData;
        },
        nextNonce: () => nextNonce(this.store.state, key.publicKey) + this.mempool.pendingOf(key.publicKey),
        submit: (bytes) => this.submit(bytes),
        log: log.child({ module: 'records' }),
      },
    );
    await this.records.start();

    const api = new NodeApi(this);
    this.http = await createHttpServer(
      api,
      { ...defaultHttpOptions, host: config.http.host, port: config.http.port },
      log.child({ module: 'http' }),
      async (app) => {
        await registerExplorer(app);
        await registerRecordRoutes(app, this.records, defaultHttpOptions.retryAfterSeconds);
      },
    );
    await this.host.start();
    this.driver.start();
    this.#membershipTimer = setInterval(() => this.#reconcileMembership(), 500);
    await this.http.listen({ host: config.http.host, port: config.http.port });
    log.info(
      { nodeId: this.nodeId, http: this.httpUrl(), p2p: this.host.multiaddrs(), height: tip.height },
      `${config.name} started`,
    );
  }

  async stop(): Promise<void> {
    if (this.#membershipTimer !== null) clearInterval(this.#membershipTimer);
    this.#producer?.stop();
    this.#ingress?.flush();
    await this.http?.close();
    await this.records?.stop();
    await this.driver?.stop();
    await this.host?.stop();
    await this.#verifier?.close();
    await this.store?.close();
    this.init.log.info(`${this.init.config.name} stopped`);
  }

  /** Admits a client's signed tx bytes (the HTTP API's path in). */
  submit(bytes: Uint8Array) {
    return this.#ingress.submit(bytes);
  }

  /** Admits a client's batch; each result is the admitted tx or the ChainError that refused it. */
  submitBatch(txs: readonly Uint8Array[]) {
    return this.#ingress.submitBatch(txs);
  }

  async #appliedTip(): Promise<ChainTip> {
    const height = this.store.latestHeight();
    if (height === 0 || height < this.store.baseHeight()) {
      return { height, hash: this.store.lastBlockHash(), time: height === 0 ? this.init.genesis.time : 0 };
    }
    const b = await this.store.getBlock(height);
    return { height, hash: this.store.lastBlockHash(), time: b?.header.time ?? 0 };
  }

  #onApplied(a: AppliedBlock): void {
    const h = a.block.header;
    this.mempool.onCommitted(a.block.txs);
    this.#producer.onApplied(h.height);
    this.records.onApplied(a);
    const now = performance.now();
    let ok = 0;
    for (let i = 0; i < a.block.txs.length; i++) {
      const k = toHex(a.block.txs[i]!.hash);
      const t = this.#admittedAt.get(k);
      if (t !== undefined) {
        this.metrics.commitLatency.observe((now - t) / 1000);
        this.#admittedAt.delete(k);
      }
      const r = a.receipts[i]!;
      if (r.status === 'ok') {
        ok++;
        if (r.events.some((e) => e.name === 'validator_added' || e.name === 'validator_removed')) {
          void this.#syncValidators();
        }
      }
    }
    this.metrics.txCommitted.inc({ status: 'ok' }, ok);
    this.metrics.txCommitted.inc({ status: 'reverted' }, a.block.txs.length - ok);
    this.metrics.blockHeight.set(h.height);
    this.metrics.blockTxs.observe(a.block.txs.length);
    this.metrics.mempoolTxs.set(this.mempool.size);
    const st = this.raft.status();
    this.metrics.raftCommitIndex.set(st.commit);
    if (this.events.listenerCount('event') > 0) {
      this.events.emit('event', { type: 'block', block: NodeApi.headerView(a.block) });
      this.events.emit('event', {
        type: 'receipts',
        height: h.height,
        receipts: a.receipts.map((r) => ({
          hash: toHex(r.txHash),
          status: r.status,
          ...(r.error === undefined ? {} : { error: r.error }),
        })),
      });
    }
  }

  #onSoftState(leader: string | null, role: string): void {
    const st = this.raft.status();
    this.metrics.raftTerm.set(st.term);
    this.metrics.isLeader.set(role === 'leader' ? 1 : 0);
    if (leader !== this.#leader) {
      this.metrics.leaderChanges.inc();
      this.log.info({ leader, term: st.term, role }, leader === null ? 'no leader' : 'leader elected');
      this.events.emit('event', { type: 'leader', leader, term: st.term });
    }
    this.#leader = leader;
    if (role === 'leader' && !this.#producer.leading) this.#producer.lead(st.term, this.#logTip());
    else if (role !== 'leader' && this.#producer.leading) this.#producer.follow();
  }

  /**
   * The last block in this node's Raft log, applied or not: what a new leader's first block extends.
   * Txs in blocks of the unapplied tail are taken out of the mempool: they are already on their way.
   */
  #logTip(): ChainTip {
    const rs = this.store.raft.storage;
    const applied = this.store.appliedIndex();
    let tip = this.applier.tip;
    const last = rs.lastIndex();
    if (last > applied) {
      for (const e of rs.entries(Math.max(applied + 1, rs.firstIndex()), last + 1)) {
        if (e.data.length === 0 || e.type !== 0) continue;
        let b: Block;
        try {
          b = decodeBlock(e.data);
        } catch {
          continue;
        }
        if (b.header.height !== tip.height + 1) continue;
        this.mempool.onCommitted(b.txs);
        tip = { height: b.header.height, hash: b.hash, time: b.header.time };
      }
    }
    return tip;
  }

  /** The validator set as applied state says, with libp2p peer ids. */
  validators(): Validator[] {
    return validatorsIn(this.store.state);
  }

  /** Points libp2p at the current validator set: who to dial and who may connect. */
  async #syncValidators(): Promise<void> {
    const peers = peerAddresses(this.validators(), this.nodeId);
    await this.host.setAllowedPeers(peers.map((p) => p.peerId));
    await this.host.setPeers(peers);
  }

  /** On the leader: proposes the next step toward the validator set; a refusal is retried next round. */
  #reconcileMembership(): void {
    if (this.#fault !== null || this.raft.status().role !== 'leader') return;
    const wanted = new Set(this.validators().map((v) => v.peerId));
    const change = nextMembershipChange(this.raft.status(), wanted, (id) => this.raft.progress(id)?.match);
    if (change === null) return;
    try {
      const r = this.driver.proposeConfChange(change);
      if (r.ok) this.log.info({ change }, 'membership change proposed');
    } catch (err) {
      this.log.warn({ err, change }, 'membership change refused');
    }
  }

  /** Snapshots at the last applied block's entry, so the state snapshot and the Raft snapshot agree. */
  async #maybeSnapshot(): Promise<void> {
    const appliedIndex = this.store.appliedIndex();
    const limits = this.init.config.raft;
    const storage = this.store.raft.storage;
    if (!snapshotDue(appliedIndex, this.#lastSnapshotIndex, this.#logBytes, limits)) return;
    const conf = this.raft.status().conf;
    await this.store.raft.createSnapshot(appliedIndex, conf, this.store.createStateSnapshot());
    this.#lastSnapshotIndex = appliedIndex;
    this.#logBytes = 0;
    const compactTo = compactionPoint(storage, appliedIndex, limits);
    if (compactTo >= storage.firstIndex()) await this.store.raft.compact(compactTo);
    this.log.info(
      { index: appliedIndex, height: this.applier.tip.height },
      'state snapshot taken, log compacted',
    );
  }
}
