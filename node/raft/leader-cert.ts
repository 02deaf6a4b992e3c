/**
 * Leader certificates: proof that a validator won the Raft election of a term.
 *
 * Raft trusts any peer that claims leadership with a higher term; among validators that could lie,
 * that let a non-leader put a block it signed into a follower's log. So a voter that grants its
 * vote (a real vote, not a pre-vote) signs the statement
 *
 *   sha256("ehrchain/raft-vote/v1" ‖ 0x00 ‖ u16 len ‖ chainId ‖ u64 term ‖ u16 len ‖ candidate)
 *
 * (big-endian lengths and term, strings UTF-8) with its validator key, which is also its libp2p
 * key, so the voter's node id names the key that must verify. The winner gathers the signed votes
 * into a certificate `{ term, leader, votes: [{ voter, signature }] }` and sends it with its
 * appends, heartbeats and snapshots; a follower checks it (`checkLeaderCertificate`) before it
 * lets such a message make the sender its leader. Pure functions: no I/O, no state.
 */
import { createHash } from 'node:crypto';
import { type KeyCache, type Signer, signBytes, verifySignature } from '../../protocol/chain/keys.js';
import { validatorKeyFromNodeId } from '../p2p/identity.js';
import type { LeaderCertificate, SignedVote } from '../p2p/raft-codec.js';

export type { LeaderCertificate, SignedVote } from '../p2p/raft-codec.js';

/** Domain separation: a vote signature can never be taken for a tx, a block or a read receipt. */
const VOTE_DOMAIN = 'ehrchain/raft-vote/v1';

const utf8 = new TextEncoder();

function lengthPrefixed(s: string): Buffer {
  const bytes = utf8.encode(s);
  if (bytes.byteLength > 0xffff) throw new RangeError('string too long for a vote statement');
  const out = Buffer.alloc(2 + bytes.byteLength);
  out.writeUInt16BE(bytes.byteLength, 0);
  out.set(bytes, 2);
  return out;
}

/** The 32-byte digest a voter signs when it grants `candidate` its vote for `term` on `chainId`. */
export function voteStatement(chainId: string, term: number, candidate: string): Uint8Array {
  if (!Number.isSafeInteger(term) || term < 0) throw new RangeError(`bad term ${term}`);
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(term));
  const h = createHash('sha256');
  h.update(VOTE_DOMAIN);
  h.update(Buffer.of(0));
  h.update(lengthPrefixed(chainId));
  h.update(t);
  h.update(lengthPrefixed(candidate));
  return new Uint8Array(h.digest());
}

/** This validator's signature of its vote for `candidate` in `term`. */
export function signVote(chainId: string, term: number, candidate: string, signer: Signer): Uint8Array {
  return signBytes(voteStatement(chainId, term, candidate), signer);
}

/** Whether `signature` is `voter`'s vote for `candidate` in `term`; false (never throws) otherwise. */
export function verifyVote(
  chainId: string,
  term: number,
  candidate: string,
  voter: string,
  signature: Uint8Array,
  keys?: KeyCache,
): boolean {
  let publicKey: Uint8Array;
  try {
    publicKey = validatorKeyFromNodeId(voter);
  } catch {
    return false;
  }
  return verifySignature(voteStatement(chainId, term, candidate), signature, publicKey, keys);
}

/**
 * Whether the distinct `signers` are enough for a follower whose Raft voters are `voters` to accept
 * a leader: a majority of `voters`, or a majority of a configuration one single-server change away
 * from `voters`.
 *
 * Why the second case: the configuration takes effect when its change is applied, so a follower may
 * lag its leader's configuration by a change (or be a change ahead of it), and it must still follow
 * a leader elected in that configuration, or a lagging follower could never catch up. Strict
 * majority of the follower's own voters is not enough for that when their number n is even: a
 * leader elected in n+1 voters with n/2+1 votes, one of them the new voter's, has only n/2 of the
 * follower's; one elected in n-1 voters (one removed) also needs only n/2. Going the other way, a
 * majority of a neighbour configuration always holds at least half of `voters` (with x added:
 * floor((n+1)/2)+1 votes, all but x's from `voters`; with y removed: floor((n-1)/2)+1 votes, all
 * from `voters`; both at least n/2), and any set holding half of `voters`
 * is a majority of `voters` minus one voter that did not sign. So the rule is exactly: at least half
 * of `voters`, and at least one. For odd n (1, 3, 5...) that is the strict majority; for even n it is
 * one signer fewer. Safety among honest validators is untouched: a leader still won a majority of
 * its own configuration, and the majorities of two configurations one single-server change apart
 * overlap, so two leaders of one term would need a voter to vote twice. What the relaxation gives a
 * lying validator in an even-sized configuration is one honest vote fewer to collect.
 *
 * A follower more than one change behind counts only the signers it knows: signers outside its
 * voters never count, however many (a certificate holds every current voter's grant), so it follows
 * the leader as long as at least half of its own voters still vote in the leader's configuration,
 * and then learns the newer configuration from the log. The bound: once more than half of the
 * voters it last applied have been removed (e.g. a node restored from an old backup, or a new node
 * whose genesis validators have since been replaced), nothing it knows can vouch for the leader; it
 * refuses (`no_quorum`, counted in `ehrchain_raft_proof_rejected_total`) and must be restored from
 * a recent state of the chain (docs/transactions.md, leader certificates).
 */
export function hasLeaderQuorum(voters: readonly string[], signers: Iterable<string>): boolean {
  const members = new Set(voters);
  let n = 0;
  for (const s of new Set(signers)) if (members.has(s)) n++;
  return n > 0 && 2 * n >= members.size;
}

/** Why a certificate was refused. Stable strings, usable as metric labels. */
export type CertRejection = 'wrong_term' | 'wrong_leader' | 'duplicate_voter' | 'no_quorum' | 'bad_signature';

/** What a follower checks a certificate against. */
export interface CertContext {
  readonly chainId: string;
  /** The term of the message that carries it. */
  readonly term: number;
  /** The authenticated sender of that message. */
  readonly leader: string;
  /** The follower's current Raft voters. */
  readonly voters: readonly string[];
}

/**
 * Checks `cert` for a message of `ctx.term` from `ctx.leader`; null when valid. Valid: it names that
 * term and that leader, its voters are distinct, those among `ctx.voters` form a quorum by
 * `hasLeaderQuorum`, and each of their signatures verifies under its voter's key. Signers outside
 * `ctx.voters` (voters added since the follower's configuration) are neither counted nor checked.
 * The cheap checks run first, so a certificate that cannot pass costs no signature check.
 */
export function checkLeaderCertificate(
  cert: LeaderCertificate,
  ctx: CertContext,
  keys?: KeyCache,
): CertRejection | null {
  if (cert.term !== ctx.term) return 'wrong_term';
  if (cert.leader !== ctx.leader) return 'wrong_leader';
  const signers = new Set<string>();
  for (const v of cert.votes) {
    if (signers.has(v.voter)) return 'duplicate_voter';
    signers.add(v.voter);
  }
  const members = new Set(ctx.voters);
  if (!hasLeaderQuorum(ctx.voters, signers)) return 'no_quorum';
  for (const v of cert.votes) {
    if (members.has(v.voter) && !verifyVote(ctx.chainId, cert.term, cert.leader, v.voter, v.signature, keys))
      return 'bad_signature';
  }
  return null;
}

/**
 * The certificate a leader of `term` sends: its own signed vote first, then the signed votes it was
 * granted by members of `voters` (grants from anyone else would only make followers refuse it).
 */
export function buildLeaderCertificate(
  chainId: string,
  term: number,
  self: { readonly id: string; readonly signer: Signer },
  voters: readonly string[],
  grants: ReadonlyMap<string, Uint8Array>,
): LeaderCertificate {
  const votes: SignedVote[] = [{ voter: self.id, signature: signVote(chainId, term, self.id, self.signer) }];
  for (const [voter, signature] of grants) {
    if (voter !== self.id && voters.includes(voter)) votes.push({ voter, signature });
  }
  return { term, leader: self.id, votes };
}
