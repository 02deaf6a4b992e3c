/**
 * Inbound side of the Raft transport: hands frames to raw subscribers, and decodes, checks and
 * hands messages to typed subscribers. A message whose `from` is not the authenticated remote peer,
 * or whose `to` is not us, is dropped and counted; so is anything that does not decode.
 */
import type { Message } from '../../consensus/types.js';
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

  /** Hands one inbound frame from the authenticated peer `from` to the subscribers. */
  deliver(from: string, bytes: Uint8Array): void {
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
    for (const h of this.messageHandlers) {
      try {
        h(msg, frame);
      } catch {
        this.drop(msg.type, DropReason.HandlerError);
      }
    }
  }
}
