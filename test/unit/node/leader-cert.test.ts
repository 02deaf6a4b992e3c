/** Leader certificates: the vote statement, signatures, the quorum rule and every way to fail. */
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../client/keyfile.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import {
  buildLeaderCertificate,
  type CertContext,
  checkLeaderCertificate,
  hasLeaderQuorum,
  type LeaderCertificate,
  type SignedVote,
  signVote,
  verifyVote,
  voteStatement,
} from '../../../node/raft/leader-cert.js';
import { createSigner, KeyCache } from '../../../protocol/chain/keys.js';

const CHAIN = 'test-chain';

interface Validator {
  readonly id: string;
  readonly signer: ReturnType<typeof createSigner>;
}

function validator(): Validator {
  const k = generateKeyPair();
  return { id: nodeIdFromValidatorKey(k.publicKey), signer: createSigner(k.seed) };
}

const [a, b, c, d, e] = [validator(), validator(), validator(), validator(), validator()] as [
  Validator,
  Validator,
  Validator,
  Validator,
  Validator,
];
const voters = [a.id, b.id, c.id];

const vote = (by: Validator, term: number, candidate = a.id, chain = CHAIN): SignedVote => ({
  voter: by.id,
  signature: signVote(chain, term, candidate, by.signer),
});

const ctx = (over: Partial<CertContext> = {}): CertContext => ({
  chainId: CHAIN,
  term: 7,
  leader: a.id,
  voters,
  ...over,
});

const cert = (votes: SignedVote[], over: Partial<LeaderCertificate> = {}): LeaderCertificate => ({
  term: 7,
  leader: a.id,
  votes,
  ...over,
});

describe('vote statement and signatures', () => {
  it('matches the documented layout (docs/transactions.md, leader certificates)', () => {
    // sha256("ehrchain/raft-vote/v1" 0x00 || u16 13 "ehrchain-test" || u64 7 || u16 15 "12D3KooWExample")
    expect(Buffer.from(voteStatement('ehrchain-test', 7, '12D3KooWExample')).toString('hex')).toBe(
      'f331f05378c5f84e556be6129aafd446f6f735302d0b8883c75da86513620228',
    );
  });

  it('binds chain, term and candidate, unambiguously', () => {
    const base = voteStatement(CHAIN, 7, 'x');
    expect(base.byteLength).toBe(32);
    expect(voteStatement(CHAIN, 7, 'x')).toEqual(base);
    expect(voteStatement('other', 7, 'x')).not.toEqual(base);
    expect(voteStatement(CHAIN, 8, 'x')).not.toEqual(base);
    expect(voteStatement(CHAIN, 7, 'y')).not.toEqual(base);
    // Length prefixes: moving bytes between chain id and candidate changes the statement.
    expect(voteStatement('ab', 1, 'c')).not.toEqual(voteStatement('a', 1, 'bc'));
    expect(() => voteStatement(CHAIN, -1, 'x')).toThrow(RangeError);
    expect(() => voteStatement(CHAIN, 1.5, 'x')).toThrow(RangeError);
  });

  it('verifies under the voter key named by its node id, and nothing else', () => {
    const sig = signVote(CHAIN, 7, a.id, b.signer);
    expect(verifyVote(CHAIN, 7, a.id, b.id, sig)).toBe(true);
    expect(verifyVote(CHAIN, 7, a.id, b.id, sig, new KeyCache(4))).toBe(true);
    expect(verifyVote(CHAIN, 7, a.id, c.id, sig)).toBe(false); // another voter's name
    expect(verifyVote(CHAIN, 8, a.id, b.id, sig)).toBe(false); // another term
    expect(verifyVote(CHAIN, 7, c.id, b.id, sig)).toBe(false); // another candidate
    expect(verifyVote('other', 7, a.id, b.id, sig)).toBe(false); // another chain
    expect(verifyVote(CHAIN, 7, a.id, 'not-a-peer-id', sig)).toBe(false);
    expect(verifyVote(CHAIN, 7, a.id, b.id, sig.subarray(0, 63))).toBe(false);
    const flipped = sig.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verifyVote(CHAIN, 7, a.id, b.id, flipped)).toBe(false);
  });
});

describe('hasLeaderQuorum', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  const quorum = (n: number, signed: number) => hasLeaderQuorum(ids(n), ids(n).slice(0, signed));

  it('is a strict majority for odd numbers of voters: 1 of 1, 2 of 3, 3 of 5', () => {
    expect(quorum(1, 0)).toBe(false);
    expect(quorum(1, 1)).toBe(true);
    expect(quorum(3, 1)).toBe(false);
    expect(quorum(3, 2)).toBe(true);
    expect(quorum(3, 3)).toBe(true);
    expect(quorum(5, 2)).toBe(false);
    expect(quorum(5, 3)).toBe(true);
  });

  it('is half for even numbers (a majority of the configuration one change away): 1 of 2, 2 of 4', () => {
    expect(quorum(2, 0)).toBe(false);
    expect(quorum(2, 1)).toBe(true);
    expect(quorum(4, 1)).toBe(false);
    expect(quorum(4, 2)).toBe(true);
  });

  it('counts distinct members only, and never accepts with no voters', () => {
    expect(hasLeaderQuorum(['x', 'y', 'z'], ['x', 'x'])).toBe(false);
    expect(hasLeaderQuorum(['x', 'y', 'z'], ['x', 'q', 'r'])).toBe(false);
    expect(hasLeaderQuorum([], ['x'])).toBe(false);
  });

  it('accepts every leader elected in a configuration one single-server change away', () => {
    for (let n = 1; n <= 9; n++) {
      const mine = ids(n);
      // A voter added (x) and elected with the smallest majority that includes x.
      const grown = [...mine, 'x'];
      const withX = ['x', ...mine.slice(0, Math.floor(grown.length / 2))];
      expect(withX.length).toBe(Math.floor(grown.length / 2) + 1);
      expect(hasLeaderQuorum(mine, withX), `n=${n} + x`).toBe(true);
      // A voter removed and elected with the smallest majority of the rest.
      if (n >= 2) {
        const shrunk = mine.slice(1);
        const smallest = shrunk.slice(0, Math.floor(shrunk.length / 2) + 1);
        expect(hasLeaderQuorum(mine, smallest), `n=${n} - v0`).toBe(true);
      }
    }
  });
});

describe('checkLeaderCertificate', () => {
  it('accepts a quorum of valid votes for this term and leader', () => {
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7)]), ctx())).toBeNull();
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7), vote(c, 7)]), ctx())).toBeNull();
    // The leader's own vote is not required, only a quorum.
    expect(checkLeaderCertificate(cert([vote(b, 7), vote(c, 7)]), ctx())).toBeNull();
  });

  it('refuses another term or another leader', () => {
    const good = cert([vote(a, 7), vote(b, 7)]);
    expect(checkLeaderCertificate(good, ctx({ term: 8 }))).toBe('wrong_term');
    expect(checkLeaderCertificate(good, ctx({ leader: b.id }))).toBe('wrong_leader');
  });

  it('refuses duplicated voters, even with valid signatures', () => {
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(a, 7)]), ctx())).toBe('duplicate_voter');
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7), vote(b, 7)]), ctx())).toBe('duplicate_voter');
  });

  it('does not count voters outside the configuration', () => {
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(d, 7), vote(e, 7)]), ctx())).toBe('no_quorum');
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(d, 7)]), ctx())).toBe('no_quorum');
    // The one outsider of a follower a change ahead of its leader (d was just removed here).
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7), vote(d, 7)]), ctx())).toBeNull();
  });

  it('refuses too few votes', () => {
    expect(checkLeaderCertificate(cert([vote(a, 7)]), ctx())).toBe('no_quorum');
    expect(checkLeaderCertificate(cert([]), ctx())).toBe('no_quorum');
    const five = [a.id, b.id, c.id, d.id, e.id];
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7)]), ctx({ voters: five }))).toBe('no_quorum');
    expect(
      checkLeaderCertificate(cert([vote(a, 7), vote(b, 7), vote(e, 7)]), ctx({ voters: five })),
    ).toBeNull();
  });

  it('refuses any vote that does not verify: forged, for another term, candidate or chain', () => {
    const forged = { voter: b.id, signature: vote(a, 7).signature };
    expect(checkLeaderCertificate(cert([vote(a, 7), forged]), ctx())).toBe('bad_signature');
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 6)]), ctx())).toBe('bad_signature');
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7, c.id)]), ctx())).toBe('bad_signature');
    expect(checkLeaderCertificate(cert([vote(a, 7), vote(b, 7, a.id, 'other')]), ctx())).toBe(
      'bad_signature',
    );
    // A bad signature anywhere spoils the certificate, even with a quorum of good ones beside it.
    expect(
      checkLeaderCertificate(
        cert([vote(a, 7), vote(b, 7), { voter: c.id, signature: new Uint8Array(64) }]),
        ctx(),
      ),
    ).toBe('bad_signature');
  });

  it('refuses a valid certificate of an older term reused, as is or relabelled', () => {
    const old = cert([vote(a, 6), vote(b, 6)], { term: 6 });
    expect(checkLeaderCertificate(old, ctx({ term: 6 }))).toBeNull();
    expect(checkLeaderCertificate(old, ctx())).toBe('wrong_term');
    expect(checkLeaderCertificate({ ...old, term: 7 }, ctx())).toBe('bad_signature');
  });
});

describe('buildLeaderCertificate', () => {
  it('signs the leader’s own vote and keeps only grants from its voters', () => {
    const grants = new Map([
      [b.id, vote(b, 7).signature],
      [d.id, vote(d, 7).signature],
      [a.id, vote(a, 7).signature],
    ]);
    const built = buildLeaderCertificate(CHAIN, 7, a, voters, grants);
    expect(built.term).toBe(7);
    expect(built.leader).toBe(a.id);
    expect(built.votes.map((v) => v.voter)).toEqual([a.id, b.id]);
    expect(checkLeaderCertificate(built, ctx())).toBeNull();
  });

  it('a leader of a single-voter cluster certifies itself', () => {
    const built = buildLeaderCertificate(CHAIN, 1, a, [a.id], new Map());
    expect(checkLeaderCertificate(built, ctx({ term: 1, voters: [a.id] }))).toBeNull();
  });
});

describe('a follower more than one membership change behind (issue 18)', () => {
  // The follower last applied {a, b, c}; the leader's configuration moved on by the changes in
  // each row, and its certificate holds the signed grants of every current voter (a leader adds
  // grants that arrive after it won, buildLeaderCertificate keeps them all). The leader is one the
  // follower knows: its connection allow-list is the validator set it last applied (docs).
  const rows: { changes: string; current: Validator[]; leader: Validator; accepted: boolean }[] = [
    { changes: '+d', current: [a, b, c, d], leader: b, accepted: true },
    { changes: '+d +e', current: [a, b, c, d, e], leader: b, accepted: true },
    { changes: '+d +e -a', current: [b, c, d, e], leader: c, accepted: true },
    { changes: '+d -a +e', current: [b, c, d, e], leader: b, accepted: true },
    // Fewer than half of the follower's voters remain: nothing it knows can vouch for the leader.
    { changes: '+d -a +e -b', current: [c, d, e], leader: c, accepted: false },
  ];
  for (const row of rows) {
    it(`${row.changes}: ${row.accepted ? 'accepts the leader' : 'cannot check the leader (documented bound)'}`, () => {
      const certificate = buildLeaderCertificate(
        CHAIN,
        7,
        row.leader,
        row.current.map((v) => v.id),
        new Map(row.current.map((v) => [v.id, signVote(CHAIN, 7, row.leader.id, v.signer)])),
      );
      const why = checkLeaderCertificate(certificate, ctx({ leader: row.leader.id }));
      expect(why).toBe(row.accepted ? null : 'no_quorum');
    });
  }

  it('still needs half of its own voters: outsiders never count, however many', () => {
    const forged = cert([vote(a, 7), vote(d, 7), vote(e, 7), vote(validator(), 7), vote(validator(), 7)]);
    expect(checkLeaderCertificate(forged, ctx())).toBe('no_quorum');
  });
});
