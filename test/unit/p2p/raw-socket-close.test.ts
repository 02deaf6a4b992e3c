/**
 * The raw socket under a validator's libp2p connection (fast failover, docs/raft.md): its 'end' or
 * 'close' is seen once, before libp2p's own close chain, on a real socket pair over 127.0.0.1.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawSocketOf, watchRawSocket } from '../../../node/p2p/dialer.js';

/** A connected pair: `ours` (dialled) and `theirs` (accepted). */
async function socketPair(): Promise<{ ours: Socket; theirs: Socket; server: Server }> {
  let accept: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((r) => (accept = r));
  const server = createServer(accept);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  const ours = connect({ host: '127.0.0.1', port: addr.port });
  await new Promise((r) => ours.once('connect', r));
  return { ours, theirs: await accepted, server };
}

describe('a raw socket closing', () => {
  it.each([
    ['ends (FIN) when the other side closes', (s: Socket) => s.end(), 'end'],
    ['ends when the other side is destroyed (a killed process)', (s: Socket) => s.destroy(), 'end'],
    ['errors (ECONNRESET) when the other side resets', (s: Socket) => s.resetAndDestroy(), 'error'],
  ] as const)('%s, reported once', async (_name, close, first) => {
    const { ours, theirs, server } = await socketPair();
    ours.on('error', () => {});
    ours.resume();
    const seen: string[] = [];
    const closed = new Promise<void>((r) => ours.once('close', () => r()));
    watchRawSocket(ours, (event) => seen.push(event));
    close(theirs);
    await closed;
    expect(seen).toEqual([first]);
    await new Promise((r) => server.close(r));
  });

  it('is found under a libp2p TCP connection as maConn.socket, and nothing else is', () => {
    const socket = { once: () => undefined };
    expect(rawSocketOf({ maConn: { socket } })).toBe(socket);
    expect(rawSocketOf({ maConn: {} })).toBeNull();
    expect(rawSocketOf({})).toBeNull();
  });
});
