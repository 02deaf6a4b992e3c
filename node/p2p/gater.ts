/**
 * Allow-list connection gater. A permissioned network: only validators (and configured extra peers)
 * may connect at all, so every stream protocol, gossipsub and the DHT see allowed peers only.
 *
 * Checks run at every stage libp2p offers (dial, after the noise handshake, after muxing) so that
 * an unknown key is refused as soon as its identity is known. The list can be replaced at run time;
 * the host closes existing connections to peers that fall out of it.
 */
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';

/** A ConnectionGater backed by a mutable set of peer id strings. */
export class AllowListGater implements ConnectionGater {
  private allowed: ReadonlySet<string>;
  /** Connections refused because the peer is not allowed (inbound + outbound). */
  refused = 0;

  constructor(
    private readonly self: string,
    allowed: Iterable<string>,
  ) {
    this.allowed = new Set(allowed);
  }

  /** Replaces the allow-list. */
  set(allowed: Iterable<string>): void {
    this.allowed = new Set(allowed);
  }

  /** The current allow-list (not including ourselves unless listed). */
  list(): string[] {
    return [...this.allowed];
  }

  /** True when `peer` may connect. */
  isAllowed(peer: string): boolean {
    return peer !== this.self && this.allowed.has(peer);
  }

  private deny(peerId: PeerId): boolean {
    const denied = !this.isAllowed(peerId.toString());
    if (denied) this.refused++;
    return denied;
  }

  denyDialPeer = (peerId: PeerId): boolean => this.deny(peerId);

  denyDialMultiaddr = (ma: Multiaddr): boolean => {
    // Only refuse when the address names a peer; plain addresses are checked after the handshake.
    const id = ma.getComponents().find((c) => c.name === 'p2p')?.value;
    if (id === undefined) return false;
    const denied = !this.isAllowed(id);
    if (denied) this.refused++;
    return denied;
  };

  denyInboundEncryptedConnection = (peerId: PeerId): boolean => this.deny(peerId);
  denyOutboundEncryptedConnection = (peerId: PeerId): boolean => this.deny(peerId);
  denyInboundUpgradedConnection = (peerId: PeerId): boolean => this.deny(peerId);
  denyOutboundUpgradedConnection = (peerId: PeerId): boolean => this.deny(peerId);

  /** Do not store addresses for peers we would refuse anyway (keeps the peer store clean). */
  filterMultiaddrForPeer = (peer: PeerId): boolean => this.isAllowed(peer.toString());
}
