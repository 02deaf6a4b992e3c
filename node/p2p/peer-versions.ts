/**
 * What the Raft transport knows of each peer's protocol versions: the versions it serves (from the
 * identify handshake, or the peer store after a failed negotiation), the version a stream to it
 * negotiated, and which peers are refused because they share no version with us.
 */
import { negotiateRaftVersion } from './version.js';

/** A peer refused because it serves no Raft version this node speaks. */
export interface IncompatiblePeer {
  readonly peer: string;
  /** The Raft versions it serves, newest first (never empty). */
  readonly versions: readonly number[];
}

/** Called when a peer becomes incompatible (or its versions change while it is), and when it is compatible again. */
export interface PeerVersionEvents {
  readonly onIncompatible?: (p: IncompatiblePeer, ours: readonly number[]) => void;
  readonly onCompatible?: (peer: string, version: number) => void;
}

/** Per-peer version bookkeeping; see the module comment. */
export class PeerVersions {
  private readonly refused = new Map<string, readonly number[]>();
  private readonly negotiated = new Map<string, number>();

  constructor(
    /** The versions this node serves, newest first. */
    readonly ours: readonly number[],
    private readonly events: PeerVersionEvents = {},
  ) {}

  /**
   * Records the Raft versions `peer` serves. An empty list means "unknown", never a refusal: an
   * earlier release registers its Raft handlers after libp2p starts, so a peer connecting then
   * sees none, and nothing would ever tell us they came.
   */
  observe(peer: string, versions: readonly number[]): void {
    if (versions.length === 0) return;
    const common = negotiateRaftVersion(this.ours, versions);
    if (common !== undefined) {
      if (this.refused.delete(peer)) this.events.onCompatible?.(peer, common);
      return;
    }
    const before = this.refused.get(peer);
    if (before !== undefined && sameList(before, versions)) return;
    this.refused.set(peer, [...versions]);
    this.negotiated.delete(peer);
    this.events.onIncompatible?.({ peer, versions: [...versions] }, this.ours);
  }

  /** Records the version a stream to or from `peer` negotiated (the peer is compatible). */
  negotiatedWith(peer: string, version: number): void {
    this.negotiated.set(peer, version);
    this.observe(peer, [version]);
  }

  /** Forgets `peer` (it left the allow-list). */
  forget(peer: string): void {
    this.refused.delete(peer);
    this.negotiated.delete(peer);
  }

  isRefused(peer: string): boolean {
    return this.refused.has(peer);
  }

  /** The version last negotiated with `peer`, if any. */
  versionOf(peer: string): number | undefined {
    return this.negotiated.get(peer);
  }

  /** Peers refused now, by peer id. */
  incompatible(): IncompatiblePeer[] {
    return [...this.refused].map(([peer, versions]) => ({ peer, versions }));
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
