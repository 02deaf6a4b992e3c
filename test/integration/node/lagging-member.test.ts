/**
 * A validator more than one membership change behind (issue 18): node3 is stopped, two hospitals
 * join by governance (node4, node5), and node3 restarts with the configuration {1, 2, 3} it last
 * applied while the leader's is {1, ..., 5}. The leader's certificate carries the grants of
 * node4 and node5, whom node3 does not know; node3 must still follow it (half of its own voters
 * signed), catch up, and learn the new configuration from the log. Before the fix in
 * leader-cert.ts it refused every certificate with two unknown voters, for good.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { generateKeyPair, type KeyPair, writeKeyFile } from '../../../client/keyfile.js';
import { encodeAction } from '../../../node/contracts/governance.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import { decodeInt, encodeInt } from '../../../vm/abi.js';
import { createNetwork, freePorts, type Network, TestNode, waitFor } from '../../helpers/network.js';

describe('a validator two membership changes behind', () => {
  let net: Network;
  const joiners: TestNode[] = [];

  beforeAll(async () => {
    net = await createNetwork({ nodes: 3, mode: 'inproc' });
    await net.waitLeader();
  }, 120_000);

  afterAll(async () => {
    for (const j of joiners) await j.stop().catch(() => undefined);
    await net?.cleanup();
  }, 60_000);

  const running = () => [...net.running(), ...joiners];

  /** Governance adds a new validator (approved by `approvers`), which then starts and becomes a voter. */
  async function addValidator(name: string, index: number, approvers: KeyPair[]): Promise<TestNode> {
    const key = generateKeyPair();
    const home = join(net.dir, name);
    const [httpPort, p2pPort] = await freePorts(2);
    await mkdir(home, { recursive: true });
    await writeKeyFile(join(home, 'keys', 'validator.json'), key);
    const p2p = `/ip4/127.0.0.1/tcp/${p2pPort}`;
    const url = `http://127.0.0.1:${httpPort}`;
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({
        name,
        chainId: net.chainId,
        http: { host: '127.0.0.1', port: httpPort },
        p2p: { listen: [p2p], announce: [p2p] },
      }),
    );
    await writeFile(join(home, 'genesis.json'), JSON.stringify(net.genesis));
    const action = encodeAction({
      kind: 'addValidator',
      validator: { publicKey: key.publicKey, name, p2p: [p2p], http: url },
    });
    const client = net.node(0).client;
    const [first, ...rest] = approvers;
    const proposed = await new Account(first!.seed, net.chainId).call(
      client,
      'governance',
      'propose',
      [action],
      { timeoutMs: 30_000 },
    );
    expect(proposed.receipt?.status, proposed.receipt?.error).toBe('ok');
    const id = encodeInt(decodeInt(Buffer.from(proposed.receipt!.returnData, 'hex')));
    for (const k of rest) {
      const r = await new Account(k.seed, net.chainId).call(client, 'governance', 'approve', [id], {
        timeoutMs: 30_000,
      });
      expect(r.receipt?.status, r.receipt?.error).toBe('ok');
      if (r.receipt!.events.some((e) => e.name === 'validator_added')) break;
    }
    const node = new TestNode(index, name, home, url, 'inproc', 'info');
    joiners.push(node);
    await node.start();
    const peerId = nodeIdFromValidatorKey(key.publicKey);
    await waitFor(
      async () => running().every((n) => n.node?.raft.status().conf.voters.includes(peerId) === true),
      `${name} to become a voter`,
      60_000,
    );
    return node;
  }

  it('follows the leader, catches up and learns the new configuration', async () => {
    const keys = [await net.node(0).key(), await net.node(1).key()];
    const lagger = net.node(2);
    await lagger.stop();
    await net.waitLeader(net.running());
    const n4 = await addValidator('node4', 3, keys);
    keys.push(await n4.key());
    await addValidator('node5', 4, keys);
    // A new election in the 5-voter configuration, won by node1 or node2 (node3 only knows
    // validators 1-3: its libp2p allow-list), so the certificate carries node4's and node5's grants.
    const leader = running().find((n) => n.node?.raft.status().role === 'leader')!;
    const next = leader === net.node(0) ? net.node(1) : net.node(0);
    const term = leader.node!.raft.status().term;
    leader.node!.driver.transferLeadership(next.node!.nodeId);
    await waitFor(
      () => next.node?.raft.status().role === 'leader' && next.node.raft.status().term > term,
      'a new leader elected by five voters',
      20_000,
    );
    const user = new Account(generateKeyPair().seed, net.chainId);
    await user.sync(next.client);
    const hash = await next.client.submit(user.sign('kv', 'put', [encodeInt(1), encodeInt(2)]));
    await net.waitCommitted([hash], running());

    await lagger.start();
    expect(lagger.node!.raft.status().conf.voters).toHaveLength(3);
    await waitFor(
      async () => {
        const [ref, mine] = await Promise.all([next.status(), lagger.status()]);
        return mine.height >= ref.height && mine.stateRoot === ref.stateRoot;
      },
      'node3 to catch up with the leader',
      60_000,
    );
    expect(lagger.node!.raft.status().conf.voters).toHaveLength(5);
    expect(lagger.node!.raft.leader).not.toBeNull();
  }, 240_000);
});
