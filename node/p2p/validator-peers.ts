/** Points the libp2p host at the validator set in applied state: who to dial and who may connect. */
import { peerAddresses, type Validator } from '../raft/membership.js';
import type { P2PHost } from './host.js';

export class ValidatorPeers {
  constructor(
    private readonly deps: {
      readonly host: P2PHost;
      readonly self: string;
      validators(): readonly Validator[];
    },
  ) {}

  async sync(): Promise<void> {
    const peers = peerAddresses(this.deps.validators(), this.deps.self);
    await this.deps.host.setAllowedPeers(peers.map((p) => p.peerId));
    await this.deps.host.setPeers(peers);
  }
}
