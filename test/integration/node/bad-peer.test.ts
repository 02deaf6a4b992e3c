/**
 * Hostile input on the peer protocol. A 3-validator genesis runs with node1 and node2 in process;
 * node3's key drives a bare libp2p host (an allowed validator, so the gater lets it in) that sends
 * random bytes and malformed Raft messages on the raft protocol, then a forged block: correctly
 * signed by node3, injected as an append entry to a follower, at the current term and at a higher
 * one, without a leader certificate and with every kind of bad one. The cluster must keep
 * committing, the nodes must agree, and no node may apply the forged block.
 */
import { randomBytes } from 'node:crypto';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../client/keyfile.js';
import { EntryType, type Message } from '../../../consensus/types.js';
import type { ChainNode } from '../../../node/node.js';
import { createP2PHost, type P2PHost } from '../../../node/p2p/host.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import { type LeaderCertificate, type SignedVote, signVote } from '../../../node/raft/leader-cert.js';
import { buildBlock, encodeBlock } from '../../../protocol/chain/block.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { createSigner, publicKeyFromSeed } from '../../../protocol/chain/keys.js';
import { encodeTxBatch } from '../../../protocol/chain/tx-batch.js';
import { sameChain } from '../../helpers/chain-check.js';
import { presign, rng, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network, sleep, type TestNode, waitFor } from '../../helpers/network.js';

describe('a hostile validator on the raft protocol', () => {
  let net: Network;
  let live: TestNode[];
  let evil: P2PHost;
  let evilId: string;
  let evilSeed: Uint8Array;
  let round = 0;
  /** The last leader certificate node3 received from the real leader. */
  let captured: LeaderCertificate | null = null;

  /** Commits a few fresh txs through the live nodes: the cluster still makes progress. */
  const keepsCommitting = async () => {
    const txs = presign({ chainId: net.chainId, txs: 6, senders: 3, label: `peer-probe-${round++}` });
    const r = await submitAll(txs, { targets: () => live, concurrency: 3, timeoutMs: 20_000 });
    expect(r.accepted.size).toBe(txs.length);
    await net.waitCommitted(
      txs.map((t) => t.hash),
      live,
      30_000,
    );
  };

  const healthy = async () => {
    for (const n of live) {
      expect(n.node?.fault ?? null).toBeNull();
      const st = await n.status();
      expect(st.divergence).toBeNull();
    }
    await keepsCommitting();
    await sameChain(live);
  };

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc', start: false });
    live = [net.node(0), net.node(1)];
    await Promise.all(live.map((n) => n.start()));
    await net.waitLeader(live);
    const key = await net.node(2).key();
    evilSeed = key.seed;
    evilId = nodeIdFromValidatorKey(key.publicKey);
    evil = await createP2PHost({
      chainId: net.chainId,
      seed: key.seed,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: live.map((n) => {
        const v = net.genesis.validators[n.index];
        if (v === undefined) throw new Error('no validator');
        return { peerId: nodeIdFromValidatorKey(fromHex(v.publicKey)), addrs: v.p2p };
      }),
    });
    await evil.start();
    evil.raft.onRaftMessage((_m, proof) => {
      if (proof.leaderCert !== undefined) captured = proof.leaderCert;
    });
    const ids = live.map((n) => n.node?.nodeId ?? '');
    await waitFor(() => ids.every((id) => evil.connectedPeers().includes(id)), 'the evil peer connected');
    await keepsCommitting();
  });
  afterAll(async () => {
    await evil?.stop().catch(() => undefined);
    await net?.cleanup();
  });

  it('shrugs off random bytes and malformed raft messages', async () => {
    const rand = rng(99);
    const ids = live.map((n) => n.node?.nodeId ?? '');
    for (const to of ids) {
      for (let i = 0; i < 300; i++)
        evil.raft.send(to, new Uint8Array(randomBytes(1 + Math.floor(rand() * 300))));
      const st = await live[ids.indexOf(to)]!.status();
      const t = st.term;
      const shapes: unknown[] = [
        [],
        [5],
        [5, evilId, to],
        [5, evilId, to, 'term', 0, 0, 0, []],
        [5, evilId, to, t, -1, 0, 0, []],
        [5, evilId, to, t, 0, 0, 0, [[t, 1, 7, new Uint8Array(3)]]],
        [5, evilId, to, t, 0, 0, 0, [['x']]],
        [5, evilId, to, 2 ** 60, 0, 0, 0, []],
        [7, evilId, to, t, Number.MAX_SAFE_INTEGER + 2],
        [9, evilId, to, t, [1, t, ['a'.repeat(500)], []], new Uint8Array(4)],
        [9, evilId, to, t, 'snap', null],
        [42, evilId, to, t],
        [1, evilId, to, t + 1, -5, -5],
        [6, 'someone-else', to, t, 1, false, 0, 0],
        { type: 'append' },
        'append',
        null,
      ];
      for (const s of shapes) evil.raft.send(to, pack(s));
      // Decodable but out of place: responses nobody asked for, stale-term chatter.
      const stray: Message[] = [
        { type: 'appendResp', from: evilId, to, term: t, index: 0, reject: true, rejectHint: 0, hintTerm: 0 },
        { type: 'voteResp', from: evilId, to, term: t, reject: false },
        { type: 'preVoteResp', from: evilId, to, term: t, reject: false },
        { type: 'heartbeatResp', from: evilId, to, term: t },
        { type: 'heartbeat', from: evilId, to, term: Math.max(0, t - 1), commit: 1e9 },
        {
          type: 'append',
          from: evilId,
          to,
          term: Math.max(0, t - 1),
          prevIndex: 0,
          prevTerm: 0,
          commit: 1e9,
          entries: [],
        },
      ];
      for (const m of stray) evil.raft.sendMessage(m);
    }
    await sleep(1_000);
    await healthy();
  });

  it('shrugs off garbage on tx gossip and on the snapshot lane, and still takes its valid gossip', async () => {
    const ids = live.map((n) => n.node?.nodeId ?? '');
    // Random gossip until the mesh delivers to both nodes (each payload differs, so none is deduplicated).
    await waitFor(
      async () => (await evil.publishTx(new Uint8Array(randomBytes(64)))).recipients >= 2,
      'a gossip mesh with both nodes',
    );
    const badSig = presign({ chainId: net.chainId, txs: 1, senders: 1, label: 'gossip-bad-sig' })[0];
    const wrongChain = presign({ chainId: 'other-chain', txs: 1, senders: 1, label: 'gossip-chain' })[0];
    const valid = presign({ chainId: net.chainId, txs: 1, senders: 1, label: 'gossip-valid' })[0];
    if (badSig === undefined || wrongChain === undefined || valid === undefined) throw new Error('no txs');
    const forgedSig = badSig.tx.bytes.slice();
    forgedSig[forgedSig.length - 1] = (forgedSig[forgedSig.length - 1] ?? 0) ^ 1;
    const truncatedBatch = encodeTxBatch([valid.tx.bytes]).slice(0, -10);
    const lyingCount = encodeTxBatch([]);
    lyingCount[0] = 0xff;
    for (const b of [
      encodeTxBatch([new Uint8Array(randomBytes(300))]),
      encodeTxBatch([forgedSig]),
      encodeTxBatch([wrongChain.tx.bytes]),
      truncatedBatch,
      lyingCount,
      new Uint8Array(0),
    ]) {
      await evil.publishTx(b).catch(() => undefined);
    }
    // Frames over 4 MiB travel on the snapshot lane: garbage there too.
    for (const to of ids) evil.raft.send(to, new Uint8Array(randomBytes(5 * 1024 * 1024)));
    await evil.publishTx(encodeTxBatch([valid.tx.bytes]));
    await net.waitCommitted([valid.hash], live, 30_000);
    for (const n of live) {
      expect(await n.client.getTx(toHex(badSig.tx.hash))).toBeNull();
      expect(await n.client.getTx(wrongChain.hash)).toBeNull();
    }
    await healthy();
  });

  /**
   * Forges a block as node3 (a validator, not the leader) on the victim's tip with header and entry
   * term `term`, sends it as an append that also commits it, once per proof in `proofs` (none: one
   * append without any), and reports which nodes applied it.
   */
  const forgeAgainstFollower = async (
    termDelta: number,
    proofs: ((term: number) => LeaderCertificate)[] = [],
  ) => {
    const leader = await net.waitLeader(live);
    const victim = live.find((n) => n !== leader);
    const v = victim?.node;
    if (victim === undefined || v === null || v === undefined) throw new Error('no follower');
    // Idle cluster: the victim's log ends at its applied entry.
    await waitFor(async () => {
      const st = await victim.status();
      return st.commitIndex === st.appliedIndex && v.raft.status().lastIndex === st.appliedIndex;
    }, 'an idle victim');
    const st = await victim.status();
    const tip = await victim.client.getBlock(st.height);
    const marker = presign({ chainId: net.chainId, txs: 1, senders: 1, label: `forged-${round++}` })[0];
    if (marker === undefined) throw new Error('no tx');
    const term = st.term + termDelta;
    const forged = buildBlock(
      {
        chainId: net.chainId,
        height: st.height + 1,
        parentHash: fromHex(tip.hash),
        stateHeight: st.height,
        stateRoot: fromHex(st.stateRoot),
        term,
        time: Date.now(),
      },
      [marker.tx],
      createSigner(evilSeed),
    );
    const last = st.appliedIndex;
    const append: Message = {
      type: 'append',
      from: evilId,
      to: v.nodeId,
      term,
      prevIndex: last,
      prevTerm: st.term,
      commit: last + 1,
      entries: [{ term, index: last + 1, type: EntryType.Normal, data: encodeBlock(forged) }],
    };
    if (proofs.length === 0) evil.raft.sendMessage(append);
    for (const cert of proofs) evil.raft.sendMessage(append, { leaderCert: cert(term) });
    await sleep(1_500);
    const applied: string[] = [];
    for (const n of live) {
      const q = await n.client.query('kv', 'get', [marker.key]);
      const b = await n.client.getBlock(st.height + 1).catch(() => null);
      if (q.status === 'ok' || b?.hash === toHex(forged.hash)) applied.push(n.name);
    }
    return { applied, victim: v };
  };

  /** Certificates' refusals counted by a node, by reason. */
  const refusals = async (n: ChainNode): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    for (const x of (await n.metrics.raftProofRejected.get()).values) out[String(x.labels.reason)] = x.value;
    return out;
  };

  /** Forges at term + 1 with each proof; expects nothing applied and each listed reason counted. */
  const refused = async (
    proofs: ((term: number) => LeaderCertificate)[],
    reasons: Record<string, number>,
  ) => {
    const before = await Promise.all(live.map((n) => refusals(n.node!)));
    const { applied, victim } = await forgeAgainstFollower(1, proofs);
    expect(applied).toEqual([]);
    const after = await refusals(victim);
    const was = before[live.findIndex((n) => n.node === victim)] ?? {};
    for (const [reason, count] of Object.entries(reasons)) {
      expect((after[reason] ?? 0) - (was[reason] ?? 0), reason).toBe(count);
    }
    await healthy();
  };

  const vote = (seed: Uint8Array, term: number, candidate = evilId): SignedVote => ({
    voter: nodeIdFromValidatorKey(publicKeyFromSeed(seed)),
    signature: signVote(net.chainId, term, candidate, createSigner(seed)),
  });
  const liveSeeds = async () => Promise.all(live.map(async (n) => (await n.key()).seed));

  it('no node applies a forged block injected as an append entry of the current term', async () => {
    // Before the fix (the Raft follower now ignores replication of its term from a non-leader) the follower took node3 for the leader, appended and
    // committed the entry (Raft trusts any append of its term), and the applier's checks (entry
    // term, validator proposer, signature) all held: it applied the block and forked for good.
    expect((await forgeAgainstFollower(0)).applied).toEqual([]);
    await healthy();
  });

  // Before leader certificates, an append of a higher term made any follower adopt the sender as
  // leader (that is how a newly elected leader takes over), so node3 could inject a block signed
  // with its own key at term+1: the applier cannot tell (header term == entry term, proposer is a
  // validator, signature holds), and the victim's log, ending in term+1, then won the next election.
  it('no node applies a forged block injected as an append entry of a higher term', async () => {
    await refused([], { no_certificate: 1 });
  });

  it('refuses certificates with forged votes', async () => {
    const [seed1] = await liveSeeds();
    const node1 = nodeIdFromValidatorKey(publicKeyFromSeed(seed1!));
    await refused(
      [
        // node1's name on random bytes.
        (t) => ({
          term: t,
          leader: evilId,
          votes: [vote(evilSeed, t), { voter: node1, signature: randomSig() }],
        }),
        // node1's name on node3's own signature.
        (t) => ({
          term: t,
          leader: evilId,
          votes: [vote(evilSeed, t), { voter: node1, signature: vote(evilSeed, t).signature }],
        }),
        // node1's real key, but for another chain.
        (t) => ({
          term: t,
          leader: evilId,
          votes: [
            vote(evilSeed, t),
            { voter: node1, signature: signVote('other-chain', t, evilId, createSigner(seed1!)) },
          ],
        }),
        // node1's real key, but for another candidate.
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t), vote(seed1!, t, node1)] }),
      ],
      { bad_signature: 4 },
    );
  });

  it('refuses certificates with duplicated votes, or too few of its voters (outsiders never count)', async () => {
    const strangers = [generateKeyPair().seed, generateKeyPair().seed];
    await refused(
      [
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t), vote(evilSeed, t)] }),
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t), ...strangers.map((s) => vote(s, t))] }),
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t), vote(strangers[0]!, t)] }),
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t)] }),
      ],
      { duplicate_voter: 1, no_quorum: 3 },
    );
  });

  it('refuses certificates of another term or another leader, even valid ones reused', async () => {
    const [seed1, seed2] = await liveSeeds();
    // A valid certificate the real leader sent node3 (its own term, its own name).
    const seen = captured;
    expect(seen).not.toBeNull();
    const real = seen!;
    await refused(
      [
        // Votes of the right voters for node3, but for the previous term.
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t - 1), vote(seed1!, t - 1)] }),
        // A valid certificate of node3 for an old term (as if it had once won), reused as is...
        (t) => ({ term: t - 1, leader: evilId, votes: [vote(evilSeed, t - 1), vote(seed2!, t - 1)] }),
        // ...and relabelled with the new term.
        (t) => ({ term: t, leader: evilId, votes: [vote(evilSeed, t - 1), vote(seed2!, t - 1)] }),
        // The real leader's certificate: as is, with the new term, and also relabelled to node3.
        () => real,
        (t) => ({ ...real, term: t }),
        (t) => ({ ...real, term: t, leader: evilId }),
      ],
      { bad_signature: 3, wrong_term: 2, wrong_leader: 1 },
    );
  });

  // The control: the same path with a certificate of real votes (node1 and node2 sign for node3,
  // as if they had voted for it) is taken, so the refusals above are the certificate check's doing.
  // A heartbeat, not a block: the victim follows node3 at term+1 until its election timeout, then
  // the cluster elects a leader again and goes on.
  it('accepts a leader with a valid certificate, and the cluster recovers', async () => {
    const seeds = await liveSeeds();
    const leader = await net.waitLeader(live);
    const victim = live.find((n) => n !== leader)?.node;
    if (victim === undefined || victim === null) throw new Error('no follower');
    const term = victim.raft.status().term + 1;
    const leaderCert: LeaderCertificate = {
      term,
      leader: evilId,
      votes: [vote(evilSeed, term), ...seeds.map((s) => vote(s, term))],
    };
    const followed = new Promise<void>((resolve) => {
      victim.events.on('event', (e) => {
        if (e.type === 'leader' && e.leader === evilId && e.term === term) resolve();
      });
    });
    evil.raft.sendMessage(
      { type: 'heartbeat', from: evilId, to: victim.nodeId, term, commit: 0 },
      { leaderCert },
    );
    await followed;
    await healthy();
  });
});

function randomSig(): Uint8Array {
  return new Uint8Array(randomBytes(64));
}
