/**
 * Membership follows the validator set in state. These are the pure parts: the set with libp2p peer
 * ids, the peers to dial, and the next single-server Raft change that moves the configuration one
 * step toward the set (a new validator joins as a learner, is promoted once it has caught up, a
 * removed one leaves). The node's leader proposes what `nextMembershipChange` returns.
 */
import type { ConfChange, Status } from '../../consensus/types.js';
import type { PeerAddress } from '../p2p/host.js';
import { nodeIdFromValidatorKey } from '../p2p/identity.js';
import { readValidators, type ValidatorRecord } from '../state/validators.js';
import type { ReadonlyStateView } from '../state/view.js';

/** A validator with its libp2p peer id (its Raft node id). */
export type Validator = ValidatorRecord & { readonly peerId: string };

/** The validator set as applied state says. */
export function validatorsIn(state: ReadonlyStateView): Validator[] {
  return readValidators(state).map((v) => ({ ...v, peerId: nodeIdFromValidatorKey(v.publicKey) }));
}

/** Who a node should dial and allow: every validator but itself. */
export function peerAddresses(validators: readonly Validator[], self: string): PeerAddress[] {
  return validators.filter((v) => v.peerId !== self).map((v) => ({ peerId: v.peerId, addrs: v.p2p }));
}

/**
 * The next change toward `wanted` (peer ids), or null when Raft's configuration already matches.
 * `matchOf` is the leader's replication progress for a peer. Additions come before removals, so a
 * replacement never shrinks the quorum first.
 */
export function nextMembershipChange(
  status: Pick<Status, 'conf' | 'commit'>,
  wanted: ReadonlySet<string>,
  matchOf: (id: string) => number | undefined,
): ConfChange | null {
  const voters = new Set(status.conf.voters);
  const learners = new Set(status.conf.learners);
  for (const id of wanted) {
    if (!voters.has(id) && !learners.has(id)) return { type: 'addLearner', node: id };
    const match = learners.has(id) ? matchOf(id) : undefined;
    if (match !== undefined && match >= status.commit) return { type: 'addVoter', node: id };
  }
  for (const id of [...voters, ...learners]) if (!wanted.has(id)) return { type: 'removeNode', node: id };
  return null;
}
