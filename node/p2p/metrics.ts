/**
 * A small metrics hook so the p2p layer can be observed without importing prom-client. The node
 * adapts it to Prometheus counters; tests use `CountingMetrics`.
 *
 * `kind` is a Raft message type ('append', 'vote', ...), 'raft' when the type is unknown
 * (unparseable frame), 'tx' for gossiped transactions, or 'request' for request/response streams.
 */
export interface P2PMetrics {
  messageSent(kind: string, bytes: number): void;
  messageReceived(kind: string, bytes: number): void;
  messageDropped(kind: string, reason: DropReason): void;
}

/** Why a message was dropped. Stable strings, usable as metric labels. */
export const DropReason = {
  /** The per-peer outbound queue was full; the oldest frame was discarded. */
  QueueFull: 'queue_full',
  /** Larger than the frame / snapshot limit. */
  TooLarge: 'too_large',
  /** Inbound bytes that did not decode. */
  BadMessage: 'bad_message',
  /** Inbound Raft message whose `from` is not the authenticated peer. */
  ForgedSender: 'forged_sender',
  /** Inbound Raft message addressed to another node. */
  Misaddressed: 'misaddressed',
  /** Destination not in the allow-list (or ourselves). */
  NotAllowed: 'not_allowed',
  /** A newer snapshot replaced one still waiting to be sent. */
  Superseded: 'superseded',
  /** The stream or dial failed after the frame was taken off the queue. */
  SendFailed: 'send_failed',
  /** The host was stopped (or not started). */
  Stopped: 'stopped',
  /** The peer serves no Raft protocol version this node speaks (node/p2p/version.ts). */
  Incompatible: 'incompatible',
  /** An inbound frame whose version is not the one its stream negotiated. */
  BadVersion: 'bad_version',
  /** An append whose compact blocks could be neither filled nor fetched (node/p2p/block-relay.ts). */
  Unfilled: 'unfilled',
  /** A registered handler threw. */
  HandlerError: 'handler_error',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** A P2PMetrics that does nothing. */
export const noopMetrics: P2PMetrics = {
  messageSent() {},
  messageReceived() {},
  messageDropped() {},
};

/** In-memory counters keyed `kind` (sent/received) and `kind:reason` (dropped). For tests and status. */
export class CountingMetrics implements P2PMetrics {
  readonly sent = new Map<string, number>();
  readonly received = new Map<string, number>();
  readonly dropped = new Map<string, number>();
  readonly bytesSent = new Map<string, number>();

  messageSent(kind: string, bytes: number): void {
    bump(this.sent, kind, 1);
    bump(this.bytesSent, kind, bytes);
  }
  messageReceived(kind: string, _bytes: number): void {
    bump(this.received, kind, 1);
  }
  messageDropped(kind: string, reason: DropReason): void {
    bump(this.dropped, `${kind}:${reason}`, 1);
  }
  /** Total dropped for a reason over all kinds. */
  droppedFor(reason: DropReason): number {
    let n = 0;
    for (const [k, v] of this.dropped) if (k.endsWith(`:${reason}`)) n += v;
    return n;
  }
}

function bump(m: Map<string, number>, k: string, by: number): void {
  m.set(k, (m.get(k) ?? 0) + by);
}
