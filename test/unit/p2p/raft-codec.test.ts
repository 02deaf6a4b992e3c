import fc from 'fast-check';
import { pack } from 'msgpackr';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../../consensus/types.js';
import { isP2PError, P2PError } from '../../../node/p2p/errors.js';
import {
  DEFAULT_RAFT_CODEC_LIMITS,
  decodeRaftFrame,
  decodeRaftMessage,
  encodeRaftFrame,
  encodeRaftMessage,
  type LeaderCertificate,
  peekRaftMessageType,
  type RaftFrame,
} from '../../../node/p2p/raft-codec.js';
import { arbFrame, arbMessage, sampleMessages } from '../../integration/p2p/arbitraries.js';

/** Decodes, and fails the test on any exception that is not a P2PError. */
function decodeOrP2PError(bytes: Uint8Array): Message | P2PError {
  try {
    return decodeRaftMessage(bytes);
  } catch (err) {
    if (!(err instanceof P2PError)) throw new Error(`non-P2PError thrown: ${String(err)}`);
    expect(['bad_message', 'too_large']).toContain(err.code);
    return err;
  }
}

function codeOf(bytes: Uint8Array): string {
  const r = decodeOrP2PError(bytes);
  return r instanceof P2PError ? r.code : 'ok';
}

describe('raft codec', () => {
  test('every message type round-trips', () => {
    for (const m of sampleMessages('alice', 'bob', 42)) {
      const bytes = encodeRaftMessage(m);
      expect(peekRaftMessageType(bytes)).toBe(m.type);
      const back = decodeRaftMessage(bytes);
      expect(back).toEqual(m);
      // Decoded byte fields are plain Uint8Arrays, not Buffers.
      if (back.type === 'append') expect(back.entries[0]?.data.constructor).toBe(Uint8Array);
    }
  });

  test('property: decode(encode(m)) equals m for random valid messages', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        expect(decodeRaftMessage(encodeRaftMessage(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });

  test('fuzz: random byte strings only ever raise P2PError', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        if (decodeOrP2PError(raw) instanceof P2PError) rejected++;
      }),
      { numRuns: 5000 },
    );
    expect(rejected).toBeGreaterThan(4900);
  });

  test('fuzz: random bytes behind a valid header only ever raise P2PError', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x90, max: 0x9f }),
        fc.integer({ min: 1, max: 10 }),
        fc.uint8Array(),
        (h, t, rest) => {
          decodeOrP2PError(new Uint8Array([h, t, ...rest]));
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('fuzz: mutated encodings decode to a valid message or raise P2PError', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), v: fc.nat({ max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), v: fc.nat({ max: 255 }) }),
      fc.record({ kind: fc.constant('append' as const), v: fc.nat({ max: 255 }) }),
    );
    fc.assert(
      fc.property(arbMessage, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, muts) => {
        let b = Array.from(encodeRaftMessage(m));
        for (const mu of muts) {
          const at = b.length === 0 ? 0 : ('at' in mu ? mu.at : 0) % b.length;
          if (mu.kind === 'flip') b[at] = (b[at] ?? 0) ^ (1 << mu.bit);
          else if (mu.kind === 'set') b[at] = mu.v;
          else if (mu.kind === 'truncate') b = b.slice(0, at);
          else if (mu.kind === 'insert') b.splice(at, 0, mu.v);
          else b.push(mu.v);
        }
        const r = decodeOrP2PError(new Uint8Array(b));
        // Whatever decodes must be a message the codec itself accepts again.
        if (!(r instanceof P2PError)) expect(decodeRaftMessage(encodeRaftMessage(r))).toEqual(r);
      }),
      { numRuns: 3000 },
    );
  });

  test('strict validation of well-formed msgpack with the wrong shape', () => {
    const p = (v: unknown) => new Uint8Array(pack(v));
    // [tag, from, to, term, ...]
    expect(codeOf(p([7, 'a', 'b', 1, 5]))).toBe('ok');
    expect(codeOf(p([7, 'a', 'b', '1', 5]))).toBe('bad_message'); // term not a number
    expect(codeOf(p([7, 'a', 'b', -1, 5]))).toBe('bad_message'); // negative
    expect(codeOf(p([7, 'a', 'b', 1.5, 5]))).toBe('bad_message'); // not an integer
    expect(codeOf(p([7, 'a', 'b', 2 ** 60, 5]))).toBe('bad_message'); // beyond 2^53
    expect(codeOf(p([7, 'a', 'b', 1]))).toBe('bad_message'); // missing field
    expect(codeOf(p([7, 'a', 'b', 1, 5, 6]))).toBe('bad_message'); // extra field
    expect(codeOf(p([7, '', 'b', 1, 5]))).toBe('bad_message'); // empty from
    expect(codeOf(p([7, 3, 'b', 1, 5]))).toBe('bad_message'); // from not a string
    expect(codeOf(p([11, 'a', 'b', 1]))).toBe('bad_message'); // unknown tag
    expect(codeOf(p([0, 'a', 'b', 1]))).toBe('bad_message');
    expect(codeOf(p({ 0: 7, 1: 'a' }))).toBe('bad_message'); // map, not array
    expect(codeOf(p([2, 'a', 'b', 1, 1]))).toBe('bad_message'); // reject must be a boolean
    expect(codeOf(p([2, 'a', 'b', 1, null]))).toBe('bad_message');
    const entry = (type: unknown, data: unknown = new Uint8Array(1)) => [1, 2, type, data];
    expect(codeOf(p([5, 'a', 'b', 1, 0, 0, 0, [entry(0)]]))).toBe('ok');
    expect(codeOf(p([5, 'a', 'b', 1, 0, 0, 0, [entry(2)]]))).toBe('bad_message'); // bad EntryType
    expect(codeOf(p([5, 'a', 'b', 1, 0, 0, 0, [entry(0, 'str')]]))).toBe('bad_message'); // data not bytes
    expect(codeOf(p([5, 'a', 'b', 1, 0, 0, 0, [[1, 2, 0]]]))).toBe('bad_message'); // entry missing data
    expect(codeOf(p([5, 'a', 'b', 1, 0, 0, 0, 'x']))).toBe('bad_message'); // entries not an array
    expect(codeOf(p([9, 'a', 'b', 1, [1, 1, ['a'], []], new Uint8Array(2)]))).toBe('ok');
    expect(codeOf(p([9, 'a', 'b', 1, [1, 1, ['a', 7], []], new Uint8Array(2)]))).toBe('bad_message');
    expect(codeOf(p([9, 'a', 'b', 1, [1, 1, ['a'], []], null]))).toBe('bad_message');
    expect(codeOf(new Uint8Array([0x94, 0x07, 0xc1, 0xc1, 0xc1]))).toBe('bad_message'); // never-used byte
    expect(codeOf(new Uint8Array([0x94, 0x08, 0xd6, 0xff, 0, 0, 0, 1]))).toBe('bad_message'); // a Date ext
    expect(codeOf(new Uint8Array(0))).toBe('bad_message');
    // Trailing bytes after a valid message.
    const ok = encodeRaftMessage({ type: 'heartbeatResp', from: 'a', to: 'b', term: 1 });
    expect(codeOf(new Uint8Array([...ok, 0]))).toBe('bad_message');
    // Deep nesting hits the stack limit inside msgpackr: still a P2PError.
    expect(codeOf(new Uint8Array([0x94, 0x05, ...new Array(200_000).fill(0x91)]))).toBe('bad_message');
  });

  test('limits: oversized input, arrays and strings are too_large', () => {
    const p = (v: unknown) => new Uint8Array(pack(v));
    const small = {
      ...DEFAULT_RAFT_CODEC_LIMITS,
      maxBytes: 100,
      maxEntries: 2,
      maxMembers: 2,
      maxNodeIdLength: 8,
    };
    const big = new Uint8Array(101);
    big[0] = 0x94;
    big[1] = 0x08;
    expect(() => decodeRaftMessage(big, small)).toThrowError(expect.objectContaining({ code: 'too_large' }));
    const e = [1, 1, 0, new Uint8Array(0)];
    expect(() => decodeRaftMessage(p([5, 'a', 'b', 1, 0, 0, 0, [e, e, e]]), small)).toThrowError(
      expect.objectContaining({ code: 'too_large' }),
    );
    expect(() =>
      decodeRaftMessage(p([9, 'a', 'b', 1, [1, 1, ['a', 'b'], ['c']], new Uint8Array(0)]), small),
    ).toThrowError(expect.objectContaining({ code: 'too_large' }));
    expect(() => decodeRaftMessage(p([8, 'a'.repeat(9), 'b', 1]), small)).toThrowError(
      expect.objectContaining({ code: 'too_large' }),
    );
    // An array header claiming 2^32-1 items with nothing behind it: rejected, no allocation blow-up.
    expect(
      codeOf(new Uint8Array([0x98, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0xdd, 0xff, 0xff, 0xff, 0xff])),
    ).toBe('bad_message');
    // Encoding refuses what peers would refuse.
    const m: Message = {
      type: 'snapshot',
      from: 'a',
      to: 'b',
      term: 1,
      snapshot: {
        meta: { index: 1, term: 1, conf: { voters: [], learners: [] } },
        data: new Uint8Array(200),
      },
    };
    expect(() => encodeRaftMessage(m, small)).toThrowError(expect.objectContaining({ code: 'too_large' }));
  });

  test('peekRaftMessageType is undefined for foreign bytes', () => {
    expect(peekRaftMessageType(new Uint8Array([]))).toBeUndefined();
    expect(peekRaftMessageType(new Uint8Array([0x94]))).toBeUndefined();
    expect(peekRaftMessageType(new Uint8Array([0x80, 1]))).toBeUndefined();
    expect(peekRaftMessageType(new Uint8Array([0x94, 11]))).toBeUndefined();
    expect(isP2PError(new P2PError('bad_message', 'x'), 'bad_message')).toBe(true);
  });

  describe('proofs: vote signatures and leader certificates', () => {
    const sig = new Uint8Array(64).fill(7);
    const cert: LeaderCertificate = {
      term: 3,
      leader: 'alice',
      votes: [
        { voter: 'alice', signature: sig },
        { voter: 'carol', signature: new Uint8Array(64).fill(9) },
      ],
    };
    const p = (v: unknown) => new Uint8Array(pack(v));
    const frameCode = (bytes: Uint8Array): string => {
      try {
        decodeRaftFrame(bytes);
        return 'ok';
      } catch (err) {
        if (!(err instanceof P2PError)) throw new Error(`non-P2PError thrown: ${String(err)}`);
        return err.code;
      }
    };

    test('round-trip on every type that may carry one; the message alone decodes as before', () => {
      const frames: RaftFrame[] = [];
      for (const m of sampleMessages('alice', 'bob', 5)) {
        if (m.type === 'voteResp') frames.push({ msg: { ...m, reject: false }, voteSignature: sig });
        if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
          frames.push({ msg: m, leaderCert: cert });
        }
      }
      expect(frames.map((f) => f.msg.type).sort()).toEqual(['append', 'heartbeat', 'snapshot', 'voteResp']);
      for (const f of frames) {
        const bytes = encodeRaftFrame(f);
        expect(peekRaftMessageType(bytes)).toBe(f.msg.type);
        const back = decodeRaftFrame(bytes);
        expect(back).toEqual(f);
        expect(decodeRaftMessage(bytes)).toEqual(f.msg);
        // Without the proof, the frame is the plain message's encoding.
        expect(encodeRaftFrame({ msg: f.msg })).toEqual(encodeRaftMessage(f.msg));
        expect(decodeRaftFrame(encodeRaftMessage(f.msg))).toEqual({ msg: f.msg });
      }
      const back = decodeRaftFrame(encodeRaftFrame(frames[0]!));
      expect(back.voteSignature?.constructor ?? back.leaderCert?.votes[0]?.signature.constructor).toBe(
        Uint8Array,
      );
    });

    test('property: decode(encode(frame)) equals frame for random valid frames', () => {
      fc.assert(
        fc.property(arbFrame, (f) => {
          expect(decodeRaftFrame(encodeRaftFrame(f))).toEqual(f);
        }),
        { numRuns: 2000 },
      );
    });

    test('encoding refuses a proof on a type that cannot carry it', () => {
      const vr = { type: 'voteResp', from: 'a', to: 'b', term: 1, reject: false } as const;
      const hb = { type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0 } as const;
      const bad = [
        { msg: { ...vr, reject: true }, voteSignature: sig },
        { msg: hb, voteSignature: sig },
        { msg: vr, leaderCert: cert },
        {
          msg: {
            type: 'appendResp',
            from: 'a',
            to: 'b',
            term: 1,
            index: 0,
            reject: false,
            rejectHint: 0,
            hintTerm: 0,
          } as const,
          leaderCert: cert,
        },
        { msg: vr, voteSignature: sig, leaderCert: cert },
      ] satisfies RaftFrame[];
      for (const f of bad) {
        expect(() => encodeRaftFrame(f)).toThrowError(expect.objectContaining({ code: 'bad_message' }));
      }
    });

    test('strict validation of the proof fields', () => {
      const wireCert = [3, 'alice', [['alice', sig]]];
      expect(frameCode(p([4, 'a', 'b', 1, false, sig]))).toBe('ok');
      expect(frameCode(p([4, 'a', 'b', 1, true, sig]))).toBe('bad_message'); // signed refusal
      expect(frameCode(p([4, 'a', 'b', 1, false, sig.subarray(0, 63)]))).toBe('bad_message');
      expect(frameCode(p([4, 'a', 'b', 1, false, new Uint8Array(65)]))).toBe('bad_message');
      expect(frameCode(p([4, 'a', 'b', 1, false, 'sig']))).toBe('bad_message');
      expect(frameCode(p([4, 'a', 'b', 1, false, sig, sig]))).toBe('bad_message'); // two extra
      expect(frameCode(p([2, 'a', 'b', 1, false, sig]))).toBe('bad_message'); // preVoteResp: none
      expect(frameCode(p([7, 'a', 'b', 1, 5, wireCert]))).toBe('ok');
      expect(frameCode(p([8, 'a', 'b', 1, wireCert]))).toBe('bad_message'); // heartbeatResp: none
      expect(frameCode(p([10, 'a', 'b', 1, wireCert]))).toBe('bad_message'); // timeoutNow: none
      expect(frameCode(p([7, 'a', 'b', 1, 5, sig]))).toBe('bad_message'); // a signature is no cert
      expect(frameCode(p([7, 'a', 'b', 1, 5, wireCert, 0]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice']]))).toBe('bad_message'); // no votes field
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', [], 0]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', []]]))).toBe('bad_message'); // no votes
      expect(frameCode(p([7, 'a', 'b', 1, 5, [-3, 'alice', [['alice', sig]]]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, '', [['alice', sig]]]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', [['alice']]]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', [['alice', sig, 1]]]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', [[7, sig]]]]))).toBe('bad_message');
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', [['alice', new Uint8Array(8)]]]]))).toBe(
        'bad_message',
      );
      expect(frameCode(p([7, 'a', 'b', 1, 5, [3, 'alice', 'votes']]))).toBe('bad_message');
      expect(frameCode(p([5, 'a', 'b', 1, 0, 0, 0, [], wireCert]))).toBe('ok');
      expect(frameCode(p([5, 'a', 'b', 1, 0, 0, 0, [], null]))).toBe('bad_message');
      expect(frameCode(p([9, 'a', 'b', 1, [1, 1, ['a'], []], new Uint8Array(2), wireCert]))).toBe('ok');
      expect(frameCode(p([9, 'a', 'b', 1, [1, 1, ['a'], []], new Uint8Array(2), {}]))).toBe('bad_message');
    });

    test('limits: too many votes or too long a voter id are too_large', () => {
      const small = { ...DEFAULT_RAFT_CODEC_LIMITS, maxMembers: 2, maxNodeIdLength: 8 };
      const votes = (n: number) => Array.from({ length: n }, (_, i) => [`v${i}`, sig]);
      expect(() => decodeRaftFrame(p([7, 'a', 'b', 1, 5, [3, 'x', votes(2)]]), small)).not.toThrow();
      expect(() => decodeRaftFrame(p([7, 'a', 'b', 1, 5, [3, 'x', votes(3)]]), small)).toThrowError(
        expect.objectContaining({ code: 'too_large' }),
      );
      expect(() =>
        decodeRaftFrame(p([7, 'a', 'b', 1, 5, [3, 'x', [['v'.repeat(9), sig]]]]), small),
      ).toThrowError(expect.objectContaining({ code: 'too_large' }));
      expect(() => decodeRaftFrame(p([7, 'a', 'b', 1, 5, [3, 'x'.repeat(9), votes(1)]]), small)).toThrowError(
        expect.objectContaining({ code: 'too_large' }),
      );
    });

    test('fuzz: mutated frames decode to a valid frame or raise P2PError', () => {
      fc.assert(
        fc.property(arbFrame, fc.nat(), fc.nat({ max: 255 }), (f, at, v) => {
          const b = encodeRaftFrame(f).slice();
          b[at % b.length] = v;
          let back: RaftFrame;
          try {
            back = decodeRaftFrame(b);
          } catch (err) {
            expect(err).toBeInstanceOf(P2PError);
            return;
          }
          expect(decodeRaftFrame(encodeRaftFrame(back))).toEqual(back);
        }),
        { numRuns: 3000 },
      );
    });
  });
});
