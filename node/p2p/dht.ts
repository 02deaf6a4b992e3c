/**
 * Kademlia DHT wiring: a private protocol per chain, server mode from the start, and an address
 * mapper that keeps private/loopback addresses (the default libp2p mapper strips them, which breaks
 * a LAN or single-machine network). Every call is bounded by a timeout and the caller's signal.
 */
import type { Libp2p } from '@libp2p/interface';
import {
  type KadDHTInit,
  passthroughMapper,
  removePrivateAddressesMapper,
  removePublicAddressesMapper,
} from '@libp2p/kad-dht';
import type { CID } from 'multiformats/cid';
import { P2PError } from './errors.js';

/** Which addresses the DHT hands out: all of them, only private ones (LAN), or only public ones. */
export type DhtAddressMode = 'all' | 'private' | 'public';

/** DHT options of the host. */
export interface DhtOptions {
  /** Default 'all'. Use 'public' on the open internet. */
  readonly addresses?: DhtAddressMode;
  /** First self-queries run at this interval (ms) until the routing table fills. Default 1000. */
  readonly initialQuerySelfIntervalMs?: number;
  /** Default timeout of provide / findProviders, ms. Default 10000. */
  readonly timeoutMs?: number;
}

/** Options of one DHT call. */
export interface DhtCallOptions {
  readonly signal?: AbortSignal;
  /** Overrides `DhtOptions.timeoutMs`. */
  readonly timeoutMs?: number;
}

/** A provider found in the DHT. */
export interface ProviderInfo {
  /** Peer id string. */
  readonly peerId: string;
  /** Multiaddr strings (may be empty: dial by peer id then). */
  readonly addrs: readonly string[];
}

/** The kad-dht init for a chain. */
export function dhtInit(chainId: string, o: DhtOptions = {}): KadDHTInit {
  const mode = o.addresses ?? 'all';
  return {
    protocol: `/ehrchain/${chainId}/kad/1.0.0`,
    clientMode: false,
    peerInfoMapper:
      mode === 'all'
        ? passthroughMapper
        : mode === 'private'
          ? removePublicAddressesMapper
          : removePrivateAddressesMapper,
    initialQuerySelfInterval: o.initialQuerySelfIntervalMs ?? 1000,
  };
}

type Routing = Pick<Libp2p, 'contentRouting' | 'peerId'>;

function callSignal(stop: AbortSignal, o: DhtCallOptions, defaultTimeoutMs: number) {
  const timeout = AbortSignal.timeout(o.timeoutMs ?? defaultTimeoutMs);
  const list = [stop, timeout];
  if (o.signal !== undefined) list.push(o.signal);
  return { signal: AbortSignal.any(list), timeout };
}

function mapError(
  err: unknown,
  o: DhtCallOptions,
  timeout: AbortSignal,
  stop: AbortSignal,
  what: string,
): P2PError {
  if (o.signal?.aborted === true) return new P2PError('aborted', `${what} aborted`, { cause: err });
  if (timeout.aborted) return new P2PError('timeout', `${what} timed out`, { cause: err });
  if (stop.aborted) return new P2PError('not_started', 'host stopped', { cause: err });
  return new P2PError('unreachable', `${what} failed`, { cause: err });
}

/**
 * Announces this node as a provider of `cid`. Throws P2PError 'timeout' / 'aborted' / 'unreachable',
 * or 'no_peers' at once when the routing table holds no peer (`dhtPeers` 0): kad-dht stores the
 * local provider record first, then waits for its first self-query before it looks for peers, so
 * with none it would hold the caller for the whole timeout (5 s per upload on a lone validator).
 * The announce then goes on in the background, bounded by the same timeout: a peer that joins in
 * time is told, and one that joins later finds the record by asking this node.
 */
export async function provide(
  r: Routing,
  cid: CID,
  stop: AbortSignal,
  o: DhtCallOptions,
  defaultTimeoutMs: number,
  dhtPeers: number,
): Promise<void> {
  const { signal, timeout } = callSignal(stop, o, defaultTimeoutMs);
  const announce = r.contentRouting.provide(cid, { signal });
  if (dhtPeers === 0) {
    announce.catch(() => undefined);
    throw new P2PError('no_peers', 'provide: no DHT peer to announce to yet (the record is kept locally)');
  }
  try {
    await announce;
  } catch (err) {
    throw mapError(err, o, timeout, stop, 'provide');
  }
}

/**
 * Withdraws this node as a provider of `cid`: drops its own provider record and stops reproviding
 * it (kad-dht `cancelReprovide`). Kademlia has no message to delete a provider record held by
 * other peers: theirs expire on their own (kad-dht keeps them 48 h unless reprovided).
 */
export async function unprovide(r: Routing, cid: CID): Promise<void> {
  try {
    await r.contentRouting.cancelReprovide(cid);
  } catch (err) {
    throw new P2PError('unreachable', 'cancelReprovide failed', { cause: err });
  }
}

/**
 * Finds up to `limit` providers of `cid` other than this node. A search that times out returns what
 * it found so far (possibly nothing); the caller's own signal aborting throws P2PError 'aborted'.
 */
export async function findProviders(
  r: Routing,
  cid: CID,
  stop: AbortSignal,
  o: DhtCallOptions & { readonly limit?: number },
  defaultTimeoutMs: number,
): Promise<ProviderInfo[]> {
  const { signal, timeout } = callSignal(stop, o, defaultTimeoutMs);
  const limit = o.limit ?? 20;
  const self = r.peerId.toString();
  const found = new Map<string, ProviderInfo>();
  try {
    for await (const p of r.contentRouting.findProviders(cid, { signal })) {
      const peerId = p.id.toString();
      if (peerId === self) continue;
      const prev = found.get(peerId);
      const addrs = new Set([...(prev?.addrs ?? []), ...p.multiaddrs.map(String)]);
      found.set(peerId, { peerId, addrs: [...addrs] });
      if (found.size >= limit) break;
    }
  } catch (err) {
    const e = mapError(err, o, timeout, stop, 'findProviders');
    if (e.code !== 'timeout') throw e;
  }
  return [...found.values()];
}
