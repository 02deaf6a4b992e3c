/**
 * Stopping a node does not wait for its HTTP clients: fastify's keep-alive (72 s) and a request
 * still arriving would hold `stop()` that long. Idle connections are closed at once, and every
 * connection still open after a short grace (1 s) is closed too, a server-sent events stream included.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, type TestNode } from '../../helpers/network.js';

/** A raw keep-alive connection to `url`: `closed` resolves when the server ends it. */
async function open(url: string): Promise<{ socket: Socket; closed: Promise<void>; data: () => string }> {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  let text = '';
  socket.on('data', (d) => {
    text += d.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed, data: () => text };
}

describe('stop() closes the HTTP connections clients keep open', () => {
  let net: Network;
  let node: TestNode;
  beforeAll(async () => {
    net = await createNetwork({ nodes: 1, mode: 'inproc' });
    node = net.node(0);
    await net.waitLeader();
  }, 60_000);
  afterAll(async () => {
    await net?.cleanup();
  });

  it('an idle keep-alive connection, one with a half-sent request and an event stream', async () => {
    const idle = await open(node.url);
    idle.socket.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const half = await open(node.url);
    half.socket.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const events = await open(node.url);
    events.socket.write('GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    const answered = (c: { data: () => string }) => c.data().includes('\r\n\r\n');
    while (!answered(idle) || !answered(half) || !answered(events)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    // A second request on `half`, its headers never finished: the connection is not idle.
    half.socket.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');

    // Without the close on grace, this stop waited 72 s or more (the test's timeout is far shorter).
    await node.stop();
    await Promise.all([idle.closed, half.closed, events.closed]);
    expect(node.running).toBe(false);
  }, 20_000);
});
