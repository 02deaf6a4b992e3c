/**
 * A host whose noise runs as a validator's does (libsodium, node/p2p/noise-crypto.ts; record lengths
 * read without throwing, node/p2p/noise-length.ts) and one on the noise package's defaults share a
 * connection over 127.0.0.1: requests both ways, of sizes under the default's
 * 1,200-byte switch, over it, and over one noise frame (65,535 bytes), arrive intact.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noopMetrics } from '../../../node/p2p/metrics.js';
import { noiseCrypto } from '../../../node/p2p/noise-crypto.js';
import { withNoiseRecordLength } from '../../../node/p2p/noise-length.js';
import { handleRequest, request } from '../../../node/p2p/request.js';

const ECHO = '/ehrchain-test/noise-echo/1';
const stop = new AbortController();

async function host(crypto: typeof defaultCrypto, asValidator: boolean): Promise<Libp2p> {
  const h = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [asValidator ? withNoiseRecordLength(noise({ crypto })) : noise({ crypto })],
    streamMuxers: [yamux()],
  });
  // the echo answers with the request reversed, so an answer is never the request passed through
  await handleRequest(
    h,
    ECHO,
    async (body) => Uint8Array.from(body).reverse(),
    () => stop.signal,
    noopMetrics,
    {
      maxRequestBytes: 1 << 20,
    },
  );
  return h;
}

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255);

describe.skipIf(noiseCrypto().backend !== 'sodium')('noise: libsodium against the default crypto', () => {
  let withSodium: Libp2p;
  let withDefault: Libp2p;

  beforeAll(async () => {
    withSodium = await host(noiseCrypto().crypto, true);
    withDefault = await host(defaultCrypto, false);
    await withSodium.dial(withDefault.getMultiaddrs()[0]!);
  });

  afterAll(async () => {
    stop.abort();
    await Promise.all([withSodium?.stop(), withDefault?.stop()]);
  });

  it.each([1, 600, 1199, 5000, 200_000])(
    'carries %i bytes from the sodium host to the default one and back',
    async (n) => {
      const body = bytes(n);
      const answer = await request(
        withSodium,
        withDefault.peerId.toString(),
        ECHO,
        body,
        stop.signal,
        noopMetrics,
      );
      expect(Buffer.compare(answer, Uint8Array.from(body).reverse())).toBe(0);
    },
  );

  it.each([1, 1199, 5000, 200_000])(
    'carries %i bytes from the default host to the sodium one and back',
    async (n) => {
      const body = bytes(n);
      const answer = await request(
        withDefault,
        withSodium.peerId.toString(),
        ECHO,
        body,
        stop.signal,
        noopMetrics,
      );
      expect(Buffer.compare(answer, Uint8Array.from(body).reverse())).toBe(0);
    },
  );
});
