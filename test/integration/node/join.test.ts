/**
 * A hospital joins a running network by governance: validators propose and approve adding its key,
 * the new node (never in genesis) starts, catches up by InstallSnapshot because the leader has
 * compacted its log, is promoted from learner to voter, and then takes part in commits.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account } from '../../../client/client.js';
import { generateKeyPair, writeKeyFile } from '../../../client/keyfile.js';
import { encodeAction } from '../../../node/contracts/governance.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import { fromHex, toHex } from '../../../protocol/chain/encoding.js';
import { decodeInt, encodeInt } from '../../../vm/abi.js';
import { createNetwork, freePorts, type Network, TestNode, waitFor } from '../../helpers/network.js';

const RAFT = { snapshotEvery: 20, keepEntries: 3 };

describe('a validator added by governance joins by snapshot, then votes', () => {
  let net: Network;
  let joiner: TestNode;

  beforeAll(async () => {
    net = await createNetwork({
      nodes: 3,
      mode: 'inproc',
      config: { raft: RAFT, block: { intervalMs: 20, maxTxs: 1 } },
    });
    await net.waitLeader();
  }, 120_000);

  afterAll(async () => {
    await joiner?.stop().catch(() => undefined);
    await net?.cleanup();
  }, 60_000);

  it('adds the new key by a majority of validators and the joiner catches up and votes', async () => {
    // Enough blocks that the leader snapshots and compacts past the start of the log.
    const user = new Account(generateKeyPair().seed, net.chainId);
    await user.sync(net.node(0).client);
    const hashes: string[] = [];
    for (let i = 0; i < 40; i++) {
      hashes.push(await net.node(0).client.submit(user.sign('kv', 'put', [encodeInt(i), encodeInt(i)])));
    }
    await net.waitCommitted(hashes);

    // The new hospital's node: its own key, the chain's genesis, its own ports.
    const key = generateKeyPair();
    const home = join(net.dir, 'node4');
    const [httpPort, p2pPort] = await freePorts(2);
    await mkdir(home, { recursive: true });
    await writeKeyFile(join(home, 'keys', 'validator.json'), key);
    const p2p = `/ip4/127.0.0.1/tcp/${p2pPort}`;
    const url = `http://127.0.0.1:${httpPort}`;
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({
        name: 'node4',
        chainId: net.chainId,
        http: { host: '127.0.0.1', port: httpPort },
        p2p: { listen: [p2p], announce: [p2p] },
        raft: RAFT,
        block: { intervalMs: 20, maxTxs: 1 },
      }),
    );
    await writeFile(join(home, 'genesis.json'), JSON.stringify(net.genesis));

    // Governance: node1 proposes, node2 approves: 2 of 3 is a majority, the action runs.
    const action = encodeAction({
      kind: 'addValidator',
      validator: { publicKey: key.publicKey, name: 'node4', p2p: [p2p], http: url },
    });
    const v1 = new Account((await net.node(0).key()).seed, net.chainId);
    const proposed = await v1.call(net.node(0).client, 'governance', 'propose', [action], {
      timeoutMs: 30_000,
    });
    expect(proposed.receipt?.status, proposed.receipt?.error).toBe('ok');
    const id = decodeInt(fromHex(proposed.receipt!.returnData));
    const v2 = new Account((await net.node(1).key()).seed, net.chainId);
    const approved = await v2.call(net.node(1).client, 'governance', 'approve', [encodeInt(id)], {
      timeoutMs: 30_000,
    });
    expect(approved.receipt?.status, approved.receipt?.error).toBe('ok');
    expect(approved.receipt!.events.map((e) => e.name)).toContain('validator_added');
    const status = await net.node(0).status();
    expect(status.validators.map((v) => v.publicKey)).toContain(toHex(key.publicKey));

    // The joiner starts from an empty directory and catches up.
    joiner = new TestNode(3, 'node4', home, url, 'inproc', 'info');
    await joiner.start();
    const peerId = nodeIdFromValidatorKey(key.publicKey);
    await waitFor(
      async () => {
        const [leader, mine] = await Promise.all([net.node(0).status(), joiner.status()]);
        return mine.height >= leader.height && mine.stateRoot === leader.stateRoot && leader.height > 40;
      },
      'the joiner to reach the leader',
      60_000,
    );
    expect(await joiner.log()).toContain('restored state from a snapshot');

    // Promoted to voter: every node's Raft configuration lists it as a voter.
    await waitFor(
      async () => net.nodes.every((n) => n.node?.raft.status().conf.voters.includes(peerId) === true),
      'the joiner to become a voter',
      60_000,
    );

    // It now counts: with node3 stopped, node1, node2 and the joiner (3 of 4) still commit.
    await net.node(2).stop();
    const hash = await net.node(0).client.submit(user.sign('kv', 'put', [encodeInt(999), encodeInt(1)]));
    await waitFor(
      async () => (await joiner.client.getTx(hash))?.status === 'committed',
      'a commit that needs the joiner',
      60_000,
    );
  }, 240_000);
});
