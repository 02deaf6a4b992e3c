/**
 * Tx gossip has no mesh (node/p2p/tx-gossip.ts): a validator publishes to every validator it is
 * connected to and forwards nothing at once. A validator cut off from the publisher still gets the
 * batch through one that has it, by gossip proper (IHAVE at the next heartbeat, then IWANT).
 * Three hosts in a line over 127.0.0.1: a - b - c, where a and c refuse each other.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { P2PHost } from '../../../node/p2p/host.js';
import { nodeIdOf, seed, startHost, stopAll, waitFor } from './helpers.js';

describe('tx gossip, three hosts in a line', () => {
  const hosts: P2PHost[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ids.push(await nodeIdOf(seed(`line-${i}`)));
    // a and c each allow only b (and themselves); b allows both
    const allowed = [[ids[0]!, ids[1]!], ids, [ids[1]!, ids[2]!]];
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { host, port } = await startHost(seed(`line-${i}`), [], { allowedPeers: allowed[i]! });
      hosts.push(host);
      ports.push(port);
    }
    const addr = (i: number) => ({ peerId: ids[i]!, addrs: [`/ip4/127.0.0.1/tcp/${ports[i]}`] });
    await hosts[0]!.setPeers([addr(1)]);
    await hosts[1]!.setPeers([addr(0), addr(2)]);
    await hosts[2]!.setPeers([addr(1)]);
    await waitFor(
      () => hosts[1]!.txSubscribers().length === 2 && hosts[0]!.txSubscribers().length === 1,
      'tx topic subscribers',
    );
  });

  afterAll(() => stopAll(hosts));

  test('a batch published at one end reaches the other end through the middle host', async () => {
    const got: { at: number; from: string }[] = [];
    const offs = hosts.map((h, at) => h.onTx((_bytes, from) => got.push({ at, from })));
    const r = await hosts[0]!.publishTx(new TextEncoder().encode('a batch from the end of the line'));
    expect(r.recipients).toBe(1);
    await waitFor(() => got.some((g) => g.at === 2), 'the batch at the far end');
    for (const off of offs) off();
    expect(got.find((g) => g.at === 1)?.from).toBe(ids[0]);
    expect(got.find((g) => g.at === 2)?.from).toBe(ids[1]);
  });
});
