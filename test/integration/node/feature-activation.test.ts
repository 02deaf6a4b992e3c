/**
 * Feature switches activated by governance on a running chain of three validator processes under a
 * put load: two validators (a majority) approve `timeAdvances` at a height H and a feature this
 * code does not know (`futureRule`) at a later height F. Every node switches `timeAdvances` on at
 * H, on the same chain with the same state root; every node stops cleanly after block F - 1 with
 * exit code 4 and "upgrade required: feature futureRule activates at height F", and refuses to
 * start again on that data.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT_UPGRADE_REQUIRED } from '../../../cli/start.js';
import { Account } from '../../../client/client.js';
import { encodeAction, type GovernanceAction } from '../../../node/contracts/governance.js';
import { MIN_ACTIVATION_LEAD } from '../../../protocol/chain/features.js';
import { allBlocks, sameChain } from '../../helpers/chain-check.js';
import { createNetwork, type Network, type TestNode, waitFor } from '../../helpers/network.js';
import { PutLoad } from './put-load.js';

let net: Network;
const loads: PutLoad[] = [];
/** Activation heights, fixed once the proposals are approved. */
let H = 0;
let F = 0;

/** Proposes `action` as validator 0 and approves it as validator 1; returns the executing receipt's events. */
async function decide(action: GovernanceAction): Promise<string[]> {
  const [a, b] = [net.node(0), net.node(1)];
  const as = async (n: TestNode) => new Account((await n.key()).seed, net.chainId);
  const p = await (await as(a)).call(a.client, 'governance', 'propose', [encodeAction(action)]);
  expect(p.receipt?.status).toBe('ok');
  const id = Buffer.from(p.receipt?.returnData ?? '', 'hex');
  const r = await (await as(b)).call(b.client, 'governance', 'approve', [id]);
  expect(r.receipt?.error).toBeUndefined();
  return r.receipt?.events.map((e) => e.name) ?? [];
}

async function exited(n: TestNode): Promise<number | null> {
  await waitFor(() => n.proc?.exitCode !== null, `${n.name} to exit`, 60_000);
  return n.proc?.exitCode ?? null;
}

beforeAll(async () => {
  net = await createNetwork({ nodes: 3, mode: 'child', start: false });
  for (const n of net.nodes) n.startTimeoutMs = 90_000;
  await net.startAll();
  await net.waitLeader();
  // No load yet: blocks are cut only for txs, so the approvals land within a few blocks of h.
  const h = (await net.node(0).status()).height;
  H = h + MIN_ACTIVATION_LEAD + 10;
  F = H + 30;
}, 90_000);

/** Starts two put loads (new accounts each time), through node3 and node2. */
function startLoads(round: number): void {
  for (const [i, via] of [net.node(2), net.node(1)].entries()) {
    const load = new PutLoad(net, via, `feature-activation/${round}/${i}`);
    load.start();
    loads.push(load);
  }
}

async function stopLoads(): Promise<void> {
  for (const l of loads.splice(0)) await l.stop();
}

afterAll(async () => {
  await stopLoads();
  await net?.cleanup();
});

describe('a feature switch activated by governance', () => {
  test('a majority of validators schedules a known and an unknown feature', async () => {
    expect(await decide({ kind: 'activateFeature', name: 'timeAdvances', height: H })).toContain(
      'feature_scheduled',
    );
    expect(await decide({ kind: 'activateFeature', name: 'futureRule', height: F })).toContain(
      'feature_scheduled',
    );
    const r = await net.node(2).client.query('governance', 'features', []);
    expect(JSON.parse(Buffer.from(r.value ?? '', 'hex').toString('utf8'))).toEqual({
      futureRule: F,
      timeAdvances: H,
    });
  }, 60_000);

  test('every node switches timeAdvances on at the same height, on one chain with one state root', async () => {
    startLoads(1);
    await net.waitHeight(H + 5, net.nodes, 90_000);
    await stopLoads();
    for (const n of net.nodes)
      expect(await n.log()).toContain(`feature timeAdvances active from height ${H}`);
    const blocks = await allBlocks(net.node(0));
    const after = blocks.filter((b) => b.height >= H);
    for (const [i, b] of after.entries()) {
      const parent = i === 0 ? blocks.find((x) => x.height === H - 1) : after[i - 1];
      expect(b.time).toBeGreaterThan(parent?.time ?? Number.POSITIVE_INFINITY);
    }
    await sameChain(net.nodes, 60_000);
  }, 120_000);

  test('a node that does not know a feature stops before its height, with exit code and message', async () => {
    startLoads(2);
    const codes = await Promise.all(net.nodes.map((n) => exited(n)));
    await stopLoads();
    expect(codes).toEqual(net.nodes.map(() => EXIT_UPGRADE_REQUIRED));
    const message = `upgrade required: feature futureRule activates at height ${F}`;
    for (const n of net.nodes) {
      const line = (await n.log()).split('\n').find((l) => l.includes(`${message};`));
      expect(line, n.name).toBeDefined();
      expect(JSON.parse(line ?? '{}')).toMatchObject({ applied: F - 1 });
    }
  }, 120_000);

  test('restarted on the same data without an upgrade, it refuses to start', async () => {
    const n = net.node(0);
    await expect(n.start()).rejects.toThrow(/exited early/);
    expect(n.proc?.exitCode).toBe(EXIT_UPGRADE_REQUIRED);
    expect(await n.log()).toContain(
      `ehrchain: upgrade required: feature futureRule activates at height ${F}`,
    );
  }, 60_000);
});
