/**
 * `GET /v1/events` (docs/api.md): the node's events as server-sent events, receipts only when asked
 * for. A block's two events, emitted in one turn of the loop, leave in one socket write (the route
 * corks the response until the turn ends); what the client reads is the same frames, in order.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { noBackend } from '../../../node/http/openapi.js';
import { defaultHttpOptions } from '../../../node/http/options.js';
import { createHttpServer } from '../../../node/http/server.js';
import { silentLogger } from '../../../node/log.js';
import type { NodeEvent } from '../../../protocol/api.js';

const block: NodeEvent = {
  type: 'block',
  block: {
    height: 7,
    hash: 'aa',
    parent: 'bb',
    stateRoot: 'cc',
    txRoot: 'dd',
    txCount: 1,
    proposer: 'p',
    time: 1,
  },
} as unknown as NodeEvent;
const receipts: NodeEvent = { type: 'receipts', height: 7, receipts: [{ hash: 'ee', status: 'ok' }] };
const leader: NodeEvent = { type: 'leader', leader: 'n1', term: 2 };
const frame = (e: NodeEvent) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** Opens the stream, emits `events` in one turn once it is open, then a leader event; returns what was read. */
async function streamOf(query: string, events: readonly NodeEvent[]): Promise<string> {
  const listeners = new Set<(e: NodeEvent) => void>();
  const backend = {
    ...noBackend,
    subscribe: (l: (e: NodeEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const app = await createHttpServer(backend, { ...defaultHttpOptions, port: 0 }, silentLogger());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/v1/events${query}` }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          if (text === 'retry: 2000\n\n') {
            for (const e of events) for (const l of listeners) l(e);
            // A later turn's event ends what the test reads (one HTTP chunk per frame, so the client
            // may read a turn's frames in several pieces).
            setImmediate(() => {
              for (const l of listeners) l(leader);
            });
          } else if (text.endsWith(frame(leader))) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    await app.close();
  }
}

describe('GET /v1/events', () => {
  it('with receipts=true: a block and its receipts, as two frames in order', async () => {
    expect(await streamOf('?receipts=true', [block, receipts])).toBe(
      `retry: 2000\n\n${frame(block)}${frame(receipts)}${frame(leader)}`,
    );
  });

  it('without receipts=true: the block alone', async () => {
    expect(await streamOf('', [block, receipts])).toBe(`retry: 2000\n\n${frame(block)}${frame(leader)}`);
  });
});
