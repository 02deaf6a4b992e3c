/** One host on its own: identity, lifecycle, publishing with no peers, queue bounds, refusals. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { createP2PHost, type P2PHost } from '../../../node/p2p/host.js';
import {
  nodeIdFromValidatorKey,
  peerIdFromValidatorKey,
  privateKeyFromSeed,
  validatorKeyFromNodeId,
} from '../../../node/p2p/identity.js';
import { CountingMetrics, DropReason } from '../../../node/p2p/metrics.js';
import { nodeIdOf, seed, startHost, stopAll } from './helpers.js';

/** The raw ed25519 public key node:crypto derives from a 32-byte seed. */
function nodeCryptoPublicKey(s: Uint8Array): Uint8Array {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), s]);
  const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
    format: 'jwk',
  });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

let hosts: (P2PHost | undefined)[] = [];
afterEach(async () => {
  await stopAll(hosts);
  hosts = [];
});

describe('identity', () => {
  test('the peer id derives from the validator ed25519 key', async () => {
    const s = seed('identity');
    const pub = nodeCryptoPublicKey(s);
    const key = await privateKeyFromSeed(s);
    expect(Buffer.from(key.publicKey.raw)).toEqual(Buffer.from(pub));
    const id = peerIdFromValidatorKey(pub).toString();
    expect(nodeIdFromValidatorKey(pub)).toBe(id);
    expect(Buffer.from(validatorKeyFromNodeId(id))).toEqual(Buffer.from(pub));
    const host = await createP2PHost({ chainId: 'test', seed: s, listen: ['/ip4/127.0.0.1/tcp/0'] });
    hosts.push(host);
    expect(host.peerId).toBe(id);
  });

  test('bad keys and ids raise P2PError bad_key', async () => {
    const badKey = expect.objectContaining({ code: 'bad_key' });
    await expect(privateKeyFromSeed(new Uint8Array(31))).rejects.toThrowError(badKey);
    await expect(createP2PHost({ chainId: 'test', seed: new Uint8Array(5) })).rejects.toThrowError(badKey);
    expect(() => peerIdFromValidatorKey(new Uint8Array(33))).toThrowError(badKey);
    expect(() => validatorKeyFromNodeId('not-a-peer-id')).toThrowError(badKey);
  });
});

describe('single host', () => {
  test('publishing a tx with no peers does not throw', async () => {
    const { host } = await startHost(seed('lonely'), []);
    hosts.push(host);
    expect(await host.publishTx(new Uint8Array([1, 2, 3]))).toEqual({ recipients: 0 });
  });

  test('outbound queue is bounded: the oldest frames are dropped and counted', async () => {
    const metrics = new CountingMetrics();
    const other = await nodeIdOf(seed('unreachable'));
    const self = await nodeIdOf(seed('queue'));
    // `other` is allowed but has no address: every dial fails and frames wait in the queue.
    const { host } = await startHost(seed('queue'), [], {
      allowedPeers: [other],
      metrics,
      raft: { maxQueue: 10, backoffMinMs: 1000, backoffMaxMs: 1000 },
    });
    hosts.push(host);
    for (let i = 0; i < 25; i++) {
      expect(host.raft.sendMessage({ type: 'heartbeat', from: self, to: other, term: 1, commit: i })).toBe(
        true,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(host.raft.queued().get(other)).toBeLessThanOrEqual(10);
    expect(metrics.dropped.get(`heartbeat:${DropReason.QueueFull}`)).toBe(15);
    // Not allowed, ourselves, and too large are refused at once.
    const stranger = await nodeIdOf(seed('nobody'));
    expect(host.raft.sendMessage({ type: 'heartbeatResp', from: self, to: stranger, term: 1 })).toBe(false);
    expect(host.raft.sendMessage({ type: 'heartbeatResp', from: self, to: self, term: 1 })).toBe(false);
    expect(metrics.dropped.get(`heartbeatResp:${DropReason.NotAllowed}`)).toBe(2);
    expect(host.raft.send(other, new Uint8Array(65 * 1024 * 1024))).toBe(false);
    expect(metrics.droppedFor(DropReason.TooLarge)).toBe(1);
  });

  test('a request handler registered before start() serves once started', async () => {
    const aSeed = seed('early-a');
    const bSeed = seed('early-b');
    const [aId, bId] = [await nodeIdOf(aSeed), await nodeIdOf(bSeed)];
    const a = await createP2PHost({
      chainId: 'test',
      seed: aSeed,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      allowedPeers: [bId],
    });
    hosts.push(a);
    await a.handleRequest('/ehrchain/test/early/1.0.0', (req) => req.map((x) => x + 1));
    await expect(a.handleRequest('/ehrchain/test/early/1.0.0', (r) => r)).rejects.toThrowError(
      expect.objectContaining({ code: 'already_handled' }),
    );
    await a.start();
    const addr = a.multiaddrs()[0]?.split('/p2p/')[0] ?? '';
    const { host: b } = await startHost(bSeed, [{ peerId: aId, addrs: [addr] }], { allowedPeers: [aId] });
    hosts.push(b);
    const res = await b.request(aId, '/ehrchain/test/early/1.0.0', new Uint8Array([1, 2]), {
      timeoutMs: 5000,
    });
    expect([...res]).toEqual([2, 3]);
    await a.unhandleRequest('/ehrchain/test/early/1.0.0');
    await expect(b.request(aId, '/ehrchain/test/early/1.0.0', new Uint8Array([1]))).rejects.toThrowError(
      expect.objectContaining({ code: 'unreachable' }),
    );
  });

  test('stop is quick and idempotent; a stopped host refuses work', async () => {
    const { host } = await startHost(seed('stopper'), []);
    hosts.push(host);
    const t0 = performance.now();
    await host.stop();
    expect(performance.now() - t0).toBeLessThan(1000);
    await host.stop();
    expect(host.running).toBe(false);
    expect(host.raft.send('x', new Uint8Array(1))).toBe(false);
    await expect(host.publishTx(new Uint8Array(1))).rejects.toThrowError(
      expect.objectContaining({ code: 'not_started' }),
    );
    await expect(host.request('x', '/p', new Uint8Array(1))).rejects.toThrowError(
      expect.objectContaining({ code: 'not_started' }),
    );
    await expect(host.start()).rejects.toThrowError(expect.objectContaining({ code: 'not_started' }));
  });
});
