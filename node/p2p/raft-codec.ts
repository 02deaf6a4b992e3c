/**
 * Wire codec for Raft messages (`consensus/types.ts`).
 *
 * On a stream of protocol version >= 2 each frame is one version byte and then these bytes; on
 * version 1 these bytes alone (node/p2p/version.ts). The codec sees the bytes after the version.
 *
 * Format: one msgpack array per message, fields in a fixed order, the first element a numeric type
 * tag: `[tag, from, to, term, ...fields]`. The bytes are not hashed or signed, so msgpackr's
 * non-canonical output is fine here. Integers must be non-negative safe integers; msgpackr writes
 * values above 2^32 as float64, which is exact up to 2^53.
 *
 *   preVote       [1, from, to, term, lastLogIndex, lastLogTerm]
 *   preVoteResp   [2, from, to, term, reject]
 *   vote          [3, from, to, term, lastLogIndex, lastLogTerm, transfer]
 *   voteResp      [4, from, to, term, reject, (voteSignature)]
 *   append        [5, from, to, term, prevIndex, prevTerm, commit, [[term, index, type, data], ...], (cert)]
 *   appendResp    [6, from, to, term, index, reject, rejectHint, hintTerm]
 *   heartbeat     [7, from, to, term, commit, (cert)]
 *   heartbeatResp [8, from, to, term]
 *   snapshot      [9, from, to, term, [index, term, [voters...], [learners...]], data, (cert)]
 *   timeoutNow    [10, from, to, term]
 *
 * A frame carries the optional trailing field in parentheses or not; nothing else is optional.
 * `voteSignature` (64 bytes) may follow only a granted voteResp (reject false): the voter's ed25519
 * signature of its vote. `cert` is a leader certificate, `[term, leader, [[voter, signature], ...]]`
 * with 1..maxMembers votes: the proof that the sender won the election of that term (what the
 * signatures cover and how a follower checks them: node/leader-cert.ts). The codec checks only
 * their shape; verifying them is the node's job.
 *
 * `decodeRaftMessage` treats its input as hostile: anything but a well-formed message within the
 * limits throws a P2PError ('bad_message' or 'too_large'), never another exception.
 */
import { Packr, Unpackr } from 'msgpackr';
import type { Entry, Message, MessageType, Snapshot } from '../../consensus/types.js';
import { P2PError } from './errors.js';

/** Numeric tags on the wire. Append-only: never renumber. */
const RaftMessageTag = {
  preVote: 1,
  preVoteResp: 2,
  vote: 3,
  voteResp: 4,
  append: 5,
  appendResp: 6,
  heartbeat: 7,
  heartbeatResp: 8,
  snapshot: 9,
  timeoutNow: 10,
} as const satisfies Record<MessageType, number>;

/** Size of an ed25519 signature. */
const VOTE_SIGNATURE_BYTES = 64;

/** One signed vote in a leader certificate: `voter` granted its vote to the certificate's leader. */
export interface SignedVote {
  readonly voter: string;
  readonly signature: Uint8Array;
}

/** Proof that `leader` won the election of `term`: the signed votes it collected. */
export interface LeaderCertificate {
  readonly term: number;
  readonly leader: string;
  readonly votes: readonly SignedVote[];
}

/** What may travel with a Raft message besides the message itself. */
export interface RaftProof {
  /** On a granted voteResp only: the voter's signature of its vote. */
  readonly voteSignature?: Uint8Array;
  /** On append, heartbeat and snapshot only: the sender's certificate of leadership. */
  readonly leaderCert?: LeaderCertificate;
}

/** One frame on the wire: a Raft message and its proof, if any. */
export interface RaftFrame extends RaftProof {
  readonly msg: Message;
}

const TYPE_BY_TAG: readonly (MessageType | undefined)[] = (() => {
  const out: (MessageType | undefined)[] = [];
  for (const [type, tag] of Object.entries(RaftMessageTag)) out[tag] = type as MessageType;
  return out;
})();

/** Limits applied when decoding untrusted input (and when encoding, so we never send what peers refuse). */
export interface RaftCodecLimits {
  /** Largest encoded message in bytes. Default 64 MiB (a snapshot travels as one message). */
  readonly maxBytes: number;
  /** Most entries in one append. Default 100,000. */
  readonly maxEntries: number;
  /** Most voters + learners in a snapshot's membership. Default 1,024. */
  readonly maxMembers: number;
  /** Longest NodeId string. Default 128 (an ed25519 peer id is 52 characters). */
  readonly maxNodeIdLength: number;
}

/** Default codec limits. */
export const DEFAULT_RAFT_CODEC_LIMITS: RaftCodecLimits = {
  maxBytes: 64 * 1024 * 1024,
  maxEntries: 100_000,
  maxMembers: 1024,
  maxNodeIdLength: 128,
};

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

function entryToWire(e: Entry): unknown[] {
  return [e.term, e.index, e.type, e.data];
}

/** A leader sends one certificate with every message of its term: build its wire form once. */
const certWire = new WeakMap<LeaderCertificate, unknown[]>();

function certToWire(c: LeaderCertificate): unknown[] {
  let w = certWire.get(c);
  if (w === undefined) {
    w = [c.term, c.leader, c.votes.map((v) => [v.voter, v.signature])];
    certWire.set(c, w);
  }
  return w;
}

/** The trailing proof field of `f`, or undefined when there is none; throws if misplaced. */
function proofToWire(f: RaftFrame): unknown {
  const { msg, voteSignature, leaderCert } = f;
  if (voteSignature !== undefined && leaderCert !== undefined) bad('both a vote signature and a certificate');
  if (voteSignature !== undefined) {
    if (msg.type !== 'voteResp' || msg.reject) bad(`a vote signature on ${msg.type}`);
    return voteSignature;
  }
  if (leaderCert !== undefined) {
    if (msg.type !== 'append' && msg.type !== 'heartbeat' && msg.type !== 'snapshot') {
      bad(`a leader certificate on ${msg.type}`);
    }
    return certToWire(leaderCert);
  }
  return undefined;
}

function toWire(m: Message): unknown[] {
  const head = [RaftMessageTag[m.type], m.from, m.to, m.term];
  switch (m.type) {
    case 'preVote':
      return [...head, m.lastLogIndex, m.lastLogTerm];
    case 'preVoteResp':
    case 'voteResp':
      return [...head, m.reject];
    case 'vote':
      return [...head, m.lastLogIndex, m.lastLogTerm, m.transfer];
    case 'append':
      return [...head, m.prevIndex, m.prevTerm, m.commit, m.entries.map(entryToWire)];
    case 'appendResp':
      return [...head, m.index, m.reject, m.rejectHint, m.hintTerm];
    case 'heartbeat':
      return [...head, m.commit];
    case 'heartbeatResp':
    case 'timeoutNow':
      return head;
    case 'snapshot': {
      const { meta, data } = m.snapshot;
      return [...head, [meta.index, meta.term, [...meta.conf.voters], [...meta.conf.learners]], data];
    }
  }
}

/** Encodes a Raft message. Throws P2PError 'too_large' when the result exceeds `limits.maxBytes`. */
export function encodeRaftMessage(
  m: Message,
  limits: RaftCodecLimits = DEFAULT_RAFT_CODEC_LIMITS,
): Uint8Array {
  return encodeRaftFrame({ msg: m }, limits);
}

/**
 * Encodes a Raft message with its proof. Throws P2PError 'too_large' when the result exceeds
 * `limits.maxBytes`, 'bad_message' for a proof on a message type that cannot carry it.
 */
export function encodeRaftFrame(
  f: RaftFrame,
  limits: RaftCodecLimits = DEFAULT_RAFT_CODEC_LIMITS,
): Uint8Array {
  const wire = toWire(f.msg);
  const proof = proofToWire(f);
  if (proof !== undefined) wire.push(proof);
  const out: Uint8Array = packr.pack(wire);
  if (out.byteLength > limits.maxBytes) {
    throw new P2PError(
      'too_large',
      `encoded ${f.msg.type} is ${out.byteLength} bytes (limit ${limits.maxBytes})`,
    );
  }
  return out;
}

/**
 * The message type of an encoded message, read from its first two bytes without decoding, or
 * undefined when they do not look like one of ours. Cheap enough for per-frame metrics.
 */
export function peekRaftMessageType(bytes: Uint8Array): MessageType | undefined {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === undefined || b1 === undefined || (b0 & 0xf0) !== 0x90) return undefined;
  return TYPE_BY_TAG[b1];
}

function bad(what: string): never {
  throw new P2PError('bad_message', `raft message: ${what}`);
}

class Reader {
  constructor(
    private readonly a: readonly unknown[],
    private readonly limits: RaftCodecLimits,
  ) {}

  uint(i: number, name: string): number {
    const v = this.a[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      bad(`${name} is not a non-negative integer`);
    return v;
  }
  bool(i: number, name: string): boolean {
    const v = this.a[i];
    if (typeof v !== 'boolean') bad(`${name} is not a boolean`);
    return v;
  }
  nodeId(i: number, name: string): string {
    return nodeIdValue(this.a[i], name, this.limits);
  }
  bytes(i: number, name: string): Uint8Array {
    return bytesValue(this.a[i], name);
  }
  signature(i: number, name: string): Uint8Array {
    return readSignature(this.a[i], name);
  }
  array(i: number, name: string, max: number): readonly unknown[] {
    return arrayValue(this.a[i], name, max);
  }
}

function nodeIdValue(v: unknown, name: string, limits: RaftCodecLimits): string {
  if (typeof v !== 'string') bad(`${name} is not a string`);
  if (v.length === 0) bad(`${name} is empty`);
  if (v.length > limits.maxNodeIdLength) throw new P2PError('too_large', `raft message: ${name} too long`);
  return v;
}

function bytesValue(v: unknown, name: string): Uint8Array {
  if (!(v instanceof Uint8Array)) bad(`${name} is not bytes`);
  // msgpackr hands back Buffer views; normalise to a plain Uint8Array view (no copy).
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function arrayValue(v: unknown, name: string, max: number): readonly unknown[] {
  if (!Array.isArray(v)) bad(`${name} is not an array`);
  if (v.length > max)
    throw new P2PError('too_large', `raft message: ${name} has ${v.length} items (max ${max})`);
  return v;
}

function readEntry(v: unknown, i: number, limits: RaftCodecLimits): Entry {
  const r = new Reader(exactArray(v, 4, `entries[${i}]`), limits);
  const type = r.uint(2, 'entry.type');
  if (type !== 0 && type !== 1) bad(`entries[${i}].type ${type} is not an EntryType`);
  return {
    term: r.uint(0, 'entry.term'),
    index: r.uint(1, 'entry.index'),
    type,
    data: r.bytes(3, 'entry.data'),
  };
}

function readSnapshot(metaV: unknown, dataV: unknown, limits: RaftCodecLimits): Snapshot {
  const r = new Reader(exactArray(metaV, 4, 'snapshot.meta'), limits);
  const voters = r.array(2, 'snapshot.voters', limits.maxMembers);
  const learners = r.array(3, 'snapshot.learners', limits.maxMembers);
  if (voters.length + learners.length > limits.maxMembers) {
    throw new P2PError('too_large', 'raft message: snapshot membership too large');
  }
  return {
    meta: {
      index: r.uint(0, 'snapshot.index'),
      term: r.uint(1, 'snapshot.term'),
      conf: {
        voters: voters.map((x, i) => nodeIdValue(x, `voters[${i}]`, limits)),
        learners: learners.map((x, i) => nodeIdValue(x, `learners[${i}]`, limits)),
      },
    },
    data: bytesValue(dataV, 'snapshot.data'),
  };
}

function readSignature(v: unknown, name: string): Uint8Array {
  const sig = bytesValue(v, name);
  if (sig.byteLength !== VOTE_SIGNATURE_BYTES) bad(`${name} is not ${VOTE_SIGNATURE_BYTES} bytes`);
  return sig;
}

function readCert(v: unknown, limits: RaftCodecLimits): LeaderCertificate {
  const r = new Reader(exactArray(v, 3, 'cert'), limits);
  const raw = r.array(2, 'cert.votes', limits.maxMembers);
  if (raw.length === 0) bad('cert.votes is empty');
  return {
    term: r.uint(0, 'cert.term'),
    leader: r.nodeId(1, 'cert.leader'),
    votes: raw.map((x, i) => {
      const vr = new Reader(exactArray(x, 2, `cert.votes[${i}]`), limits);
      return {
        voter: vr.nodeId(0, `cert.votes[${i}].voter`),
        signature: vr.signature(1, `cert.votes[${i}].signature`),
      };
    }),
  };
}

function exactArray(v: unknown, len: number, name: string): readonly unknown[] {
  if (!Array.isArray(v)) bad(`${name} is not an array`);
  if (v.length !== len) bad(`${name} has ${v.length} fields, expected ${len}`);
  return v;
}

const ARITY: Record<MessageType, number> = {
  preVote: 6,
  preVoteResp: 5,
  vote: 7,
  voteResp: 5,
  append: 8,
  appendResp: 8,
  heartbeat: 5,
  heartbeatResp: 4,
  snapshot: 6,
  timeoutNow: 4,
};

/** The types that may carry a trailing proof (at index ARITY[type]), and which kind. */
const HAS_PROOF: Partial<Record<MessageType, 'vote' | 'cert'>> = {
  voteResp: 'vote',
  append: 'cert',
  heartbeat: 'cert',
  snapshot: 'cert',
};

function unpackOne(bytes: Uint8Array): unknown {
  let values: unknown[];
  try {
    // unpackMultiple rather than unpack: trailing bytes are reported as a second value, not as an
    // error whose message JSON-encodes the whole (possibly huge) decoded value.
    values = unpackr.unpackMultiple(bytes) as unknown[];
  } catch (err) {
    throw new P2PError('bad_message', 'raft message: not msgpack', { cause: err });
  }
  if (values.length !== 1) bad('trailing bytes');
  return values[0];
}

/**
 * Decodes and validates an untrusted Raft message, ignoring any proof it carries (the proof's shape
 * is still checked). Throws only P2PError: 'too_large' when the input or one of its arrays/strings
 * is over the limits, 'bad_message' for anything malformed.
 */
export function decodeRaftMessage(
  bytes: Uint8Array,
  limits: RaftCodecLimits = DEFAULT_RAFT_CODEC_LIMITS,
): Message {
  return decodeRaftFrame(bytes, limits).msg;
}

/** Decodes and validates an untrusted Raft message and its proof; throws like `decodeRaftMessage`. */
export function decodeRaftFrame(
  bytes: Uint8Array,
  limits: RaftCodecLimits = DEFAULT_RAFT_CODEC_LIMITS,
): RaftFrame {
  if (!(bytes instanceof Uint8Array)) bad('input is not bytes');
  if (bytes.byteLength > limits.maxBytes) {
    throw new P2PError('too_large', `raft message is ${bytes.byteLength} bytes (limit ${limits.maxBytes})`);
  }
  if (bytes.byteLength === 0) bad('empty');
  const type = peekRaftMessageType(bytes);
  if (type === undefined) bad('unknown type tag');
  const top = unpackOne(bytes);
  const arity = ARITY[type];
  const proofKind = HAS_PROOF[type];
  const withProof = proofKind !== undefined && Array.isArray(top) && top.length === arity + 1;
  const a = exactArray(top, withProof ? arity + 1 : arity, type);
  if (a[0] !== RaftMessageTag[type]) bad('type tag mismatch');
  const msg = readMessage(type, a, limits);
  if (a.length === arity) return { msg };
  if (proofKind === 'vote') {
    if (msg.type !== 'voteResp' || msg.reject) bad('vote signature on a rejected vote');
    return { msg, voteSignature: readSignature(a[arity], 'voteSignature') };
  }
  return { msg, leaderCert: readCert(a[arity], limits) };
}

function readMessage(type: MessageType, a: readonly unknown[], limits: RaftCodecLimits): Message {
  const r = new Reader(a, limits);
  const from = r.nodeId(1, 'from');
  const to = r.nodeId(2, 'to');
  const term = r.uint(3, 'term');
  switch (type) {
    case 'preVote':
      return {
        type,
        from,
        to,
        term,
        lastLogIndex: r.uint(4, 'lastLogIndex'),
        lastLogTerm: r.uint(5, 'lastLogTerm'),
      };
    case 'preVoteResp':
    case 'voteResp':
      return { type, from, to, term, reject: r.bool(4, 'reject') };
    case 'vote':
      return {
        type,
        from,
        to,
        term,
        lastLogIndex: r.uint(4, 'lastLogIndex'),
        lastLogTerm: r.uint(5, 'lastLogTerm'),
        transfer: r.bool(6, 'transfer'),
      };
    case 'append': {
      const raw = r.array(7, 'entries', limits.maxEntries);
      return {
        type,
        from,
        to,
        term,
        prevIndex: r.uint(4, 'prevIndex'),
        prevTerm: r.uint(5, 'prevTerm'),
        commit: r.uint(6, 'commit'),
        entries: raw.map((e, i) => readEntry(e, i, limits)),
      };
    }
    case 'appendResp':
      return {
        type,
        from,
        to,
        term,
        index: r.uint(4, 'index'),
        reject: r.bool(5, 'reject'),
        rejectHint: r.uint(6, 'rejectHint'),
        hintTerm: r.uint(7, 'hintTerm'),
      };
    case 'heartbeat':
      return { type, from, to, term, commit: r.uint(4, 'commit') };
    case 'heartbeatResp':
    case 'timeoutNow':
      return { type, from, to, term };
    case 'snapshot':
      return { type, from, to, term, snapshot: readSnapshot(a[4], a[5], limits) };
  }
}
