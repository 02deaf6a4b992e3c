/**
 * The libp2p host a validator runs: identity from the validator's ed25519 key, TCP + noise + yamux,
 * identify, ping, gossipsub (tx gossip), kad-dht (records), the Raft transport, a request/response
 * helper, and an allow-list gater. It dials every configured peer and keeps the connections up,
 * redialling with exponential backoff when one drops.
 *
 * Lifecycle: `createP2PHost` builds a stopped host; `start()` once, `stop()` once. To restart a node,
 * create a new host with the same seed and listen address.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { type GossipSub, gossipsub } from '@libp2p/gossipsub';
import { type Identify, identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { type KadDHT, kadDHT, type SingleKadDHT } from '@libp2p/kad-dht';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { type Ping, ping } from '@libp2p/ping';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import type { CID } from 'multiformats/cid';
import {
  type DhtCallOptions,
  type DhtOptions,
  dhtInit,
  findProviders,
  type ProviderInfo,
  provide,
  unprovide,
} from './dht.js';
import { type PeerAddress, PeerDialer, type PeerLoss, type PeerLossEvent } from './dialer.js';
import { P2PError } from './errors.js';
import { AllowListGater } from './gater.js';
import { privateKeyFromSeed } from './identity.js';
import { noopMetrics, type P2PMetrics } from './metrics.js';
import { noiseCrypto } from './noise-crypto.js';
import { withNoiseRecordLength } from './noise-length.js';
import { defaultP2POptions, type P2POptions } from './options.js';
import type { PeerVersionEvents } from './peer-versions.js';
import { RaftTransport, type RaftTransportOptions } from './raft-transport.js';
import {
  type HandleRequestOptions,
  handleRequest,
  type RequestHandler,
  type RequestOptions,
  request,
} from './request.js';
import { corkedTcp } from './tcp-cork.js';
import { gossipsubOptions, TxGossip, type TxHandler, type TxValidator } from './tx-gossip.js';
import { isRaftVersionRange, MAX_RAFT_PROTOCOL_VERSION, type RaftVersionRange } from './version.js';
import { installYamuxHalfWindowUpdates } from './yamux-window.js';

export type { PeerAddress, PeerLoss, PeerLossEvent } from './dialer.js';

/** Options of `createP2PHost`. */
export interface P2PHostOptions extends Partial<P2POptions> {
  /** Chain id: part of every protocol id and topic, so chains never talk across. */
  readonly chainId: string;
  /** The validator's 32-byte ed25519 seed (private key). Never logged. */
  readonly seed: Uint8Array;
  /** Listen multiaddrs. Default `/ip4/0.0.0.0/tcp/0`. */
  readonly listen?: readonly string[];
  /** Addresses announced to peers instead of the listen addresses. */
  readonly announce?: readonly string[];
  /** Peers to dial and keep connected (the other validators). */
  readonly peers?: readonly PeerAddress[];
  /** Peers allowed to connect; default: the ids in `peers`. Peers outside are refused by the gater. */
  readonly allowedPeers?: Iterable<string>;
  readonly raft?: RaftTransportOptions;
  readonly dht?: DhtOptions;
  readonly metrics?: P2PMetrics;
  /** Told when a validator is refused for want of a common Raft protocol version, and when it is back. */
  readonly versionEvents?: PeerVersionEvents;
  /** Told of each step of a peer's loss (disconnect, redial result), for the log. */
  readonly onPeerLossEvent?: (e: PeerLossEvent) => void;
}

/** libp2p services the host runs. */
export interface P2PServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
  dht: KadDHT;
}

/** A validator's libp2p host. See the module comment. */
export class P2PHost {
  /** Raft message transport (`send`, `sendMessage`, `onMessage`, `onRaftMessage`). */
  readonly raft: RaftTransport;
  /** This node's peer id string (its Raft NodeId). */
  readonly peerId: string;
  private readonly gater: AllowListGater;
  private readonly tx: TxGossip;
  private readonly metrics: P2PMetrics;
  private readonly dialer: PeerDialer;
  private readonly stopController = new AbortController();
  private state: 'new' | 'running' | 'stopped' = 'new';
  /** Told when a peer's connections closed and an immediate redial failed (dialer.ts). */
  private readonly peerLostHandlers = new Set<(peer: string, loss: PeerLoss) => void>();
  /** Request protocols served, with the function that registers each with libp2p. */
  private readonly requestProtocols = new Map<string, () => Promise<void>>();

  /** @internal use `createP2PHost` */
  constructor(
    /** The underlying libp2p node, for anything not wrapped here. */
    readonly libp2p: Libp2p<P2PServices>,
    gater: AllowListGater,
    private readonly o: P2PHostOptions,
  ) {
    this.peerId = libp2p.peerId.toString();
    this.gater = gater;
    this.metrics = o.metrics ?? noopMetrics;
    this.raft = new RaftTransport(libp2p, this.peerId, o.chainId, (p) => gater.isAllowed(p), this.metrics, {
      ...o.raft,
      versions: versionRangeOf(o),
      ...(o.versionEvents === undefined ? {} : { versionEvents: o.versionEvents }),
    });
    // The identify handshake lists the protocols a peer serves, so its Raft versions; an identify
    // push (the remote registered its handlers later) lands in the peer store as a peer:update.
    libp2p.addEventListener('peer:identify', (e) =>
      this.raft.peerProtocols(e.detail.peerId.toString(), e.detail.protocols),
    );
    libp2p.addEventListener('peer:update', (e) =>
      this.raft.peerProtocols(e.detail.peer.id.toString(), e.detail.peer.protocols),
    );
    this.tx = new TxGossip(
      libp2p.services.pubsub,
      o.chainId,
      o.maxGossipBytes ?? defaultP2POptions.maxGossipBytes,
      this.metrics,
    );
    this.dialer = new PeerDialer(
      libp2p,
      this.peerId,
      (p) => gater.isAllowed(p),
      {
        minMs: o.redialMinMs ?? defaultP2POptions.redialMinMs,
        maxMs: o.redialMaxMs ?? defaultP2POptions.redialMaxMs,
        dialTimeoutMs: o.dialTimeoutMs ?? defaultP2POptions.dialTimeoutMs,
      },
      o.peers ?? [],
      (p) => this.raft.peerConnected(p),
      (p, loss) => {
        for (const h of this.peerLostHandlers) h(p, loss);
      },
      o.onPeerLossEvent,
    );
  }

  /**
   * Subscribes to lost peers: a configured peer whose last connection closed and that refused an
   * immediate redial (its process is gone). A peer that vanishes without closing its connections
   * (power loss, a cut cable) is not reported. `loss.certain`: its port refused a connect (its
   * process is gone), not merely the redial failed. Returns the unsubscribe function.
   */
  onPeerLost(handler: (peer: string, loss: PeerLoss) => void): () => void {
    this.peerLostHandlers.add(handler);
    return () => this.peerLostHandlers.delete(handler);
  }

  /** Starts libp2p, the protocols, and the dial loop. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new P2PError('not_started', 'a P2PHost starts once; create a new one');
    this.state = 'running';
    // Raft handlers before libp2p starts: the identify handshake a peer runs on connecting then
    // already lists our Raft versions (this host runs no identify push to correct it later).
    await this.raft.start();
    await this.libp2p.start();
    this.tx.start();
    for (const register of this.requestProtocols.values()) await register();
    await this.dialer.start();
  }

  /** Stops everything; resolves when libp2p has closed its connections. Idempotent. */
  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    this.stopController.abort();
    this.dialer.stop();
    this.tx.stop();
    await this.raft.stop();
    await this.libp2p.stop();
  }

  /** True between start() and stop(). */
  get running(): boolean {
    return this.state === 'running';
  }

  /** The multiaddrs this host can be reached on, with the /p2p suffix. */
  multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map(String);
  }

  /** Peer id strings of the peers we have a connection with. */
  connectedPeers(): string[] {
    return this.libp2p.getPeers().map(String);
  }

  /** Connection attempts the gater has refused so far (inbound and outbound). */
  refusedConnections(): number {
    return this.gater.refused;
  }

  /** The allow-list in force. */
  allowedPeers(): string[] {
    return this.gater.list();
  }

  /**
   * Replaces the allow-list (on a validator-set change). Connections to peers no longer allowed are
   * closed; configured peers newly allowed are dialled.
   */
  async setAllowedPeers(peers: Iterable<string>): Promise<void> {
    this.gater.set(peers);
    if (this.state !== 'running') return;
    const closing: Promise<void>[] = [];
    for (const id of this.libp2p.getPeers()) {
      if (!this.gater.isAllowed(id.toString())) closing.push(this.libp2p.hangUp(id).catch(() => {}));
    }
    await Promise.all(closing);
    await this.dialer.refresh();
  }

  /** Replaces the set of peers to dial and keep connected. Does not change the allow-list. */
  async setPeers(peers: readonly PeerAddress[]): Promise<void> {
    await this.dialer.setPeers(peers);
  }

  /** Publishes a tx on the gossip topic. See `TxGossip.publish`. */
  async publishTx(bytes: Uint8Array): Promise<{ recipients: number }> {
    return this.tx.publish(bytes);
  }

  /** Subscribes to gossiped txs. Returns an unsubscribe function. */
  onTx(handler: TxHandler): () => void {
    return this.tx.onTx(handler);
  }

  /** Sets the validator run before a gossiped tx is delivered and forwarded. */
  setTxValidator(validator: TxValidator | undefined): void {
    this.tx.setValidator(validator);
  }

  /** Peers subscribed to the tx topic. */
  txSubscribers(): string[] {
    return this.tx.subscribers();
  }

  /** Announces this node as a provider of `cid` in the DHT. */
  async provide(cid: CID, options: DhtCallOptions = {}): Promise<void> {
    this.assertRunning();
    return provide(this.libp2p, cid, this.stopController.signal, options, this.dhtTimeout(), this.dhtPeers());
  }

  /** Peers in the DHT's routing table (kad-dht's single DHT has one; -1 if it is not exposed). */
  dhtPeers(): number {
    const dht: Partial<SingleKadDHT> = this.libp2p.services.dht;
    return dht.routingTable?.size ?? -1;
  }

  /** Withdraws this node as a provider of `cid` (see dht.ts `unprovide` for what that reaches). */
  async unprovide(cid: CID): Promise<void> {
    this.assertRunning();
    return unprovide(this.libp2p, cid);
  }

  /** Finds providers of `cid` (other than this node) in the DHT. */
  findProviders(
    cid: CID,
    options: DhtCallOptions & { readonly limit?: number } = {},
  ): Promise<ProviderInfo[]> {
    this.assertRunning();
    return findProviders(this.libp2p, cid, this.stopController.signal, options, this.dhtTimeout());
  }

  /**
   * Serves a request/response protocol (full protocol id, e.g. `/ehrchain/<chain>/blob/1.0.0`).
   * May be called before `start()`: the handler is registered when the host starts.
   */
  async handleRequest(
    protocol: string,
    handler: RequestHandler,
    options?: HandleRequestOptions,
  ): Promise<void> {
    if (this.state === 'stopped') throw new P2PError('not_started', 'p2p host stopped');
    if (this.requestProtocols.has(protocol))
      throw new P2PError('already_handled', `${protocol} is already handled`);
    const register = () =>
      handleRequest(this.libp2p, protocol, handler, () => this.stopController.signal, this.metrics, options);
    this.requestProtocols.set(protocol, register);
    if (this.state === 'running') {
      try {
        await register();
      } catch (err) {
        this.requestProtocols.delete(protocol);
        throw new P2PError('already_handled', `cannot handle ${protocol}`, { cause: err });
      }
    }
  }

  /** Stops serving a request/response protocol. */
  async unhandleRequest(protocol: string): Promise<void> {
    if (!this.requestProtocols.delete(protocol)) return;
    if (this.state === 'running') await this.libp2p.unhandle(protocol);
  }

  /** Sends one request on `protocol` to `peer` and returns the response body. */
  async request(
    peer: string,
    protocol: string,
    bytes: Uint8Array,
    options?: RequestOptions,
  ): Promise<Uint8Array> {
    this.assertRunning();
    return request(this.libp2p, peer, protocol, bytes, this.stopController.signal, this.metrics, options);
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new P2PError('not_started', 'p2p host not running');
  }

  private dhtTimeout(): number {
    return this.o.dht?.timeoutMs ?? 10_000;
  }
}

/** The Raft versions the options ask for. Throws P2PError 'bad_options' for an empty or impossible range. */
function versionRangeOf(o: Partial<P2POptions>): RaftVersionRange {
  const r = {
    current: o.protocolVersion ?? defaultP2POptions.protocolVersion,
    min: o.minProtocolVersion ?? defaultP2POptions.minProtocolVersion,
  };
  if (!isRaftVersionRange(r)) {
    throw new P2PError(
      'bad_options',
      `p2p.minProtocolVersion ${r.min} .. p2p.protocolVersion ${r.current}: need 1 <= min <= version <= ${MAX_RAFT_PROTOCOL_VERSION}`,
    );
  }
  return r;
}

/**
 * Builds a (stopped) validator host. Throws P2PError 'bad_key' for a bad seed, 'bad_options' for a
 * protocol version range that is empty.
 */
export async function createP2PHost(options: P2PHostOptions): Promise<P2PHost> {
  versionRangeOf(options);
  const privateKey = await privateKeyFromSeed(options.seed);
  const self = peerIdFromPrivateKey(privateKey).toString();
  const allowed = options.allowedPeers ?? (options.peers ?? []).map((p) => p.peerId);
  const gater = new AllowListGater(self, allowed);
  installYamuxHalfWindowUpdates();
  const libp2p = await createLibp2p<P2PServices>({
    start: false,
    privateKey,
    addresses: {
      listen: [...(options.listen ?? ['/ip4/0.0.0.0/tcp/0'])],
      ...(options.announce === undefined ? {} : { announce: [...options.announce] }),
    },
    transports: [corkedTcp()],
    // libsodium's ChaCha20-Poly1305 per frame when it loads (noise-crypto.ts), record lengths read
    // without an exception per TCP read (noise-length.ts): same wire format
    connectionEncrypters: [withNoiseRecordLength(noise({ crypto: noiseCrypto().crypto }))],
    streamMuxers: [yamux()],
    connectionGater: gater,
    connectionManager: {
      dialTimeout: options.dialTimeoutMs ?? defaultP2POptions.dialTimeoutMs,
      inboundConnectionThreshold:
        options.inboundConnectionThreshold ?? defaultP2POptions.inboundConnectionThreshold,
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(
        gossipsubOptions(options.chainId, options.maxGossipBytes ?? defaultP2POptions.maxGossipBytes),
      ),
      dht: kadDHT(dhtInit(options.chainId, options.dht)),
    },
  });
  return new P2PHost(libp2p, gater, options);
}
