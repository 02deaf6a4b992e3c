/** fast-check arbitraries for Raft messages, and one sample of every message type. */
import fc from 'fast-check';
import type { Entry, Message, MessageType } from '../../../consensus/types.js';
import type { LeaderCertificate, RaftFrame } from '../../../node/p2p/raft-codec.js';

const uint = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const smallUint = fc.nat({ max: 1_000_000 });
const nodeId = fc.string({ minLength: 1, maxLength: 60 });
const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array(b));

const entry: fc.Arbitrary<Entry> = fc.record({
  term: uint,
  index: uint,
  type: fc.constantFrom(0 as const, 1 as const),
  data: bytes,
});

const base = { from: nodeId, to: nodeId, term: uint };

/** Any valid Raft message. */
export const arbMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant('preVote' as const), ...base, lastLogIndex: uint, lastLogTerm: uint }),
  fc.record({ type: fc.constant('preVoteResp' as const), ...base, reject: fc.boolean() }),
  fc.record({
    type: fc.constant('vote' as const),
    ...base,
    lastLogIndex: uint,
    lastLogTerm: uint,
    transfer: fc.boolean(),
  }),
  fc.record({ type: fc.constant('voteResp' as const), ...base, reject: fc.boolean() }),
  fc.record({
    type: fc.constant('append' as const),
    ...base,
    prevIndex: uint,
    prevTerm: uint,
    commit: smallUint,
    entries: fc.array(entry, { maxLength: 8 }),
  }),
  fc.record({
    type: fc.constant('appendResp' as const),
    ...base,
    index: uint,
    reject: fc.boolean(),
    rejectHint: uint,
    hintTerm: uint,
  }),
  fc.record({ type: fc.constant('heartbeat' as const), ...base, commit: uint }),
  fc.record({ type: fc.constant('heartbeatResp' as const), ...base }),
  fc.record({
    type: fc.constant('snapshot' as const),
    ...base,
    snapshot: fc.record({
      meta: fc.record({
        index: uint,
        term: uint,
        conf: fc.record({
          voters: fc.array(nodeId, { maxLength: 7 }),
          learners: fc.array(nodeId, { maxLength: 3 }),
        }),
      }),
      data: bytes,
    }),
  }),
  fc.record({ type: fc.constant('timeoutNow' as const), ...base }),
);

const signature = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((b) => new Uint8Array(b));

/** A leader certificate of the right shape (its signatures are random bytes). */
const arbLeaderCert: fc.Arbitrary<LeaderCertificate> = fc.record({
  term: uint,
  leader: nodeId,
  votes: fc.array(fc.record({ voter: nodeId, signature }), { minLength: 1, maxLength: 7 }),
});

/** Any valid frame: a message, with the proof its type may carry or without. */
export const arbFrame: fc.Arbitrary<RaftFrame> = fc
  .tuple(arbMessage, fc.boolean(), signature, arbLeaderCert)
  .map(([msg, withProof, voteSignature, leaderCert]): RaftFrame => {
    if (!withProof) return { msg };
    if (msg.type === 'voteResp' && !msg.reject) return { msg, voteSignature };
    if (msg.type === 'append' || msg.type === 'heartbeat' || msg.type === 'snapshot')
      return { msg, leaderCert };
    return { msg };
  });

/** One message of every type, from `from` to `to`; `seq` goes into a field so order can be checked. */
export function sampleMessages(from: string, to: string, seq = 1): Message[] {
  const term = 3;
  const data = new Uint8Array([seq & 0xff, 1, 2, 3]);
  const all: Message[] = [
    { type: 'preVote', from, to, term, lastLogIndex: seq, lastLogTerm: 2 },
    { type: 'preVoteResp', from, to, term, reject: true },
    { type: 'vote', from, to, term, lastLogIndex: seq, lastLogTerm: 2, transfer: true },
    { type: 'voteResp', from, to, term, reject: false },
    {
      type: 'append',
      from,
      to,
      term,
      prevIndex: seq,
      prevTerm: 2,
      commit: 4,
      entries: [
        { term: 3, index: seq + 1, type: 0, data },
        { term: 3, index: seq + 2, type: 1, data: new Uint8Array(0) },
      ],
    },
    { type: 'appendResp', from, to, term, index: seq, reject: true, rejectHint: 7, hintTerm: 2 },
    { type: 'heartbeat', from, to, term, commit: seq },
    { type: 'heartbeatResp', from, to, term },
    {
      type: 'snapshot',
      from,
      to,
      term,
      snapshot: { meta: { index: seq, term: 2, conf: { voters: [from, to], learners: [] } }, data },
    },
    { type: 'timeoutNow', from, to, term },
  ];
  const types = new Set<MessageType>(all.map((m) => m.type));
  if (types.size !== 10) throw new Error('sampleMessages must cover every type');
  return all;
}
