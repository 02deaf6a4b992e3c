/**
 * Yamux window updates once half a stream's receive window is used, not after every data frame.
 *
 * @libp2p/yamux 8 answers every data frame it receives with a WindowUpdate frame: on a validator
 * each Raft message, gossip frame or response cost its receiver a frame back (a yamux header, a
 * noise record, a socket write), about half of all frames written, and at 12 small blocks a second
 * ~5 % of a follower's main thread (docs/bench.md). The yamux spec leaves the choice to the
 * receiver; hashicorp/yamux (Go) and rust-yamux send the update once half the window is consumed,
 * which is what this does. Flags (SYN, ACK) and a paused stream still go through at once, and the
 * window still grows when the remote fills it fast (the original's RTT rule, per update).
 *
 * It patches `YamuxStream.prototype.sendWindowUpdate` (the package has no option for it), once.
 */
import { StreamState, YamuxStream } from '@libp2p/yamux/stream';

/** The stream's receive-window fields this reads (private in the package's types). */
export interface ReceiveWindow {
  readonly state: StreamState;
  /** Bytes of a full receive window. */
  readonly recvWindow: number;
  /** Bytes the remote may still send before it needs an update. */
  readonly recvWindowCapacity: number;
}

type SendWindowUpdate = (this: YamuxStream) => void;

let installed = false;

/** Whether a window update can wait: an established stream with at least half its window left. */
export function canWaitForWindowUpdate(s: ReceiveWindow): boolean {
  return s.state === StreamState.Established && s.recvWindowCapacity * 2 >= s.recvWindow;
}

/** Installs the half-window rule on every yamux stream of this process (idempotent). */
export function installYamuxHalfWindowUpdates(): void {
  if (installed) return;
  installed = true;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate: SendWindowUpdate };
  const original = proto.sendWindowUpdate;
  proto.sendWindowUpdate = function sendWindowUpdate(this: YamuxStream): void {
    if (canWaitForWindowUpdate(this as unknown as ReceiveWindow)) return;
    original.call(this);
  };
}
