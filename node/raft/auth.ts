/**
 * Leadership proofs between the Raft core and the wire (see leader-cert.ts for the certificate).
 *
 * Outbound, `proofFor` signs every vote this node grants and attaches this node's leader
 * certificate to the appends, heartbeats and snapshots it sends as leader. Inbound, `admit` decides
 * before a message reaches Raft:
 * - a granted vote must carry its voter's signature for (our chain, its term, us); the verified
 *   signatures of the current election are kept for the certificate, so Raft never counts a vote
 *   this node could not prove;
 * - an append, heartbeat or snapshot that would make its sender our leader (a higher term than
 *   ours, or our term while we know no leader) must carry a valid certificate for that term and
 *   sender. One check per (term, leader): a verified pair is remembered. Of our term from the leader
 *   we follow, or of an older term (Raft answers those so a stale leader steps down), nothing is
 *   needed; of our term from anyone else, Raft itself ignores it.
 * Dropped messages are reported to `onReject` (metric, debug log: peer id and reason, never keys).
 */
import type { Message, Role, Status } from '../../consensus/types.js';
import { KeyCache, type Signer } from '../../protocol/chain/keys.js';
import type { RaftProof } from '../p2p/raft-codec.js';
import {
  buildLeaderCertificate,
  type CertRejection,
  checkLeaderCertificate,
  type LeaderCertificate,
  signVote,
  verifyVote,
} from './leader-cert.js';

/** Why an inbound message was kept from Raft. Stable strings, usable as metric labels. */
export type ProofRejection = CertRejection | 'no_certificate' | 'unsigned_vote' | 'bad_vote_signature';

/** What RaftAuth reads of the Raft core (the `Raft` class satisfies it). */
export interface RaftView {
  readonly term: number;
  readonly leader: string | null;
  readonly role: Role;
  status(): Pick<Status, 'conf'>;
}

export interface RaftAuthOptions {
  readonly chainId: string;
  /** This node's id: its validator key's peer id, so `signer` is the key behind it. */
  readonly id: string;
  readonly signer: Signer;
  readonly raft: RaftView;
  readonly onReject?: (reason: ProofRejection, msg: Message) => void;
}

/** (term, leader) pairs remembered as verified: a few terms back is plenty. */
const VERIFIED_KEEP = 8;

export class RaftAuth {
  readonly #o: RaftAuthOptions;
  readonly #keys = new KeyCache(64);
  /** Verified grants of the latest election we heard of, by voter. */
  #grants: { term: number; votes: Map<string, Uint8Array> } = { term: -1, votes: new Map() };
  /** Our certificate, built when we first send as leader of its term. */
  #cert: LeaderCertificate | null = null;
  readonly #verified = new Set<string>();

  constructor(options: RaftAuthOptions) {
    this.#o = options;
  }

  /** The proof to send with an outbound message (empty for the types that carry none). */
  proofFor(m: Message): RaftProof {
    switch (m.type) {
      case 'voteResp':
        // Raft grants at most one vote per term (persisted before the message leaves), so this
        // node signs at most one candidate per term.
        return m.reject ? {} : { voteSignature: signVote(this.#o.chainId, m.term, m.to, this.#o.signer) };
      case 'append':
      case 'heartbeat':
      case 'snapshot': {
        const cert = this.#certificate(m.term);
        return cert === null ? {} : { leaderCert: cert };
      }
      default:
        return {};
    }
  }

  /** Whether an inbound message (from its authenticated sender) may be stepped into Raft. */
  admit(m: Message, proof: RaftProof): boolean {
    switch (m.type) {
      case 'voteResp':
        return m.reject || this.#admitGrant(m.from, m.term, proof.voteSignature, m);
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        return this.#admitLeader(m, proof.leaderCert);
      default:
        return true;
    }
  }

  #admitGrant(voter: string, term: number, signature: Uint8Array | undefined, m: Message): boolean {
    if (signature === undefined) return this.#reject('unsigned_vote', m);
    if (!verifyVote(this.#o.chainId, term, this.#o.id, voter, signature, this.#keys)) {
      return this.#reject('bad_vote_signature', m);
    }
    if (term < this.#grants.term) return true; // a late answer to an old election: Raft ignores it
    if (term > this.#grants.term) this.#grants = { term, votes: new Map() };
    this.#grants.votes.set(voter, signature);
    // A grant that arrives after we won still strengthens the certificate (a follower whose
    // configuration differs from ours may need it): rebuild it on the next send.
    if (this.#cert?.term === term) this.#cert = null;
    return true;
  }

  #admitLeader(m: Message, cert: LeaderCertificate | undefined): boolean {
    const { term, leader } = this.#o.raft;
    if (m.term < term || (m.term === term && leader !== null)) return true;
    const key = `${m.term}/${m.from}`;
    if (this.#verified.has(key)) return true;
    if (cert === undefined) return this.#reject('no_certificate', m);
    const why = checkLeaderCertificate(
      cert,
      { chainId: this.#o.chainId, term: m.term, leader: m.from, voters: this.#o.raft.status().conf.voters },
      this.#keys,
    );
    if (why !== null) return this.#reject(why, m);
    this.#verified.add(key);
    if (this.#verified.size > VERIFIED_KEEP) this.#verified.delete(this.#verified.values().next().value!);
    return true;
  }

  #certificate(term: number): LeaderCertificate | null {
    if (this.#cert?.term === term) return this.#cert;
    const raft = this.#o.raft;
    if (raft.role !== 'leader' || raft.term !== term) return null;
    const grants = this.#grants.term === term ? this.#grants.votes : new Map<string, Uint8Array>();
    this.#cert = buildLeaderCertificate(
      this.#o.chainId,
      term,
      { id: this.#o.id, signer: this.#o.signer },
      raft.status().conf.voters,
      grants,
    );
    return this.#cert;
  }

  #reject(reason: ProofRejection, m: Message): false {
    this.#o.onReject?.(reason, m);
    return false;
  }
}
