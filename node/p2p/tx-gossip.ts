/**
 * Transaction gossip on gossipsub topic `/ehrchain/<chainId>/tx/1`.
 *
 * Messages are unsigned (StrictNoSign): every tx inside carries its own ed25519 signature, which the
 * node verifies, and every link is noise-authenticated to an allowed validator, so a second
 * signature per gossip message only cost a sign and a verify (with key objects rebuilt each time)
 * on the hot path: the largest single item in a validator's profile under load. `from` in `onTx`
 * is the authenticated peer that delivered the message. Message ids are sha256 of the bytes: the
 * same batch is delivered and forwarded once. Publishing with no subscribed peers is not an error.
 */
import { hash } from 'node:crypto';
import {
  type GossipSub,
  type GossipsubMessage,
  type GossipsubOpts,
  TopicValidatorResult,
} from '@libp2p/gossipsub';
import { P2PError } from './errors.js';
import { DropReason, type P2PMetrics } from './metrics.js';

/** Receives a gossiped tx: `from` is the peer id string of the validator that delivered it. */
export type TxHandler = (bytes: Uint8Array, from: string) => void;

/**
 * Decides whether a received tx is forwarded: 'accept' (deliver and forward), 'ignore' (neither),
 * 'reject' (neither, and penalise the forwarder's gossipsub score). Must be fast.
 */
export type TxValidator = (bytes: Uint8Array, from: string) => 'accept' | 'ignore' | 'reject';

/** The tx topic for a chain. */
const txTopic = (chainId: string): string => `/ehrchain/${chainId}/tx/1`;

/** Gossipsub settings the tx gossip relies on. */
export function gossipsubOptions(chainId: string, maxGossipBytes: number): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: 'StrictNoSign',
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    emitSelf: false,
    // No mesh: a validator publishes each batch to every validator itself (floodPublish, the
    // default) and forwards nothing. Validators dial each other directly, so with gossipsub's mesh
    // (D 6) every batch also went from each receiver to the other validators that already had it
    // (and, above 512 bytes, an IDONTWANT with it): in three validators, four to six RPCs per batch
    // for two deliveries (test/perf/gossip.bench.ts). What a lost link keeps from a validator still
    // reaches it by gossip proper: each heartbeat (1 s) a node sends every peer outside its mesh,
    // here all of them, an IHAVE of the ids of the last three heartbeats, and a peer lacking one
    // asks for it (IWANT).
    D: 0,
    Dlo: 0,
    Dhi: 0,
    Dscore: 0,
    Dout: 0,
    // The batch is encoded once for all the peers it goes to, not once per peer.
    batchPublish: true,
    // IDONTWANT goes to mesh peers only, so to none here; gossipsub would still encode one per
    // message received above this size.
    idontwantMinDataSize: Number.MAX_SAFE_INTEGER,
    fallbackToFloodsub: false,
    doPX: false,
    allowedTopics: [txTopic(chainId)],
    // This bounds a whole gossipsub RPC frame, which may carry several messages (IWANT answers) plus
    // control data; the per-tx limit is enforced by the topic validator.
    maxInboundDataLength: Math.max(4 * 1024 * 1024, 2 * maxGossipBytes + 64 * 1024),
    msgIdFn: gossipMessageId,
  };
}

/**
 * A gossip message's id: sha256 of its bytes. One-shot `crypto.hash` (no Hash object per message):
 * ~2.4 us against createHash's ~3.6 us for a 2 KB batch, the same 32 bytes.
 */
export function gossipMessageId(msg: { readonly data: Uint8Array }): Uint8Array {
  return hash('sha256', msg.data, 'buffer');
}

const RESULT = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
} as const;

/** Publishes and receives transactions. Created by the host. */
export class TxGossip {
  readonly topic: string;
  private readonly handlers = new Set<TxHandler>();
  private validator: TxValidator | undefined;
  private running = false;

  constructor(
    private readonly pubsub: GossipSub,
    chainId: string,
    private readonly maxGossipBytes: number,
    private readonly metrics: P2PMetrics,
  ) {
    this.topic = txTopic(chainId);
  }

  private readonly onPubsubMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = evt.detail;
    if (msg.topic !== this.topic || msg.type !== 'unsigned') return;
    const from = propagationSource.toString();
    this.metrics.messageReceived('tx', msg.data.byteLength);
    for (const h of this.handlers) {
      try {
        h(msg.data, from);
      } catch {
        this.metrics.messageDropped('tx', DropReason.HandlerError);
      }
    }
  };

  /** Subscribes to the topic. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.pubsub.topicValidators.set(this.topic, (peer, msg) => {
      if (msg.type !== 'unsigned') {
        this.metrics.messageDropped('tx', DropReason.BadMessage);
        return TopicValidatorResult.Reject;
      }
      if (msg.data.byteLength > this.maxGossipBytes) {
        this.metrics.messageDropped('tx', DropReason.TooLarge);
        return TopicValidatorResult.Reject;
      }
      if (this.validator === undefined) return TopicValidatorResult.Accept;
      try {
        return RESULT[this.validator(msg.data, peer.toString())];
      } catch {
        return TopicValidatorResult.Ignore;
      }
    });
    this.pubsub.addEventListener('gossipsub:message', this.onPubsubMessage);
    this.pubsub.subscribe(this.topic);
  }

  /** Unsubscribes. Idempotent. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pubsub.removeEventListener('gossipsub:message', this.onPubsubMessage);
    this.pubsub.topicValidators.delete(this.topic);
    try {
      this.pubsub.unsubscribe(this.topic);
    } catch {
      // pubsub already stopped
    }
  }

  /**
   * Publishes a tx to every subscribed peer. Resolves with the number of peers it was sent to (0 with
   * no peers, or when the tx was already seen). Throws P2PError 'too_large' or 'not_started' only.
   */
  async publish(bytes: Uint8Array): Promise<{ recipients: number }> {
    if (!this.running) throw new P2PError('not_started', 'p2p host not started');
    if (bytes.byteLength > this.maxGossipBytes) {
      throw new P2PError(
        'too_large',
        `gossip message is ${bytes.byteLength} bytes (limit ${this.maxGossipBytes})`,
      );
    }
    try {
      const { recipients } = await this.pubsub.publish(this.topic, bytes);
      this.metrics.messageSent('tx', bytes.byteLength);
      return { recipients: recipients.length };
    } catch {
      this.metrics.messageDropped('tx', DropReason.SendFailed);
      return { recipients: 0 };
    }
  }

  /** Subscribes to received txs. Returns an unsubscribe function. */
  onTx(handler: TxHandler): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  /** Sets (or clears) the validator consulted before a received tx is delivered and forwarded. */
  setValidator(validator: TxValidator | undefined): void {
    this.validator = validator;
  }

  /** Peers currently subscribed to the tx topic. */
  subscribers(): string[] {
    return this.pubsub.getSubscribers(this.topic).map(String);
  }
}
