/**
 * Inbound side of the Raft transport: hands frames to raw subscribers, and decodes, checks and
 * hands messages to typed subscribers. A message whose `from` is not the authenticated remote peer,
 * or whose `to` is not us, is dropped and counted; so is anything that does not decode.
 */
import type { Message } from '../../consensus/types.js';
import { type BlockRelay, HASH_ONLY_BLOCKS_VERSION } from './block-relay.js';
import { isP2PError } from './errors.js';
import { DropReason, type P2PMetrics } from './metrics.js';
import {
  decodeRaftFrame,
  peekRaftMessageType,
  type RaftCodecLimits,
  type RaftFrame,
  type RaftProof,
} from './raft-codec.js';

/** Receives raw frames: `from` is the authenticated remote peer id string. */
export type RaftBytesHandler = (from: string, bytes: Uint8Array) => void;
/**
 * Receives decoded messages whose `from` was checked against the authenticated peer, with the proof
 * the frame carried (a vote signature or a leader certificate; shape checked, not yet verified).
 */
export type RaftMessageHandler = (msg: Message, proof: RaftProof) => void;

/** Subscribers of the Raft transport and the checks between the wire and them. */
export class RaftInbox {
  private readonly bytesHandlers = new Set<RaftBytesHandler>();
  private readonly messageHandlers = new Set<RaftMessageHandler>();
  private relay: BlockRelay | null = null;
  /** Per peer: the delivery in progress while an append's compact blocks are being filled. */
  private readonly busy = new Map<string, Promise<void>>();

  constructor(
    private readonly selfId: string,
    private readonly limits: RaftCodecLimits,
    private readonly metrics: P2PMetrics,
  ) {}

  /** Subscribes to raw frames. Returns an unsubscribe function. */
  onMessage(handler: RaftBytesHandler): () => void {
    this.bytesHandlers.add(handler);
    return () => {
      this.bytesHandlers.delete(handler);
    };
  }

  /** Subscribes to checked, decoded messages. Returns an unsubscribe function. */
  onRaftMessage(handler: RaftMessageHandler): () => void {
    this.messageHandlers.add(handler);
    return () => {
      this.messageHandlers.delete(handler);
    };
  }

  private drop(kind: string, reason: DropReason): void {
    this.metrics.messageDropped(kind, reason);
  }

  /** Fills compact blocks of appends received on streams of version >= 3 (null: none). */
  useRelay(relay: BlockRelay | null): void {
    this.relay = relay;
  }

  /**
   * Hands one inbound frame from the authenticated peer `from`, received on a stream of `version`,
   * to the subscribers. Raw subscribers get the frame as received. An append with compact blocks
   * reaches typed subscribers once filled; until then later frames of the same peer wait behind
   * it, so each peer's messages keep their order.
   */
  deliver(from: string, bytes: Uint8Array, version = 1): void {
    const kind = peekRaftMessageType(bytes) ?? 'raft';
    this.metrics.messageReceived(kind, bytes.byteLength);
    for (const h of this.bytesHandlers) {
      try {
        h(from, bytes);
      } catch {
        this.drop(kind, DropReason.HandlerError);
      }
    }
    if (this.messageHandlers.size === 0) return;
    let frame: RaftFrame;
    try {
      frame = decodeRaftFrame(bytes, this.limits);
    } catch (err) {
      this.drop(kind, isP2PError(err, 'too_large') ? DropReason.TooLarge : DropReason.BadMessage);
      return;
    }
    const { msg } = frame;
    if (msg.from !== from) {
      this.drop(msg.type, DropReason.ForgedSender);
      return;
    }
    if (msg.to !== this.selfId) {
      this.drop(msg.type, DropReason.Misaddressed);
      return;
    }
    const relay = version >= HASH_ONLY_BLOCKS_VERSION ? this.relay : null;
    const before = this.busy.get(from);
    if (before === undefined && (relay === null || !relay.needsFill(msg))) {
      this.dispatch(msg, frame);
      return;
    }
    const run = async (): Promise<void> => {
      const filled = relay?.needsFill(msg) ? await relay.fill(msg) : msg;
      if (filled === null) this.drop(msg.type, DropReason.Unfilled);
      else this.dispatch(filled, frame);
    };
    const next = (before ?? Promise.resolve())
      .then(run)
      .catch(() => this.drop(msg.type, DropReason.HandlerError));
    this.busy.set(from, next);
    void next.then(() => {
      if (this.busy.get(from) === next) this.busy.delete(from);
    });
  }

  private dispatch(msg: Message, proof: RaftProof): void {
    for (const h of this.messageHandlers) {
      try {
        h(msg, proof);
      } catch {
        this.drop(msg.type, DropReason.HandlerError);
      }
    }
  }
}
