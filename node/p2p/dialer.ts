/**
 * Keeps connections to the configured peers: dials each allowed peer that is not connected, with
 * exponential backoff per peer (reset on success or when the peer connects to us), and redials soon
 * after a disconnect. libp2p's own KEEP_ALIVE reconnect gives up after a few retries; validators
 * must not, so this loop never does.
 *
 * A peer whose last connection closes is redialled at once; if that dial fails, `onPeerLost` is told
 * (a killed process's sockets close and its port refuses at once, so this takes milliseconds). The
 * Raft driver uses it to replace a lost leader without waiting out the election timeout. Beside the
 * redial, one plain TCP connect to the peer's configured address (outside libp2p's dial queue, one
 * event-loop turn on a busy main thread) reports it lost as soon as its port refuses; that report
 * is `certain` (nothing listens: the process is gone), a failed redial's is not.
 */
import { connect } from 'node:net';
import type { Connection, Libp2p, PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { parsePeerId } from './identity.js';

/** A peer to dial and keep connected. */
export interface PeerAddress {
  /** Peer id string (the validator's NodeId). */
  readonly peerId: string;
  /** Multiaddrs without the /p2p suffix, e.g. `/ip4/10.0.0.2/tcp/7000`. */
  readonly addrs: readonly string[];
}

/** Timing of the dial loop, ms. */
export interface DialerOptions {
  readonly minMs: number;
  readonly maxMs: number;
  readonly dialTimeoutMs: number;
}

/** What the dialer saw of a peer's loss, for the log (the timeline of the fast failover path). */
export type PeerLossEvent =
  | { readonly type: 'disconnected'; readonly peer: string }
  | { readonly type: 'redialFailed'; readonly peer: string; readonly ms: number; readonly error: string }
  | { readonly type: 'redialled'; readonly peer: string; readonly ms: number }
  | { readonly type: 'probeRefused'; readonly peer: string; readonly ms: number }
  /**
   * A raw TCP socket to the peer emitted 'end' (its FIN read), 'error' (e.g. ECONNRESET: a killed
   * process with unread bytes in its receive buffer resets its connections) or 'close'.
   */
  | { readonly type: 'socketClosed'; readonly peer: string; readonly event: RawSocketEvent };

/** The raw socket events that end a connection. */
export type RawSocketEvent = 'end' | 'error' | 'close';

/** What the dialer needs of a raw socket: the events that end it. */
export interface RawSocket {
  once(event: RawSocketEvent, listener: () => void): unknown;
}

/**
 * The raw TCP socket under a libp2p connection, if there is one: @libp2p/tcp's connection keeps it
 * as `maConn.socket` (not in its types). Null for any other transport.
 */
export function rawSocketOf(conn: object): RawSocket | null {
  const maConn = (conn as { maConn?: { socket?: unknown } }).maConn;
  const socket = maConn?.socket;
  if (typeof socket !== 'object' || socket === null) return null;
  return typeof (socket as { once?: unknown }).once === 'function' ? (socket as RawSocket) : null;
}

/**
 * Calls `onClosed` with the first of the socket's 'end', 'error' and 'close' events, once. (The
 * 'error' listener does not swallow errors: @libp2p/tcp has its own.)
 */
export function watchRawSocket(socket: RawSocket, onClosed: (event: RawSocketEvent) => void): void {
  let seen = false;
  const once = (event: RawSocketEvent) => () => {
    if (seen) return;
    seen = true;
    onClosed(event);
  };
  for (const e of ['end', 'error', 'close'] as const) socket.once(e, once(e));
}

/**
 * How the dialer knows a peer is lost. `certain`: its port refused a plain TCP connect, so nothing
 * listens there (its process is gone; a live peer behind a cut link times out, never refuses).
 * A failed libp2p redial alone is not certain.
 */
export interface PeerLoss {
  readonly certain: boolean;
}

/** One TCP connect to a peer's address: `refused` (nothing listens: its process is gone), else `open` or `unknown`. */
export type ProbeResult = 'refused' | 'open' | 'unknown';
/** Probes the first TCP address of `addrs` (multiaddr strings), giving up after `timeoutMs`. */
export type PortProbe = (addrs: readonly string[], timeoutMs: number) => Promise<ProbeResult>;

/** The PortProbe of node:net: connect, then close at once (the peer sees a connection that never speaks). */
export const tcpPortProbe: PortProbe = (addrs, timeoutMs) => {
  const target = firstTcpAddress(addrs);
  if (target === null) return Promise.resolve('unknown');
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('unknown'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(err.code === 'ECONNREFUSED' ? 'refused' : 'unknown'),
    );
  });
};

/** Host and port of the first `/ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>` multiaddr, or null. */
function firstTcpAddress(addrs: readonly string[]): { host: string; port: number } | null {
  for (const a of addrs) {
    try {
      const [h, t] = multiaddr(a).getComponents();
      if (h === undefined || t?.name !== 'tcp' || h.value === undefined) continue;
      if (!['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(h.name)) continue;
      const port = Number(t.value);
      if (Number.isInteger(port) && port > 0 && port < 65_536) return { host: h.value, port };
    } catch {
      // not a multiaddr: the libp2p redial reports it
    }
  }
  return null;
}

interface DialState {
  backoffMs: number;
  nextAt: number;
  dialing: boolean;
  /** The peer just disconnected: a failed redial reports it lost. */
  justLost: boolean;
}

type DialHost = Pick<
  Libp2p,
  'dial' | 'getConnections' | 'peerStore' | 'addEventListener' | 'removeEventListener'
>;

/** The dial loop of the host. */
export class PeerDialer {
  private peers = new Map<string, PeerAddress>();
  private readonly dials = new Map<string, DialState>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort = new AbortController();
  private running = false;

  constructor(
    private readonly libp2p: DialHost,
    private readonly self: string,
    private readonly isAllowed: (peer: string) => boolean,
    private readonly o: DialerOptions,
    peers: readonly PeerAddress[],
    private readonly onPeerConnected: (peer: string) => void,
    private readonly onPeerLost: (peer: string, loss: PeerLoss) => void = () => {},
    private readonly onLossEvent: (e: PeerLossEvent) => void = () => {},
    private readonly portProbe: PortProbe = tcpPortProbe,
  ) {
    this.peers = new Map(peers.map((p) => [p.peerId, p]));
  }

  /** Starts the loop (libp2p must be started). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.libp2p.addEventListener('peer:connect', this.onConnect);
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect);
    this.libp2p.addEventListener('connection:open', this.onConnectionOpen);
    await this.rememberAddresses();
    this.tick();
  }

  /** Stops the loop and aborts dials in flight. */
  stop(): void {
    this.running = false;
    this.abort.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.libp2p.removeEventListener('peer:connect', this.onConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
    this.libp2p.removeEventListener('connection:open', this.onConnectionOpen);
  }

  /** Replaces the peers to keep connected. */
  async setPeers(peers: readonly PeerAddress[]): Promise<void> {
    this.peers = new Map(peers.map((p) => [p.peerId, p]));
    for (const id of this.dials.keys()) if (!this.peers.has(id)) this.dials.delete(id);
    await this.refresh();
  }

  /** Re-reads addresses and dials at once (after the allow-list changed). */
  async refresh(): Promise<void> {
    if (!this.running) return;
    await this.rememberAddresses();
    for (const d of this.dials.values()) d.nextAt = 0;
    this.tick();
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    const d = this.dials.get(id);
    if (d !== undefined) d.backoffMs = this.o.minMs;
    this.onPeerConnected(id);
  };

  // A killed peer's socket reads EOF several async hops before libp2p's peer:disconnect (noise,
  // yamux, connection close, connection manager), each a turn of a busy loop: watch the socket.
  private readonly onConnectionOpen = (evt: CustomEvent<Connection>): void => {
    const peer = evt.detail.remotePeer.toString();
    if (peer === this.self || !this.peers.has(peer)) return;
    const socket = rawSocketOf(evt.detail);
    if (socket !== null) watchRawSocket(socket, (event) => this.onSocketClosed(peer, event));
  };

  private onSocketClosed(peer: string, event: RawSocketEvent): void {
    if (!this.running) return;
    this.onLossEvent({ type: 'socketClosed', peer, event });
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString();
    const d = this.dials.get(id);
    if (d === undefined || !this.running) return;
    this.onLossEvent({ type: 'disconnected', peer: id });
    // Redial at once: failing tells the peer is gone (not merely one broken connection).
    d.justLost = true;
    d.nextAt = 0;
    const p = this.peers.get(id);
    if (p !== undefined) void this.probe(p, d);
    this.tick();
  };

  /** The quick half of the loss check: a refused plain TCP connect reports the peer lost at once. */
  private async probe(p: PeerAddress, d: DialState): Promise<void> {
    const t0 = Date.now();
    const r = await this.portProbe(p.addrs, this.o.dialTimeoutMs).catch((): ProbeResult => 'unknown');
    // Whichever of the probe and the redial settles the loss first reports it; the other is quiet.
    if (r !== 'refused' || !d.justLost || !this.running || this.isConnected(p.peerId)) return;
    d.justLost = false;
    this.onLossEvent({ type: 'probeRefused', peer: p.peerId, ms: Date.now() - t0 });
    this.onPeerLost(p.peerId, { certain: true });
  }

  /** Puts configured addresses of allowed peers into the peer store so dials by peer id find them. */
  private async rememberAddresses(): Promise<void> {
    for (const p of this.peers.values()) {
      if (!this.isAllowed(p.peerId)) continue;
      try {
        await this.libp2p.peerStore.merge(parsePeerId(p.peerId), {
          multiaddrs: p.addrs.map((a) => multiaddr(a)),
        });
      } catch {
        // a bad address or id in the configuration: dialling it fails and backs off
      }
    }
  }

  /** One pass of the loop; reschedules itself. */
  private tick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const now = Date.now();
    let next = now + Math.max(this.o.minMs, 1000);
    for (const p of this.peers.values()) {
      if (p.peerId === this.self || !this.isAllowed(p.peerId)) continue;
      let d = this.dials.get(p.peerId);
      if (d === undefined) {
        d = { backoffMs: this.o.minMs, nextAt: 0, dialing: false, justLost: false };
        this.dials.set(p.peerId, d);
      }
      if (d.dialing) continue;
      if (d.nextAt > now) {
        next = Math.min(next, d.nextAt);
        continue;
      }
      if (this.isConnected(p.peerId)) {
        d.justLost = false;
        continue;
      }
      void this.dial(p, d);
    }
    this.timer = setTimeout(() => this.tick(), Math.max(10, next - now));
    this.timer.unref?.();
  }

  private isConnected(peer: string): boolean {
    try {
      return this.libp2p.getConnections(parsePeerId(peer)).length > 0;
    } catch {
      return false;
    }
  }

  private async dial(p: PeerAddress, d: DialState): Promise<void> {
    d.dialing = true;
    const t0 = Date.now();
    const wasLost = d.justLost;
    try {
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.dialTimeoutMs)]);
      await this.libp2p.dial(parsePeerId(p.peerId), { signal });
      d.backoffMs = this.o.minMs;
      d.nextAt = 0;
      d.justLost = false;
      if (wasLost) this.onLossEvent({ type: 'redialled', peer: p.peerId, ms: Date.now() - t0 });
    } catch (err) {
      if (wasLost) {
        const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        this.onLossEvent({ type: 'redialFailed', peer: p.peerId, ms: Date.now() - t0, error });
      }
      d.nextAt = Date.now() + d.backoffMs;
      d.backoffMs = Math.min(d.backoffMs * 2, this.o.maxMs);
      if (d.justLost && this.running) {
        d.justLost = false;
        this.onPeerLost(p.peerId, { certain: false });
      }
    } finally {
      d.dialing = false;
    }
    this.tick();
  }
}
