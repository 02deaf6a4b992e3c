/**
 * Three in-process validators over real libp2p, LevelDB and HTTP: 2,000 signed kv puts submitted to
 * random nodes all commit with an ok receipt on every node, every node holds the same blocks and
 * state root, kv queries answer on every node, and replaying the blocks from scratch gives the
 * state roots the nodes report (execution is deterministic). Blocks reach the followers hash-only
 * (Raft protocol 3) and are filled from their mempools.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultExecutor } from '../../../node/contracts/builtins.js';
import { genesisWrites } from '../../../node/contracts/genesis.js';
import { JournaledState } from '../../../node/state/journal.js';
import { WorldState } from '../../../node/state/world.js';
import { toHex } from '../../../protocol/chain/encoding.js';
import { allBlocks, sameChain } from '../../helpers/chain-check.js';
import { committedTx, mapLimit, type PreparedTx, presign, submitAll } from '../../helpers/load.js';
import { createNetwork, type Network } from '../../helpers/network.js';

const TXS = 2_000;
const SENDERS = 20;

describe('a 3-node cluster under load', () => {
  let net: Network;
  let txs: PreparedTx[];

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
  });
  afterAll(async () => {
    await net?.cleanup();
  });

  it('commits 2,000 txs submitted to random nodes, on every node, with ok receipts', async () => {
    txs = presign({ chainId: net.chainId, txs: TXS, senders: SENDERS, label: 'cluster' });
    const r = await submitAll(txs, {
      targets: () => net.running(),
      concurrency: 32,
      timeoutMs: 60_000,
      seed: 7,
    });
    expect(r.refused).toEqual(new Map());
    expect(r.unsent).toEqual([]);
    expect(r.accepted.size).toBe(TXS);

    await net.waitCommitted(
      txs.map((t) => t.hash),
      net.nodes,
      90_000,
    );
    for (const n of net.nodes) {
      const views = await mapLimit(txs, 32, (t) => committedTx(n, t.hash));
      const bad = views.filter((v) => v?.receipt?.status !== 'ok');
      expect(bad.length, `${n.name}: txs not committed ok`).toBe(0);
    }
  });

  it('holds identical blocks and state roots on every node', async () => {
    const head = await sameChain(net.nodes);
    expect(head.height).toBeGreaterThan(0);
    // Every tx is in exactly one block, once.
    const inBlocks = (await allBlocks(net.node(0))).flatMap((b) => b.txs);
    expect(inBlocks.length).toBe(TXS);
    expect(new Set(inBlocks)).toEqual(new Set(txs.map((t) => t.hash)));
  });

  /** A counter's value in every node's /metrics, summed. */
  const counterSum = async (name: string, label: string): Promise<number> => {
    let sum = 0;
    for (const n of net.nodes) {
      const text = await (await fetch(`${n.url}/metrics`)).text();
      const m = new RegExp(`^${name}\\{${label}\\} (\\d+)`, 'm').exec(text);
      sum += m === null ? 0 : Number(m[1]);
    }
    return sum;
  };

  it('took the hash-only path: followers filled the blocks from their mempools', async () => {
    // Raft protocol 3 (node/p2p/block-relay.ts): same blocks on every node (above), sent as hashes.
    expect(await counterSum('ehrchain_block_relay_entries_total', 'event="compacted"')).toBeGreaterThan(0);
    // Each tx reaches each of the two followers once, filled or fetched; most are filled.
    expect(await counterSum('ehrchain_block_relay_txs_total', 'source="mempool"')).toBeGreaterThan(TXS);
  });

  it('applied the txs it already held decoded, without decoding them again', async () => {
    // node/blocks/tx-handover.ts: the leader's producer and each follower's relay hand them over.
    expect(await counterSum('ehrchain_block_handover_txs_total', 'result="reused"')).toBeGreaterThan(TXS);
  });

  it('answers kv get queries with the written value on every node', async () => {
    const sample = txs.filter((_, i) => i % 97 === 0 || i === TXS - 1);
    for (const n of net.nodes) {
      for (const t of sample) {
        const q = await fetch(`${n.url}/v1/query/kv/get?args=${toHex(t.key)}`);
        expect(q.status).toBe(200);
        expect(await q.json()).toMatchObject({ status: 'ok', returnData: toHex(t.value) });
      }
      const missing = await n.client.query('kv', 'get', [new TextEncoder().encode('never-written')]);
      expect(missing).toMatchObject({ status: 'reverted', error: 'not_found' });
    }
  });

  it('replaying the blocks from genesis gives every state root the nodes report', async () => {
    const src = net.node(0).node;
    if (src === null) throw new Error('node1 not running');
    const exec = createDefaultExecutor();
    const world = new WorldState();
    world.apply(genesisWrites(net.genesis));
    const roots = new Map<number, string>([[0, toHex(world.root())]]);
    const head = src.applier.tip.height;
    for (let h = 1; h <= head; h++) {
      const b = await src.store.getBlock(h);
      if (b === undefined) throw new Error(`node1 lacks block ${h}`);
      // A header names the state after an earlier block: it must be the root we computed for it.
      expect(toHex(b.header.stateRoot), `header ${h} state root`).toBe(roots.get(b.header.stateHeight));
      const view = new JournaledState(world);
      const hd = b.header;
      const exec1 = exec.executeBlock(
        { height: hd.height, time: hd.time, proposer: hd.proposer, chainId: hd.chainId },
        b.txs,
        view,
      );
      expect(exec1.receipts.every((x) => x.status === 'ok')).toBe(true);
      world.apply(view.writes());
      roots.set(h, toHex(world.root()));
    }
    const statuses = await Promise.all(net.nodes.map((n) => n.status()));
    for (const s of statuses) {
      expect(s.height).toBe(head);
      expect(s.stateRoot).toBe(roots.get(head));
    }
  });
});
