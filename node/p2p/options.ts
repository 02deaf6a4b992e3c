import { RAFT_MIN_COMPATIBLE_VERSION, RAFT_PROTOCOL_VERSION } from './version.js';

/** Options of the libp2p host that are tuning, not identity (the seed, addresses and peers are not here). */

export interface P2POptions {
  /** Largest gossip message in bytes: a batch of txs (protocol/chain/tx-batch.ts), not one tx. */
  readonly maxGossipBytes: number;
  /** Redial backoff for configured peers, ms. */
  readonly redialMinMs: number;
  readonly redialMaxMs: number;
  /** Time allowed for one connection dial, ms. */
  readonly dialTimeoutMs: number;
  /** Inbound connections per second accepted from one IP (libp2p's limiter). */
  readonly inboundConnectionThreshold: number;
  /**
   * Raft protocol version spoken (node/p2p/version.ts). Lowered to the previous version only to
   * test a mixed network; raised above this release's only to simulate a future one.
   */
  readonly protocolVersion: number;
  /** Oldest Raft protocol version still served; raise it once every validator runs the new release. */
  readonly minProtocolVersion: number;
}

export const defaultP2POptions: P2POptions = {
  maxGossipBytes: 4 * 1024 * 1024,
  redialMinMs: 250,
  redialMaxMs: 5000,
  dialTimeoutMs: 5000,
  inboundConnectionThreshold: 50,
  protocolVersion: RAFT_PROTOCOL_VERSION,
  minProtocolVersion: RAFT_MIN_COMPATIBLE_VERSION,
};
