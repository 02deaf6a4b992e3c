/**
 * Raft message transport over libp2p streams.
 *
 * - `/ehrchain/<chainId>/raft/<v>.0.0`: one long-lived outbound stream per peer carrying
 *   length-prefixed frames (it-length-prefixed, varint length), each frame one encoded Raft message,
 *   in send order. Frames are bounded by `maxFrameBytes` (default 4 MiB).
 * - `/ehrchain/<chainId>/raft-snapshot/<v>.0.0`: frames larger than `maxFrameBytes` (snapshots) go on
 *   a short-lived stream of their own, up to `maxSnapshotBytes` (default 64 MiB), so a big snapshot
 *   never holds heartbeats up behind it. At most one is in flight per peer; a newer one replaces
 *   one still waiting. Ordering between the two lanes is not preserved (Raft tolerates reordering).
 *
 * Each peer has a bounded queue (`maxQueue` frames / `maxQueueBytes`); when it is full the oldest
 * frame is dropped and counted: Raft tolerates loss and retransmits. A failed stream or dial is
 * retried with exponential backoff the next time there is something to send, or at once when the
 * host reports the peer connected again.
 *
 * Versions (`version.ts`): both lanes are served for every version from `versions.min` to
 * `versions.current`; the dialler offers them newest first and each stream speaks the version it
 * negotiated, its frames carrying it. A peer that serves none of ours is refused: nothing is sent
 * to it (`incompatible`) and `onIncompatible` names it and its versions.
 */
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { Uint8ArrayList } from 'uint8arraylist';
import type { Message } from '../../consensus/types.js';
import { type BlockRelay, HASH_ONLY_BLOCKS_VERSION } from './block-relay.js';
import { isP2PError } from './errors.js';
import { parsePeerId } from './identity.js';
import { DropReason, noopMetrics, type P2PMetrics } from './metrics.js';
import { type IncompatiblePeer, type PeerVersionEvents, PeerVersions } from './peer-versions.js';
import {
  DEFAULT_RAFT_CODEC_LIMITS,
  encodeRaftFrame,
  peekRaftMessageType,
  type RaftCodecLimits,
  type RaftProof,
} from './raft-codec.js';
import { type RaftBytesHandler, RaftInbox, type RaftMessageHandler } from './raft-inbox.js';
import {
  DEFAULT_RAFT_VERSIONS,
  type RaftLane,
  type RaftVersionRange,
  raftProtocolId,
  raftVersionOfProtocol,
  raftVersionsInProtocols,
  raftVersionsOf,
  unversionFrame,
  versionFrame,
} from './version.js';

export type { RaftBytesHandler, RaftMessageHandler } from './raft-inbox.js';

/** Options for the Raft transport (all sizes in bytes, times in ms). */
export interface RaftTransportOptions {
  /** Largest frame on the long-lived stream; larger ones use the snapshot lane. Default 4 MiB. */
  readonly maxFrameBytes?: number;
  /** Largest frame on the snapshot lane. Default 64 MiB. */
  readonly maxSnapshotBytes?: number;
  /** Frames queued per peer before the oldest is dropped. Default 4096. */
  readonly maxQueue?: number;
  /** Bytes queued per peer before the oldest frames are dropped. Default 32 MiB. */
  readonly maxQueueBytes?: number;
  /** Time allowed to dial and open a stream. Default 5000. */
  readonly dialTimeoutMs?: number;
  /** Time allowed to write one snapshot. Default 60000. */
  readonly snapshotTimeoutMs?: number;
  /** Reconnect backoff, doubling from min to max. Default 100 .. 5000. */
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
  /** Limits for decoding inbound messages (maxBytes defaults to maxSnapshotBytes). */
  readonly codecLimits?: Partial<RaftCodecLimits>;
  /** Protocol versions served and offered. Default: this release's and the previous one. */
  readonly versions?: RaftVersionRange;
  /** Told when a peer is refused for want of a common version, and when it is accepted again. */
  readonly versionEvents?: PeerVersionEvents;
}

interface Link {
  readonly peer: string;
  readonly peerId: PeerId;
  readonly queue: Uint8Array[];
  queuedBytes: number;
  stream: Stream | null;
  pumping: boolean;
  kicked: boolean;
  backoffMs: number;
  nextAttemptAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  bulkPending: Uint8Array | null;
  bulkRunning: boolean;
  /** The version the current stream negotiated (frames are written in it). */
  version: number;
}

type StreamHost = Pick<Libp2p, 'dialProtocol' | 'handle' | 'unhandle'> & {
  readonly peerStore: Pick<Libp2p['peerStore'], 'get'>;
};

/** Most bytes coalesced into one stream write. */
const BATCH_BYTES = 256 * 1024;

const kindOf = (bytes: Uint8Array): string => peekRaftMessageType(bytes) ?? 'raft';

/** Sends and receives Raft frames; created and started by the P2P host. */
export class RaftTransport {
  /** Stream protocol of the long-lived message lane, current version. */
  readonly protocol: string;
  /** Stream protocol of the snapshot lane, current version. */
  readonly snapshotProtocol: string;
  /** Message-lane protocols served and offered, newest first. */
  readonly protocols: readonly string[];
  /** Snapshot-lane protocols served and offered, newest first. */
  readonly snapshotProtocols: readonly string[];
  private readonly o: Required<Omit<RaftTransportOptions, 'codecLimits' | 'versions' | 'versionEvents'>>;
  private readonly versions: PeerVersions;
  private readonly limits: RaftCodecLimits;
  private readonly links = new Map<string, Link>();
  private readonly inbound = new Set<Stream>();
  private readonly inbox: RaftInbox;
  private relay: BlockRelay | null = null;
  /** Frames with compact blocks, and how to encode their full form for a peer on version < 3. */
  private readonly fullFrames = new WeakMap<Uint8Array, () => Uint8Array>();
  private abort = new AbortController();
  private running = false;

  constructor(
    private readonly host: StreamHost,
    private readonly selfId: string,
    private readonly chainId: string,
    private readonly isAllowed: (peer: string) => boolean,
    private readonly metrics: P2PMetrics = noopMetrics,
    options: RaftTransportOptions = {},
  ) {
    const ours = raftVersionsOf(options.versions ?? DEFAULT_RAFT_VERSIONS);
    this.versions = new PeerVersions(ours, options.versionEvents);
    this.protocols = ours.map((v) => raftProtocolId(chainId, 'raft', v));
    this.snapshotProtocols = ours.map((v) => raftProtocolId(chainId, 'raft-snapshot', v));
    this.protocol = this.protocols[0] ?? '';
    this.snapshotProtocol = this.snapshotProtocols[0] ?? '';
    this.o = {
      maxFrameBytes: options.maxFrameBytes ?? 4 * 1024 * 1024,
      maxSnapshotBytes: options.maxSnapshotBytes ?? 64 * 1024 * 1024,
      maxQueue: options.maxQueue ?? 4096,
      maxQueueBytes: options.maxQueueBytes ?? 32 * 1024 * 1024,
      dialTimeoutMs: options.dialTimeoutMs ?? 5000,
      snapshotTimeoutMs: options.snapshotTimeoutMs ?? 60_000,
      backoffMinMs: options.backoffMinMs ?? 100,
      backoffMaxMs: options.backoffMaxMs ?? 5000,
    };
    this.limits = {
      ...DEFAULT_RAFT_CODEC_LIMITS,
      maxBytes: Math.max(this.o.maxFrameBytes, this.o.maxSnapshotBytes),
      ...options.codecLimits,
    };
    this.inbox = new RaftInbox(selfId, this.limits, metrics);
  }

  /** Registers the stream handlers. Called by the host after libp2p has started. */
  async start(): Promise<void> {
    if (this.running) return;
    this.abort = new AbortController();
    this.running = true;
    for (const p of this.protocols) {
      await this.host.handle(p, (s, c) => this.readInbound(s, c, this.o.maxFrameBytes, 'raft'), {
        maxInboundStreams: 8,
      });
    }
    for (const p of this.snapshotProtocols) {
      await this.host.handle(p, (s, c) => this.readInbound(s, c, this.o.maxSnapshotBytes, 'raft-snapshot'), {
        maxInboundStreams: 2,
      });
    }
  }

  /** Drops every queue, aborts every stream and timer. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    const err = new Error('raft transport stopped');
    for (const link of this.links.values()) {
      clearTimeout(link.timer);
      link.timer = undefined;
      link.queue.length = 0;
      link.queuedBytes = 0;
      link.bulkPending = null;
      link.stream?.abort(err);
      link.stream = null;
    }
    this.links.clear();
    for (const s of this.inbound) s.abort(err);
    this.inbound.clear();
    await this.host.unhandle([...this.protocols, ...this.snapshotProtocols]).catch(() => {});
  }

  /**
   * Queues an encoded message for `to`. Returns false when it was dropped at once (stopped, not
   * allowed, too large); a frame queued now may still be dropped later if the queue overflows.
   */
  send(to: string, bytes: Uint8Array): boolean {
    const kind = kindOf(bytes);
    if (!this.running) return this.drop(kind, DropReason.Stopped);
    if (to === this.selfId || !this.isAllowed(to)) return this.drop(kind, DropReason.NotAllowed);
    if (this.versions.isRefused(to)) return this.drop(kind, DropReason.Incompatible);
    if (bytes.byteLength > this.o.maxSnapshotBytes) return this.drop(kind, DropReason.TooLarge);
    let link: Link;
    try {
      link = this.link(to);
    } catch {
      return this.drop(kind, DropReason.NotAllowed);
    }
    if (bytes.byteLength > this.o.maxFrameBytes) {
      if (link.bulkPending !== null) this.drop(kindOf(link.bulkPending), DropReason.Superseded);
      link.bulkPending = bytes;
      void this.pumpBulk(link);
      return true;
    }
    link.queue.push(bytes);
    link.queuedBytes += bytes.byteLength;
    while (link.queue.length > this.o.maxQueue || link.queuedBytes > this.o.maxQueueBytes) {
      const old = link.queue.shift();
      if (old === undefined) break;
      link.queuedBytes -= old.byteLength;
      this.drop(kindOf(old), DropReason.QueueFull);
    }
    this.kick(link);
    return true;
  }

  /**
   * Sends block entries hash-only to peers on version >= 3 and fills those received
   * (node/p2p/block-relay.ts); null turns it off.
   */
  useRelay(relay: BlockRelay | null): void {
    this.relay = relay;
    this.inbox.useRelay(relay);
  }

  /** Encodes and sends a Raft message, with its proof if any, to `msg.to`. Same return value as `send`. */
  sendMessage(msg: Message, proof: RaftProof = {}): boolean {
    let bytes: Uint8Array;
    try {
      const entries =
        this.relay !== null &&
        msg.type === 'append' &&
        (this.versions.versionOf(msg.to) ?? 0) >= HASH_ONLY_BLOCKS_VERSION
          ? this.relay.compactEntries(msg.entries, msg.commit)
          : null;
      if (entries !== null && msg.type === 'append') {
        bytes = encodeRaftFrame({ ...proof, msg: { ...msg, entries } }, this.limits);
        this.fullFrames.set(bytes, () => encodeRaftFrame({ ...proof, msg }, this.limits));
        return this.send(msg.to, bytes);
      }
      bytes = encodeRaftFrame({ ...proof, msg }, this.limits);
    } catch (err) {
      // Too large, or a proof on a message type that cannot carry one.
      return this.drop(msg.type, isP2PError(err, 'too_large') ? DropReason.TooLarge : DropReason.BadMessage);
    }
    return this.send(msg.to, bytes);
  }

  /** Subscribes to raw inbound frames. Returns an unsubscribe function. */
  onMessage(handler: RaftBytesHandler): () => void {
    return this.inbox.onMessage(handler);
  }

  /**
   * Subscribes to decoded inbound messages (with the proof each frame carried). Frames that do not
   * decode, that claim a `from` other than the authenticated peer, or that are addressed to another
   * node are dropped and counted.
   */
  onRaftMessage(handler: RaftMessageHandler): () => void {
    return this.inbox.onRaftMessage(handler);
  }

  /** Called by the host when a connection to `peer` opens: retry at once instead of waiting out the backoff. */
  peerConnected(peer: string): void {
    const link = this.links.get(peer);
    if (link === undefined) return;
    link.backoffMs = this.o.backoffMinMs;
    link.nextAttemptAt = 0;
    if (link.queue.length > 0) void this.pump(link);
  }

  /**
   * Called by the host with the protocols a peer announced in the identify handshake: a peer that
   * serves Raft versions of this chain, none of them ours, is refused until it announces one.
   */
  peerProtocols(peer: string, protocols: readonly string[]): void {
    this.versions.observe(peer, raftVersionsInProtocols(this.chainId, protocols));
  }

  /** Peers refused for want of a common protocol version (for status, metrics and tests). */
  incompatiblePeers(): IncompatiblePeer[] {
    return this.versions.incompatible();
  }

  /** The version the last stream with `peer` negotiated, if any. */
  peerVersion(peer: string): number | undefined {
    return this.versions.versionOf(peer);
  }

  /** Inbound raft streams currently open (for status and tests). */
  inboundStreams(): number {
    return this.inbound.size;
  }

  /** Frames queued per peer (for status and tests). */
  queued(): Map<string, number> {
    return new Map([...this.links].map(([p, l]) => [p, l.queue.length]));
  }

  private drop(kind: string, reason: DropReason): false {
    this.metrics.messageDropped(kind, reason);
    return false;
  }

  private link(peer: string): Link {
    let link = this.links.get(peer);
    if (link === undefined) {
      link = {
        peer,
        peerId: parsePeerId(peer),
        queue: [],
        queuedBytes: 0,
        stream: null,
        pumping: false,
        kicked: false,
        backoffMs: this.o.backoffMinMs,
        nextAttemptAt: 0,
        timer: undefined,
        bulkPending: null,
        bulkRunning: false,
        version: 0,
      };
      this.links.set(peer, link);
    }
    return link;
  }

  private signal(timeoutMs: number): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
  }

  /** Runs the pump on the next microtask so a burst of sends in one tick goes out as one write. */
  private kick(link: Link): void {
    if (link.pumping || link.kicked) return;
    link.kicked = true;
    queueMicrotask(() => {
      link.kicked = false;
      void this.pump(link);
    });
  }

  private async pump(link: Link): Promise<void> {
    if (link.pumping) return;
    link.pumping = true;
    try {
      while (this.running && link.queue.length > 0) {
        const stream = link.stream ?? (await this.open(link));
        if (stream === null) return;
        // Coalesce what is queued (up to BATCH_BYTES) into one write: one yamux frame, one noise
        // record, one syscall instead of one per message.
        const batch = new Uint8ArrayList();
        const kinds: [string, number][] = [];
        while (batch.byteLength < BATCH_BYTES) {
          const frame = link.queue.shift();
          if (frame === undefined) break;
          link.queuedBytes -= frame.byteLength;
          batch.append(lp.encode.single(versionFrame(link.version, this.forVersion(frame, link.version))));
          kinds.push([kindOf(frame), frame.byteLength]);
        }
        let ok: boolean;
        try {
          // One contiguous buffer: a multi-chunk Uint8ArrayList is written chunk by chunk below.
          ok = stream.send(batch.subarray());
        } catch {
          for (const [kind] of kinds) this.drop(kind, DropReason.SendFailed);
          this.resetStream(link, stream);
          continue;
        }
        for (const [kind, n] of kinds) this.metrics.messageSent(kind, n);
        if (!ok) {
          try {
            await stream.onDrain({ signal: this.abort.signal });
          } catch {
            this.resetStream(link, stream);
          }
        }
      }
    } finally {
      link.pumping = false;
    }
  }

  private async open(link: Link): Promise<Stream | null> {
    if (!this.isAllowed(link.peer)) {
      // Left the allow-list while frames were queued: nothing will ever get through.
      for (const f of link.queue.splice(0)) this.drop(kindOf(f), DropReason.NotAllowed);
      link.queuedBytes = 0;
      return null;
    }
    const wait = link.nextAttemptAt - Date.now();
    if (wait > 0) {
      this.schedule(link, wait);
      return null;
    }
    try {
      const stream = await this.host.dialProtocol(link.peerId, [...this.protocols], {
        signal: this.signal(this.o.dialTimeoutMs),
      });
      if (!this.running) {
        stream.abort(new Error('stopped'));
        return null;
      }
      link.version = this.negotiated(link.peer, 'raft', stream);
      link.stream = stream;
      link.backoffMs = this.o.backoffMinMs;
      stream.addEventListener('close', () => {
        if (link.stream !== stream) return;
        link.stream = null;
        if (this.running && link.queue.length > 0) this.schedule(link, 0);
      });
      return stream;
    } catch (err) {
      if (!this.running) return null;
      await this.noCommonVersion(link, err);
      link.nextAttemptAt = Date.now() + link.backoffMs;
      this.schedule(link, link.backoffMs);
      link.backoffMs = Math.min(link.backoffMs * 2, this.o.backoffMaxMs);
      return null;
    }
  }

  private schedule(link: Link, delayMs: number): void {
    if (link.timer !== undefined || !this.running) return;
    link.timer = setTimeout(() => {
      link.timer = undefined;
      void this.pump(link);
    }, delayMs);
    link.timer.unref?.();
  }

  private resetStream(link: Link, stream: Stream): void {
    stream.abort(new Error('raft stream failed'));
    if (link.stream === stream) link.stream = null;
  }

  private async pumpBulk(link: Link): Promise<void> {
    if (link.bulkRunning) return;
    link.bulkRunning = true;
    try {
      while (this.running && link.bulkPending !== null) {
        const bytes = link.bulkPending;
        link.bulkPending = null;
        let stream: Stream | undefined;
        try {
          stream = await this.host.dialProtocol(link.peerId, [...this.snapshotProtocols], {
            signal: this.signal(this.o.dialTimeoutMs),
          });
          const version = this.negotiated(link.peer, 'raft-snapshot', stream);
          stream.send(lp.encode.single(versionFrame(version, this.forVersion(bytes, version))));
          await stream.close({ signal: this.signal(this.o.snapshotTimeoutMs) });
          this.metrics.messageSent(kindOf(bytes), bytes.byteLength);
        } catch {
          stream?.abort(new Error('snapshot send failed'));
          this.drop(kindOf(bytes), DropReason.SendFailed);
        }
      }
    } finally {
      link.bulkRunning = false;
    }
  }

  /**
   * The frame to write on a stream of `version`: a frame with compact blocks, encoded when the
   * peer spoke version >= 3, in full again if the stream now speaks an older one.
   */
  private forVersion(frame: Uint8Array, version: number): Uint8Array {
    if (version >= HASH_ONLY_BLOCKS_VERSION) return frame;
    return this.fullFrames.get(frame)?.() ?? frame;
  }

  /** The version `stream` negotiated (from its protocol id), recorded for its peer. */
  private negotiated(peer: string, lane: RaftLane, stream: Stream): number {
    const v = raftVersionOfProtocol(this.chainId, lane, stream.protocol) ?? 1;
    this.versions.negotiatedWith(peer, v);
    return v;
  }

  /** After a failed dial: when the peer serves none of our versions, it is refused. */
  private async noCommonVersion(link: Link, err: unknown): Promise<void> {
    if (!(err instanceof Error) || err.name !== 'UnsupportedProtocolError') return;
    const peer = await this.host.peerStore.get(link.peerId).catch(() => undefined);
    this.versions.observe(link.peer, raftVersionsInProtocols(this.chainId, peer?.protocols ?? []));
    if (!this.versions.isRefused(link.peer)) return;
    for (const f of link.queue.splice(0)) this.drop(kindOf(f), DropReason.Incompatible);
    link.queuedBytes = 0;
  }

  private async readInbound(
    stream: Stream,
    connection: Connection,
    maxDataLength: number,
    lane: RaftLane,
  ): Promise<void> {
    const from = connection.remotePeer.toString();
    if (!this.running || !this.isAllowed(from)) {
      stream.abort(new Error('not allowed'));
      return;
    }
    const version = this.negotiated(from, lane, stream);
    this.inbound.add(stream);
    try {
      for await (const frame of lp.decode(stream, { maxDataLength })) {
        const f = unversionFrame(frame.subarray());
        // A frame must carry the version its stream negotiated.
        if (f.version !== version) this.drop('raft', DropReason.BadVersion);
        else this.inbox.deliver(from, f.body, version);
      }
      // The remote closed its end: close ours too, or the half-open stream keeps counting against
      // maxInboundStreams.
      await stream
        .close({ signal: AbortSignal.timeout(1000) })
        .catch(() => stream.abort(new Error('close failed')));
    } catch {
      // Oversized length prefix, truncated frame or a reset: drop this stream only.
      if (this.running) this.drop('raft', DropReason.BadMessage);
      stream.abort(new Error('bad raft stream'));
    } finally {
      this.inbound.delete(stream);
    }
  }
}
