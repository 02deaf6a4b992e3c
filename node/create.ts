/**
 * The composition root: every part of a validator constructed here, once, each from its own
 * options and its dependencies, in dependency order. Nothing starts here (ChainNode.start does);
 * what was opened is closed again if construction fails half way.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { defaultRaftOptions } from '../consensus/options.js';
import { Raft } from '../consensus/raft.js';
import { fromHex, toHex } from '../protocol/chain/encoding.js';
import { createSigner, type KeyPair, privateKeyFromSeed } from '../protocol/chain/keys.js';
import { defaultTxLimits } from '../protocol/chain/tx.js';
import { Applier, UpgradeRequiredError } from './blocks/applier.js';
import { AppliedFanout, CommitLatency } from './blocks/fanout.js';
import { TxIngress } from './blocks/ingress.js';
import { findLogTip } from './blocks/log-tip.js';
import { BlockProducer } from './blocks/producer.js';
import type { ChainTip } from './blocks/rules.js';
import { TxHandOver } from './blocks/tx-handover.js';
import { Verifier } from './blocks/verify.js';
import type { Genesis, NodeConfig } from './config/config.js';
import { createDefaultExecutor } from './contracts/builtins.js';
import { genesisHash, genesisWrites } from './contracts/genesis.js';
import { createNodeEvents } from './events.js';
import { registerFhirRoutes } from './fhir/routes.js';
import { NodeApi } from './http/api.js';
import { LeaderlessGate, refuseWritesWhileLeaderless } from './http/leaderless.js';
import { createHttpServer } from './http/server.js';
import type { Logger } from './log.js';
import { Mempool } from './mempool/mempool.js';
import { NodeMetrics } from './metrics.js';
import { ChainNode, type FaultCell } from './node.js';
import { Notifier } from './notify/notifier.js';
import { BlockRelay, raftEntryProtocol } from './p2p/block-relay.js';
import type { PeerLossEvent } from './p2p/dialer.js';
import { createP2PHost } from './p2p/host.js';
import { nodeIdFromValidatorKey } from './p2p/identity.js';
import { ValidatorPeers } from './p2p/validator-peers.js';
import { RaftAuth } from './raft/auth.js';
import { BlockClock } from './raft/block-clock.js';
import { RaftDriver } from './raft/driver.js';
import { HeartbeatFilter } from './raft/heartbeat-filter.js';
import { LeaderSuspect } from './raft/leader-suspect.js';
import { LeaderlessHold } from './raft/leaderless-hold.js';
import { Leadership } from './raft/leadership.js';
import { LostFollowerWatch } from './raft/lost-follower.js';
import { peerAddresses, validatorsIn } from './raft/membership.js';
import { MembershipReconciler } from './raft/membership-reconciler.js';
import { RecoveryGate } from './raft/recovery-gate.js';
import { Snapshotter } from './raft/snapshotter.js';
import { StallWatch } from './raft/stall-watch.js';
import { RecordPromMetrics } from './records/metrics.js';
import { registerRecordRoutes } from './records/routes.js';
import { defaultSearchIndexOptions, SearchIndex } from './records/search.js';
import { registerSearchRoutes } from './records/search-routes.js';
import { RecordService } from './records/service.js';
import type { Executor } from './state/executor.js';
import { nextNonce } from './state/registry.js';
import { isValidatorIn } from './state/validators.js';
import { ADMIN_SOCKET, AdminSocket } from './store/admin-socket.js';
import { ChainStore } from './store/chain-store.js';
import { storeOptionsToChainStore } from './store/options.js';
import { clearRecovering, isRecovering } from './store/recover.js';

/** Registers more routes on a node's HTTP server (the CLI adds the web UI this way). */
export type HttpPlugin = (app: FastifyInstance) => Promise<void>;

export interface ChainNodeInit {
  readonly config: NodeConfig;
  readonly genesis: Genesis;
  readonly key: KeyPair;
  readonly log: Logger;
  /** Defaults to the built-in contracts (contracts/builtins.ts). */
  readonly executor?: Executor;
  /** Collect process metrics (CPU, memory, GC); on in a real process, off for in-process test nodes. */
  readonly processMetrics?: boolean;
  /** Registered on the HTTP server after the API's routes, in order. */
  readonly httpPlugins?: readonly HttpPlugin[];
  /** The wall clock block times come from (ms since the epoch); tests give validators skewed ones. */
  readonly clock?: () => number;
  /** The node stopped applying for good (a feature it does not know takes effect): the process should exit. */
  readonly onFatal?: (err: Error) => void;
}

/** Opens the store and builds every part of a node; call `start()` on the result. */
export async function createChainNode(init: ChainNodeInit): Promise<ChainNode> {
  const opened: (() => Promise<unknown>)[] = [];
  try {
    return await compose(init, opened);
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

async function compose(init: ChainNodeInit, opened: (() => Promise<unknown>)[]): Promise<ChainNode> {
  const { config, genesis, key, log } = init;
  const o = config.options;
  const chainId = config.chainId;
  const nodeId = nodeIdFromValidatorKey(key.publicKey);
  const metrics = new NodeMetrics({ defaults: init.processMetrics === true });
  const events = createNodeEvents();
  const faults: FaultCell = { fault: null };
  const lastSeen = new Map<string, number>();
  const latency = new CommitLatency();
  const signer = createSigner(key.seed);
  const clock = init.clock ?? Date.now;

  const store = await openStore(config, genesis);
  opened.push(() => store.close());
  const rs = store.raft.storage;
  metrics.diskFree = () => store.diskState().freeBytes;
  store.onDiskState((s) => {
    metrics.diskFull.set(s.full ? 1 : 0);
    if (s.full) {
      log.error(
        { reason: s.reason, freeBytes: s.freeBytes, dataDir: config.dataDir },
        'DISK FULL: writes paused, txs and blob uploads refused (disk_full) until space is freed',
      );
    } else log.warn({ freeBytes: s.freeBytes }, 'disk has room again: writes resumed');
  });
  const validators = () => validatorsIn(store.state);

  const mempool = new Mempool(o.mempool, { committedNonce: (sender) => nextNonce(store.state, sender) });
  const verifier = new Verifier(o.verifier);
  opened.push(() => verifier.close());
  // libsodium unless it failed to load or was switched off (node/blocks/ed25519.ts): say which.
  log.info({ mode: o.verifier.mode, ed25519: verifier.backend }, 'signature verification');
  const executor = init.executor ?? createDefaultExecutor();

  // Set once the parts it feeds exist (raft/leader-suspect.ts, below).
  let peerLossHook: (e: PeerLossEvent) => void = () => {};
  const host = await createP2PHost({
    ...o.p2p,
    chainId,
    seed: key.seed,
    listen: config.p2p.listen,
    announce: config.p2p.announce,
    peers: peerAddresses(validators(), nodeId),
    versionEvents: {
      onIncompatible: (p, ours) =>
        log.warn(
          { peer: p.peer, peerVersions: p.versions, ourVersions: ours },
          `refusing validator ${p.peer}: it speaks Raft protocol version ${p.versions.join(', ') || 'none'}, this node ${ours.join(', ')} (docs/operations.md#rolling-upgrades)`,
        ),
      onCompatible: (peer, version) =>
        log.info({ peer, version }, 'validator speaks a common Raft protocol version again'),
    },
    // The fast failover path's timeline (docs/raft.md): rare, worth seeing at info.
    onPeerLossEvent: (e) => {
      log.info(e, 'peer loss');
      peerLossHook(e);
    },
  });
  opened.push(() => host.stop());
  // Hash-only blocks to followers that speak Raft v3: they fill txs from their mempool, and hand
  // those decoded txs to the applier, as the producer hands over the txs of the blocks it builds.
  const handOver = new TxHandOver();
  metrics.observeTxHandOver(handOver.counts);
  const relay = new BlockRelay(
    {},
    {
      lookupTx: (h) => mempool.get(h),
      handOver: (data, txs) => handOver.know(data, txs),
      fetchEntry: (peer, req) => host.request(peer, raftEntryProtocol(chainId), req, { timeoutMs: 2_000 }),
    },
  );
  await host.handleRequest(raftEntryProtocol(chainId), (req) => relay.serveEntry(req), {
    maxRequestBytes: 16,
  });
  host.raft.useRelay(relay);
  metrics.observeBlockRelay(relay.counts);
  const validatorPeers = new ValidatorPeers({ host, self: nodeId, validators });

  const raft = new Raft({
    ...defaultRaftOptions,
    id: nodeId,
    storage: rs,
    random: Math.random,
    electionTick: o.raft.electionTick,
    heartbeatTick: o.raft.heartbeatTick,
    leaderLostStaggerTick: o.raft.leaderLostStaggerTick,
    applied: store.appliedIndex(),
    onEvent: (event) => {
      if (event.type === 'becamePreCandidate') metrics.raftElections.inc({ kind: 'pre' });
      else if (event.type === 'becameCandidate') metrics.raftElections.inc({ kind: 'vote' });
      // Campaigns and lost leaders are rare and worth seeing at info; the rest is chatter.
      const notable =
        event.type === 'becamePreCandidate' ||
        event.type === 'becameCandidate' ||
        event.type === 'becameLeader' ||
        event.type === 'leaderLost' ||
        event.type === 'campaignInstead' ||
        event.type === 'voteGranted';
      if (notable) log.info(event, 'raft event');
      else log.debug(event, 'raft event');
    },
  });
  let lastNoQuorumTerm = 0;
  const raftAuth = new RaftAuth({
    chainId,
    id: nodeId,
    signer,
    raft,
    onReject: (reason, m) => {
      metrics.raftProofRejected.inc({ reason });
      const lagging = reason === 'no_quorum' && m.type !== 'voteResp' && m.term > lastNoQuorumTerm;
      if (lagging) lastNoQuorumTerm = m.term;
      const at = { peer: m.from, type: m.type, term: m.term, reason };
      // Once per term: a leader we cannot check is what a node far behind on membership sees.
      if (lagging)
        log.warn(
          at,
          'cannot check this leader: too few of our voters signed its certificate; if our membership is far behind, restore from a recent backup (docs/transactions.md)',
        );
      else log.debug(at, 'raft message without a valid proof dropped');
    },
  });

  const recovery = new RecoveryGate(await isRecovering(config.dataDir), {
    appliedIndex: () => store.appliedIndex(),
    onDone: () => clearRecovering(config.dataDir),
    log: log.child({ module: 'recovery' }),
  });

  const blockClock = new BlockClock(o.block, { now: clock, metrics, log: log.child({ module: 'clock' }) });

  const appliedTip = async (): Promise<ChainTip> => {
    const height = store.latestHeight();
    if (height === 0 || height < store.baseHeight()) {
      return { height, hash: store.lastBlockHash(), time: height === 0 ? genesis.time : 0 };
    }
    const b = await store.getBlock(height);
    return { height, hash: store.lastBlockHash(), time: b?.header.time ?? 0 };
  };

  const producer: BlockProducer = new BlockProducer(
    { ...o.block, chainId, ...(genesis.features === undefined ? {} : { features: genesis.features }) },
    {
      pool: mempool,
      signer,
      propose: (data) => driver.propose(data),
      proposing: (data, txs) => {
        // The leader's own held-back gossip goes out before the block that carries it, so followers
        // fill the hash-only block from their mempools instead of fetching the entry whole.
        ingress.flush();
        relay.knowTxs(data, txs);
        handOver.know(data, txs);
      },
      appliedState: () => ({ height: applier.tip.height, root: store.state.root() }),
      now: clock,
      monotonic: () => performance.now(),
      onClockBehind: () => metrics.leaderClockBehind.inc(),
      features: () => applier.features,
      stepAside: (behindMs) => {
        const st = raft.status();
        const to = st.conf.voters
          .filter((id) => id !== nodeId)
          .sort((a, b) => (raft.progress(b)?.match ?? 0) - (raft.progress(a)?.match ?? 0))[0];
        if (to === undefined || raft.leadTransferee !== null) return;
        log.warn(
          { behindMs, to },
          "this leader's clock is behind the chain: handing leadership over; check NTP",
        );
        driver.transferLeadership(to);
      },
      log: log.child({ module: 'producer' }),
    },
  );

  const records = new RecordService(o.records, {
    chainId,
    dir: join(config.dataDir, 'blobs'),
    host,
    signer,
    validatorPeers: () => validators().flatMap((v) => (v.peerId === nodeId ? [] : [v.peerId])),
    query: (method, args) => {
      const r = executor.query(store.state, 'consent', method, args);
      if (!r.ok) throw new Error(`consent query ${method} failed: ${r.error}`);
      return r.returnData;
    },
    nextNonce: () => nextNonce(store.state, key.publicKey) + mempool.pendingOf(key.publicKey),
    submit: (bytes) => ingress.submit(bytes),
    isPending: (hash) => mempool.has(hash),
    metrics: new RecordPromMetrics(metrics.registry),
    disk: { probeMs: o.store.diskProbeMs, resumeFreeBytes: o.store.diskResumeFreeBytes },
    log: log.child({ module: 'records' }),
  });

  const search = new SearchIndex(
    { ...defaultSearchIndexOptions, requestWindowMs: o.records.requestWindowMs },
    {
      chainId,
      dir: join(config.dataDir, 'index'),
      query: (method, args) => {
        const r = executor.query(store.state, 'consent', method, args);
        if (!r.ok) throw new Error(`consent query ${method} failed: ${r.error}`);
        return r.returnData;
      },
      log: log.child({ module: 'search-index' }),
      host,
      validatorPeers: () => validators().flatMap((v) => (v.peerId === nodeId ? [] : [v.peerId])),
    },
  );

  const notify = await Notifier.open(o.notify, {
    dataDir: config.dataDir,
    query: (method, args) => {
      const r = executor.query(store.state, 'consent', method, args);
      return r.ok ? r.returnData : null;
    },
    blocks: store,
    disk: { probeMs: o.store.diskProbeMs, resumeFreeBytes: o.store.diskResumeFreeBytes },
    log: log.child({ module: 'notify' }),
  });
  opened.push(() => notify.stop());

  const fanout = new AppliedFanout({
    mempool,
    producer,
    // Erasures delete blobs (records) and tokens (search).
    records: {
      onApplied: (a) => {
        records.onApplied(a);
        search.onApplied(a);
      },
    },
    notify,
    metrics,
    events,
    latency,
    commitIndex: () => raft.status().commit,
    onValidatorsChanged: () => void validatorPeers.sync(),
    now: () => performance.now(),
  });

  // Block execution pauses while the leader we had is lost, so the election's messages go first
  // (raft/leaderless-hold.ts).
  const leaderlessHold = new LeaderlessHold(o.raft.leaderlessHoldMs);
  opened.push(async () => leaderlessHold.stop());
  const applier: Applier = new Applier(
    {
      chainId,
      sliceMs: o.block.applySliceMs,
      ...(genesis.features === undefined ? {} : { features: genesis.features }),
    },
    {
      executor,
      hold: () => leaderlessHold.wait(),
      sink: store,
      sigs: verifier,
      handOver,
      isValidator: (pk) => isValidatorIn(store.state, pk),
      hooks: {
        onApplied: (a) => fanout.onApplied(a),
        onRejected: (entry, code, message) => {
          log.error({ index: entry.index, term: entry.term, code }, `committed block rejected: ${message}`);
          void appliedTip().then((t) => producer.onRejected(t));
        },
        onDivergence: (message) => {
          metrics.divergence.set(1);
          log.fatal(`STATE DIVERGENCE: ${message}; this node has stopped applying blocks`);
        },
        onUpgradeRequired: (u) => init.onFatal?.(new UpgradeRequiredError(u)),
      },
      log: log.child({ module: 'applier' }),
      tip: await appliedTip(),
    },
  );
  // Stopped before a feature it does not know at the last run: refuse to start until upgraded.
  if (applier.upgradeRequired !== null) throw new UpgradeRequiredError(applier.upgradeRequired);

  const ingress: TxIngress = new TxIngress(
    {
      limits: { ...defaultTxLimits, maxTxBytes: o.tx.maxTxBytes },
      rules: { chainId, maxGasLimit: o.tx.maxGasLimit },
      gossipBatchTxs: o.tx.gossipBatchTxs,
      gossipBatchMs: o.tx.gossipBatchMs,
    },
    {
      pool: mempool,
      verifier,
      gossip: (batch) => {
        host.publishTx(batch).catch((err: unknown) => log.debug({ err }, 'gossip publish failed'));
      },
      onAdmitted: (tx) => {
        latency.admitted(tx, performance.now());
        metrics.mempoolTxs.set(mempool.size);
        if (producer.leading && mempool.size >= o.block.maxTxs) producer.maybeCut(true);
      },
      metrics,
      log: log.child({ module: 'ingress' }),
    },
  );

  const snapshotter = new Snapshotter(o.raft, {
    store,
    conf: () => raft.status().conf,
    appliedHeight: () => applier.tip.height,
    log,
  });

  const leadership = new Leadership({
    status: () => raft.status(),
    producer,
    logTip: () => {
      const t = findLogTip(store.raft.storage, store.appliedIndex(), applier.tip);
      for (const txs of t.inFlight) mempool.onCommitted(txs);
      return t.tip;
    },
    metrics,
    events,
    log,
  });

  const stalls = new StallWatch(
    { stallMs: o.raft.stallWarnMs, sampleMs: 50 },
    { metrics: metrics.stalls, log: log.child({ module: 'stalls' }) },
  );
  // Tx submissions wait for a leader once the one we had is lost (http/leaderless.ts).
  const leaderless = new LeaderlessGate();
  // The leader's last connection closed: refuse submissions and hold blocks at once, not a loop
  // turn later when the dialer has settled it (raft/leader-suspect.ts).
  // Both follow the leader this node acts on: Raft's soft state, or none while the leader is suspect.
  const actOnLeader = (leader: string | null): void => {
    leaderless.onLeader(leader);
    leaderlessHold.onLeader(leader);
  };
  const leaderSuspect = new LeaderSuspect(o.raft.leaderlessHoldMs, {
    leader: () => raft.status().leader,
    onLeader: actOnLeader,
  });
  peerLossHook = (e) => leaderSuspect.observe(e);
  opened.push(async () => leaderSuspect.clear());
  // Heartbeats that replication just covered are left out (raft/heartbeat-filter.ts).
  const heartbeats = new HeartbeatFilter();
  const driver: RaftDriver = new RaftDriver(
    { tickMs: o.raft.tickMs, maxApplyBacklog: o.raft.maxApplyBacklog },
    {
      raft,
      persistence: {
        storage: rs,
        persist: (rd) => store.raft.persist(rd),
        saveConfState: (conf, index) => store.markApplied(index, conf),
      },
      hooks: {
        send: (m) => {
          if (heartbeats.shouldSend(m)) host.raft.sendMessage(m, raftAuth.proofFor(m));
        },
        apply: async (entries) => {
          snapshotter.onApplying(entries);
          const t0 = performance.now();
          await applier.apply(entries);
          const ms = performance.now() - t0;
          metrics.blockApply.observe(ms / 1000);
          stalls.note('apply', ms);
          await snapshotter.maybeSnapshot();
        },
        restore: async (snap) => {
          const meta = await store.restoreStateSnapshot(snap.data);
          applier.resetTip(await appliedTip());
          snapshotter.onRestored(snap.meta.index);
          await validatorPeers.sync();
          // Erasures inside the snapshot never ran the records' erase hook.
          records.sweepSoon();
          log.info({ height: meta.height, index: snap.meta.index }, 'restored state from a snapshot');
        },
        onSoftState: (soft) => {
          actOnLeader(soft.leader);
          leadership.onSoftState(soft.leader, soft.role);
        },
      },
      log: log.child({ module: 'raft' }),
      shouldTick: () => !recovery.active,
      watch: stalls,
      onFault: (err) => {
        faults.fault = err;
        log.fatal({ err }, 'the Raft loop stopped: the node no longer takes part in consensus');
      },
    },
  );

  const reconciler = new MembershipReconciler(
    { intervalMs: o.raft.membershipIntervalMs },
    {
      status: () => raft.status(),
      matchOf: (id) => raft.progress(id)?.match,
      proposeConfChange: (change) => driver.proposeConfChange(change),
      validators,
      faulted: () => faults.fault !== null,
      log,
    },
  );

  const lostFollowers = new LostFollowerWatch(
    { cooldownMs: o.raft.tickMs * o.raft.electionTick * 2 },
    {
      self: nodeId,
      status: () => {
        const st = raft.status();
        return {
          role: st.role,
          term: st.term,
          voters: st.conf.voters,
          transferring: raft.leadTransferee !== null,
        };
      },
      matchOf: (id) => raft.progress(id)?.match,
      transferLeadership: (to) => driver.transferLeadership(to),
      now: clock,
      log: log.child({ module: 'raft' }),
    },
  );

  // Fast failover (docs/raft.md): a leader whose process is gone is replaced without waiting out
  // the election timeout.
  host.onPeerLost((peer, loss) => {
    metrics.peersLost.inc();
    driver.leaderLost(peer, loss);
  });
  host.raft.onRaftMessage((m, proof) => {
    lastSeen.set(m.from, Date.now());
    // A claim of leadership needs a certificate of signed votes (raft/auth.ts); replication of our
    // term from a peer other than its leader is ignored by the Raft core.
    // A block from the future never enters the log (raft/block-clock.ts).
    // A node that lost its Raft state stays out of elections until caught up (raft/recovery-gate.ts).
    if (raftAuth.admit(m, proof) && blockClock.admit(m) && recovery.admit(m)) {
      lostFollowers.observe(m);
      heartbeats.received(m);
      driver.step(m);
    }
  });
  host.onTx((bytes, from) => {
    ingress.receiveBatch(bytes, from).catch((err: unknown) => log.warn({ err }, 'gossip batch failed'));
  });

  const api = new NodeApi({
    chainId,
    name: config.name,
    nodeId,
    store,
    mempool,
    ingress,
    executor,
    raft,
    applier,
    host,
    lastSeen,
    leadership,
    validators,
    events,
    metrics,
    actorEvents: notify,
  });
  const http = await createHttpServer(api, o.http, log.child({ module: 'http' }), async (app) => {
    refuseWritesWhileLeaderless(app, leaderless, o.http.retryAfterSeconds);
    await registerRecordRoutes(app, records, o.http.retryAfterSeconds);
    await registerSearchRoutes(app, search);
    await registerFhirRoutes(app, {
      chainId,
      query: (method, args) => {
        const r = executor.query(store.state, 'consent', method, args);
        if (!r.ok) throw new Error(`consent query ${method} failed: ${r.error}`);
        return r.returnData;
      },
      now: clock,
      recordConsult: (c) => records.consults.add(c),
      receipts: {
        lookup: async (hash) => {
          const loc = await store.getTx(hash);
          const block = loc && (await store.getBlock(loc.height));
          return loc && block ? { block, index: loc.index, receipt: loc.receipt } : null;
        },
        key: () => privateKeyFromSeed(key.seed),
        publicKey: toHex(key.publicKey),
        jurisdiction: o.fhir.jurisdiction,
      },
    });
    for (const plugin of init.httpPlugins ?? []) await plugin(app);
  });

  const admin = new AdminSocket({ path: join(config.dataDir, ADMIN_SOCKET) }, { store, log });

  return new ChainNode({
    admin,
    config,
    nodeId,
    log,
    metrics,
    events,
    store,
    mempool,
    verifier,
    executor,
    host,
    raft,
    applier,
    producer,
    ingress,
    driver,
    records,
    search,
    notify,
    http,
    leadership,
    reconciler,
    lastSeen,
    faults,
    validators,
  });
}

/** Opens LevelDB, writes genesis on first start and bootstraps Raft's membership from it. */
async function openStore(config: NodeConfig, genesis: Genesis): Promise<ChainStore> {
  const store = await ChainStore.open(config.dataDir, storeOptionsToChainStore(config.options.store));
  try {
    await store.initGenesis(genesisHash(genesis), genesisWrites(genesis));
    const fresh = store.raft.storage;
    if (
      fresh.lastIndex() === 0 &&
      fresh.snapshot().meta.index === 0 &&
      fresh.initialState().confState.voters.length === 0
    ) {
      const voters = genesis.validators.map((v) => nodeIdFromValidatorKey(fromHex(v.publicKey)));
      await store.raft.bootstrap({ voters, learners: [] });
    }
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
