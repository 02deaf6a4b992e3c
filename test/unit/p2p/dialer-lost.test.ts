/**
 * The dial loop's report of a lost peer (fast failover, docs/raft.md): a validator whose last
 * connection closed is redialled at once, and probed with one plain TCP connect; only a failed
 * redial or a refused connect reports it lost, once.
 */
import { createServer, type Server } from 'node:net';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { PeerDialer, type PortProbe, tcpPortProbe } from '../../../node/p2p/dialer.js';

type Listener = (evt: CustomEvent<unknown>) => void;

/** A libp2p stand-in: dials succeed or fail as told; connections are what the test says. */
function fakeHost(dialOk: () => boolean | Promise<boolean>) {
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
      if (!(await dialOk())) throw new Error('ECONNREFUSED');
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

// The plain TCP probe answers nothing useful unless a test says otherwise.
const unknownProbe: PortProbe = async () => 'unknown';

async function setup(dialOk: () => boolean | Promise<boolean>, probe: PortProbe = unknownProbe) {
  const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'));
  const peer = peerId.toString();
  const host = fakeHost(dialOk);
  const lost: string[] = [];
  const certain: boolean[] = [];
  const dialer = new PeerDialer(
    host as unknown as ConstructorParameters<typeof PeerDialer>[0],
    self,
    () => true,
    { minMs: 10_000, maxMs: 10_000, dialTimeoutMs: 1_000 },
    [{ peerId: peer, addrs: ['/ip4/127.0.0.1/tcp/1'] }],
    () => {},
    (p, loss) => {
      lost.push(p);
      certain.push(loss.certain);
    },
    () => {},
    probe,
  );
  await dialer.start();
  return { host, peerId, peer, lost, certain, dialer };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('lost peers', () => {
  it('a peer that disconnects and refuses the immediate redial is reported lost, once, not for certain', async () => {
    const { host, peerId, peer, lost, certain, dialer } = await setup(() => false);
    host.disconnect(peerId);
    await settle();
    expect(lost).toEqual([peer]);
    expect(certain).toEqual([false]);
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

  it('a peer whose port refuses a plain TCP connect is reported lost for certain before the libp2p redial settles, once', async () => {
    let failDial: (ok: boolean) => void = () => {};
    const hanging = () => new Promise<boolean>((r) => (failDial = r));
    const { host, peerId, peer, lost, certain, dialer } = await setup(hanging, async () => 'refused');
    host.disconnect(peerId);
    await settle();
    expect(lost).toEqual([peer]);
    failDial(false);
    await settle();
    expect(lost).toEqual([peer]);
    expect(certain).toEqual([true]);
    dialer.stop();
  });

  it('a peer whose port accepts the plain TCP connect is left to the redial', async () => {
    const { host, peerId, lost, dialer } = await setup(
      () => true,
      async () => 'open',
    );
    host.disconnect(peerId);
    await settle();
    expect(lost).toEqual([]);
    dialer.stop();
  });
});

describe('the plain TCP probe (127.0.0.1)', () => {
  const listen = async (): Promise<{ server: Server; port: number }> => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    return { server, port: addr.port };
  };

  it('a port nothing listens on is refused', async () => {
    const { server, port } = await listen();
    await new Promise((r) => server.close(r));
    expect(await tcpPortProbe([`/ip4/127.0.0.1/tcp/${port}`], 2_000)).toBe('refused');
  });

  it('a listening port is open', async () => {
    const { server, port } = await listen();
    expect(await tcpPortProbe([`/ip4/127.0.0.1/tcp/${port}`], 2_000)).toBe('open');
    await new Promise((r) => server.close(r));
  });

  it('an address without TCP is unknown', async () => {
    expect(await tcpPortProbe(['/ip4/127.0.0.1/udp/1/quic-v1', 'not a multiaddr'], 2_000)).toBe('unknown');
  });
});
