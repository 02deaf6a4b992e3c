/** RaftAuth: signs granted votes, certifies the leader, and keeps unproven leadership out of Raft. */
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../client/keyfile.js';
import type { Message, Role } from '../../../consensus/types.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import type { RaftProof } from '../../../node/p2p/raft-codec.js';
import { type ProofRejection, RaftAuth, type RaftView } from '../../../node/raft/auth.js';
import {
  checkLeaderCertificate,
  type LeaderCertificate,
  signVote,
  verifyVote,
} from '../../../node/raft/leader-cert.js';
import { createSigner } from '../../../protocol/chain/keys.js';

const CHAIN = 'test-chain';

function validator() {
  const k = generateKeyPair();
  return { id: nodeIdFromValidatorKey(k.publicKey), signer: createSigner(k.seed) };
}
const [a, b, c] = [validator(), validator(), validator()] as const;

class FakeRaft implements RaftView {
  term = 5;
  leader: string | null = null;
  role: Role = 'follower';
  voters: string[] = [a.id, b.id, c.id];
  status() {
    return { conf: { voters: this.voters, learners: [] } };
  }
}

/** RaftAuth for `self`, with the rejections it reports. */
function setup(self = a) {
  const raft = new FakeRaft();
  const rejected: ProofRejection[] = [];
  const auth = new RaftAuth({
    chainId: CHAIN,
    id: self.id,
    signer: self.signer,
    raft,
    onReject: (r) => rejected.push(r),
  });
  return { raft, auth, rejected };
}

const heartbeat = (from: string, to: string, term: number): Message => ({
  type: 'heartbeat',
  from,
  to,
  term,
  commit: 0,
});
const grant = (from: string, to: string, term: number): Message => ({
  type: 'voteResp',
  from,
  to,
  term,
  reject: false,
});
const signed = (by: typeof a, term: number, candidate: string): RaftProof => ({
  voteSignature: signVote(CHAIN, term, candidate, by.signer),
});
const certOf = (leader: typeof a, term: number, by: (typeof a)[]): LeaderCertificate => ({
  term,
  leader: leader.id,
  votes: by.map((v) => ({ voter: v.id, signature: signVote(CHAIN, term, leader.id, v.signer) })),
});

describe('RaftAuth outbound', () => {
  it('signs granted votes only', () => {
    const { auth } = setup(b);
    const p = auth.proofFor(grant(b.id, a.id, 6));
    expect(p.voteSignature).toBeDefined();
    expect(verifyVote(CHAIN, 6, a.id, b.id, p.voteSignature!)).toBe(true);
    expect(auth.proofFor({ type: 'voteResp', from: b.id, to: a.id, term: 6, reject: true })).toEqual({});
    expect(auth.proofFor({ type: 'preVoteResp', from: b.id, to: a.id, term: 6, reject: false })).toEqual({});
    expect(auth.proofFor({ type: 'heartbeatResp', from: b.id, to: a.id, term: 6 })).toEqual({});
  });

  it('as leader, attaches a certificate of its own and the granted votes to appends, heartbeats and snapshots', () => {
    const { raft, auth } = setup(a);
    raft.term = 6;
    raft.role = 'candidate';
    expect(auth.admit(grant(b.id, a.id, 6), signed(b, 6, a.id))).toBe(true);
    raft.role = 'leader';
    raft.leader = a.id;
    const p = auth.proofFor(heartbeat(a.id, c.id, 6));
    expect(p.leaderCert?.votes.map((v) => v.voter)).toEqual([a.id, b.id]);
    expect(
      checkLeaderCertificate(p.leaderCert!, { chainId: CHAIN, term: 6, leader: a.id, voters: raft.voters }),
    ).toBeNull();
    const app: Message = {
      type: 'append',
      from: a.id,
      to: c.id,
      term: 6,
      prevIndex: 0,
      prevTerm: 0,
      commit: 0,
      entries: [],
    };
    expect(auth.proofFor(app).leaderCert).toBe(p.leaderCert); // built once per term
    // A late grant strengthens it.
    expect(auth.admit(grant(c.id, a.id, 6), signed(c, 6, a.id))).toBe(true);
    expect(auth.proofFor(app).leaderCert?.votes.map((v) => v.voter)).toEqual([a.id, b.id, c.id]);
    // Nothing for another term, nor once no longer leader.
    expect(auth.proofFor(heartbeat(a.id, c.id, 5))).toEqual({});
    raft.term = 7;
    raft.role = 'follower';
    expect(auth.proofFor(heartbeat(a.id, c.id, 7))).toEqual({});
  });

  it('a single voter certifies itself', () => {
    const { raft, auth } = setup(a);
    raft.voters = [a.id];
    raft.role = 'leader';
    raft.leader = a.id;
    const cert = auth.proofFor(heartbeat(a.id, b.id, 5)).leaderCert;
    expect(cert?.votes.map((v) => v.voter)).toEqual([a.id]);
  });
});

describe('RaftAuth inbound', () => {
  it('drops unsigned or badly signed grants, keeps rejections and other messages', () => {
    const { auth, rejected } = setup(a);
    expect(auth.admit(grant(b.id, a.id, 6), {})).toBe(false);
    expect(auth.admit(grant(b.id, a.id, 6), signed(c, 6, a.id))).toBe(false); // c's signature as b
    expect(auth.admit(grant(b.id, a.id, 6), signed(b, 5, a.id))).toBe(false); // another term
    expect(auth.admit(grant(b.id, a.id, 6), signed(b, 6, c.id))).toBe(false); // another candidate
    expect(rejected).toEqual([
      'unsigned_vote',
      'bad_vote_signature',
      'bad_vote_signature',
      'bad_vote_signature',
    ]);
    expect(auth.admit(grant(b.id, a.id, 6), signed(b, 6, a.id))).toBe(true);
    expect(auth.admit({ type: 'voteResp', from: b.id, to: a.id, term: 6, reject: true }, {})).toBe(true);
    expect(auth.admit({ type: 'preVoteResp', from: b.id, to: a.id, term: 6, reject: false }, {})).toBe(true);
    expect(
      auth.admit(
        { type: 'vote', from: b.id, to: a.id, term: 9, lastLogIndex: 0, lastLogTerm: 0, transfer: false },
        {},
      ),
    ).toBe(true);
  });

  it('needs a valid certificate to take a leader of a higher term', () => {
    const { raft, auth, rejected } = setup(c);
    raft.leader = a.id;
    expect(auth.admit(heartbeat(b.id, c.id, 6), {})).toBe(false);
    expect(auth.admit(heartbeat(b.id, c.id, 6), { leaderCert: certOf(b, 6, [b]) })).toBe(false);
    expect(auth.admit(heartbeat(b.id, c.id, 6), { leaderCert: certOf(b, 5, [b, a]) })).toBe(false);
    expect(auth.admit(heartbeat(b.id, c.id, 6), { leaderCert: certOf(a, 6, [b, a]) })).toBe(false);
    expect(rejected).toEqual(['no_certificate', 'no_quorum', 'wrong_term', 'wrong_leader']);
    expect(auth.admit(heartbeat(b.id, c.id, 6), { leaderCert: certOf(b, 6, [b, a]) })).toBe(true);
    // Verified once per (term, leader): later messages of that pair need nothing more.
    expect(auth.admit(heartbeat(b.id, c.id, 6), {})).toBe(true);
    expect(auth.admit(heartbeat(a.id, c.id, 6), {})).toBe(false);
  });

  it('needs one for our own term while we know no leader, not from the leader we follow nor for older terms', () => {
    const { raft, auth } = setup(c);
    expect(auth.admit(heartbeat(b.id, c.id, 5), {})).toBe(false);
    raft.leader = b.id;
    expect(auth.admit(heartbeat(b.id, c.id, 5), {})).toBe(true);
    expect(auth.admit(heartbeat(a.id, c.id, 4), {})).toBe(true); // Raft tells a stale leader our term
    const snap: Message = {
      type: 'snapshot',
      from: a.id,
      to: c.id,
      term: 6,
      snapshot: { meta: { index: 1, term: 1, conf: { voters: [], learners: [] } }, data: new Uint8Array(0) },
    };
    expect(auth.admit(snap, {})).toBe(false);
    expect(auth.admit(snap, { leaderCert: certOf(a, 6, [a, c]) })).toBe(true);
  });

  it('judges the quorum by its own voters', () => {
    const { raft, auth } = setup(c);
    const d = validator();
    const e = validator();
    raft.voters = [a.id, b.id, c.id, d.id, e.id];
    expect(auth.admit(heartbeat(a.id, c.id, 6), { leaderCert: certOf(a, 6, [a, b]) })).toBe(false);
    expect(auth.admit(heartbeat(a.id, c.id, 6), { leaderCert: certOf(a, 6, [a, b, e]) })).toBe(true);
  });
});
