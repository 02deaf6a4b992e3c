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
}

export const defaultP2POptions: P2POptions = {
  maxGossipBytes: 4 * 1024 * 1024,
  redialMinMs: 250,
  redialMaxMs: 5000,
  dialTimeoutMs: 5000,
  inboundConnectionThreshold: 50,
};
