/**
 * The dial loop's report of a lost peer (fast failover, docs/raft.md): a validator whose last
 * connection closed is redialled at once, and only a failed redial reports it lost.
 */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { PeerDialer } from '../../../node/p2p/dialer.js';

type Listener = (evt: CustomEvent<unknown>) => void;

/** A libp2p stand-in: dials succeed or fail as told; connections are what the test says. */
function fakeHost(dialOk: () => boolean) {
  const listeners = new Map<string, Listener>();
  let connected = true;
  const host = {
    dials: 0,
    addEventListener: (name: string, l: Listener) => listeners.set(name, l),
    removeEventListener: (name: string) => listeners.delete(name),
    getConnections: () => (connected ? [{}] : []),
    peerStore: { merge: async () => undefined },
    dial: async () => {
      host.dials++;
      if (!dialOk()) throw new Error('ECONNREFUSED');
      connected = true;
      return {};
    },
    /** The peer's connections close (its process was killed, or one socket broke). */
    disconnect(peer: unknown) {
      connected = false;
      listeners.get('peer:disconnect')?.(new CustomEvent('peer:disconnect', { detail: peer }));
    },
  };
  return host;
}

async function setup(dialOk: () => boolean) {
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
  const peer = peerId.toString();
  const host = fakeHost(dialOk);
  const lost: string[] = [];
  const dialer = new PeerDialer(
    host as unknown as ConstructorParameters<typeof PeerDialer>[0],
    self,
    () => true,
    { minMs: 10_000, maxMs: 10_000, dialTimeoutMs: 1_000 },
    [{ peerId: peer, addrs: ['/ip4/127.0.0.1/tcp/1'] }],
    () => {},
    (p) => lost.push(p),
  );
  await dialer.start();
  return { host, peerId, peer, lost, dialer };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('lost peers', () => {
  it('a peer that disconnects and refuses the immediate redial is reported lost, once', async () => {
    const { host, peerId, peer, lost, dialer } = await setup(() => false);
    host.disconnect(peerId);
    await settle();
    expect(lost).toEqual([peer]);
    expect(host.dials).toBe(1);
    dialer.stop();
  });

  it('a peer that disconnects and takes the immediate redial is not reported', async () => {
    const { host, peerId, lost, dialer } = await setup(() => true);
    host.disconnect(peerId);
    await settle();
    expect(host.dials).toBe(1);
    expect(lost).toEqual([]);
    dialer.stop();
  });
});
