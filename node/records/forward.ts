/**
 * Forwarding a read: a node that does not hold a blob asks the DHT for providers and sends them the
 * reader's signed request verbatim over `/ehrchain/<c>/blob-fetch/1.0.0`, then the validators not
 * tried yet (the DHT can miss a fresh provider record). The holder checks everything itself; the
 * bytes are checked against the CID here.
 */
import type { CID } from 'multiformats/cid';
import { checkCid } from '../../protocol/records/cid.js';
import { RecordError } from '../../protocol/records/errors.js';
import type { Logger } from '../log.js';
import type { P2PHost } from '../p2p/host.js';
import { fromRemote } from './refusals.js';

/** What forwarding needs. */
export interface ForwardDeps {
  readonly host: Pick<P2PHost, 'request' | 'findProviders'>;
  /** The blob-fetch protocol id. */
  readonly protocol: string;
  readonly options: {
    readonly fetchTimeoutMs: number;
    readonly dhtTimeoutMs: number;
    readonly blobs: { readonly maxBlobBytes: number };
  };
  readonly log: Logger;
}

/**
 * The blob from the first peer that serves it, with its source (`dht:<peer>` or
 * `validator:<peer>`). Throws the last consent denial or erasure heard, else `not_found`.
 */
export async function fetchFromPeers(
  d: ForwardDeps,
  validators: readonly string[],
  cid: CID,
  requestBytes: Uint8Array,
): Promise<{ bytes: Uint8Array; source: string }> {
  let last: RecordError | null = null;
  const tried = new Set<string>();
  const tryPeer = async (
    peer: string,
    how: string,
  ): Promise<{ bytes: Uint8Array; source: string } | null> => {
    tried.add(peer);
    try {
      const bytes = await d.host.request(peer, d.protocol, requestBytes, {
        timeoutMs: d.options.fetchTimeoutMs,
        maxResponseBytes: d.options.blobs.maxBlobBytes + 1024,
      });
      checkCid(cid, bytes);
      return { bytes, source: `${how}:${peer}` };
    } catch (err) {
      last = fromRemote(err);
      return null;
    }
  };
  let providers: string[] = [];
  try {
    const found = await d.host.findProviders(cid, {
      timeoutMs: d.options.dhtTimeoutMs,
      limit: 8,
    });
    providers = found.map((p) => p.peerId);
  } catch (err) {
    d.log.warn({ err, cid: cid.toString() }, 'DHT findProviders failed');
  }
  for (const p of providers) {
    const got = await tryPeer(p, 'dht');
    if (got !== null) return got;
  }
  // The DHT can miss a fresh provider record: ask the validators not tried yet.
  for (const p of validators) {
    if (tried.has(p)) continue;
    const got = await tryPeer(p, 'validator');
    if (got !== null) return got;
  }
  const err = last as RecordError | null;
  if (err !== null && (err.code === 'access_denied' || err.code === 'erased')) throw err;
  throw new RecordError('not_found', 'no node could serve this blob');
}
