/** Shared helpers for the p2p tests: deterministic seeds, host clusters, polling. */
import { createHash } from 'node:crypto';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import {
  createP2PHost,
  type P2PHost,
  type P2PHostOptions,
  type PeerAddress,
} from '../../../node/p2p/host.js';
import { nodeIdFromValidatorKey } from '../../../node/p2p/identity.js';
import { CountingMetrics } from '../../../node/p2p/metrics.js';

/** A deterministic 32-byte seed. */
export function seed(label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`ehrchain-test-${label}`).digest());
}

/** The node id for a seed. */
export async function nodeIdOf(s: Uint8Array): Promise<string> {
  const k = await generateKeyPairFromSeed('Ed25519', s);
  return nodeIdFromValidatorKey(k.publicKey.raw);
}

/** Polls `cond` every 20 ms until true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One node of a test cluster. */
export interface TestNode {
  readonly id: string;
  readonly seed: Uint8Array;
  readonly metrics: CountingMetrics;
  host: P2PHost;
  port: number;
}

const FAST = {
  redialMinMs: 50,
  redialMaxMs: 500,
  raft: { backoffMinMs: 20, backoffMaxMs: 300 },
  dht: { initialQuerySelfIntervalMs: 200, timeoutMs: 8000 },
} satisfies Partial<P2PHostOptions>;

/** Starts a host on 127.0.0.1 (port 0 = any). */
export async function startHost(
  s: Uint8Array,
  peers: readonly PeerAddress[],
  extra: Partial<P2PHostOptions> = {},
  port = 0,
): Promise<{ host: P2PHost; port: number; metrics: CountingMetrics }> {
  const metrics = (extra.metrics as CountingMetrics | undefined) ?? new CountingMetrics();
  const host = await createP2PHost({
    chainId: 'test',
    seed: s,
    listen: [`/ip4/127.0.0.1/tcp/${port}`],
    peers,
    ...FAST,
    ...extra,
    metrics,
  });
  await host.start();
  const addr = host.libp2p.getMultiaddrs()[0];
  if (addr === undefined) throw new Error('no listen address');
  const p = Number(addr.toString().split('/tcp/')[1]?.split('/')[0]);
  return { host, port: p, metrics };
}

/**
 * Starts `n` hosts that know each other. Ports are picked by the OS for the first start, so the
 * first pass starts them without peers, then each is told about the others.
 */
export async function startCluster(
  n: number,
  label: string,
  extra: Partial<P2PHostOptions> = {},
): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  for (let i = 0; i < n; i++) {
    const s = seed(`${label}-${i}`);
    const id = await nodeIdOf(s);
    const allowed: string[] = [];
    for (let j = 0; j < n; j++) allowed.push(await nodeIdOf(seed(`${label}-${j}`)));
    const { host, port, metrics } = await startHost(s, [], { allowedPeers: allowed, ...extra });
    nodes.push({ id, seed: s, host, port, metrics });
  }
  for (const node of nodes) {
    await node.host.setPeers(peerAddresses(nodes.filter((x) => x !== node)));
  }
  return nodes;
}

/** PeerAddress list of the given nodes. */
export function peerAddresses(nodes: readonly TestNode[]): PeerAddress[] {
  return nodes.map((x) => ({ peerId: x.id, addrs: [`/ip4/127.0.0.1/tcp/${x.port}`] }));
}

/** Stops all hosts in parallel, ignoring errors. */
export async function stopAll(hosts: readonly (P2PHost | undefined)[]): Promise<void> {
  await Promise.all(hosts.map((h) => h?.stop().catch(() => {})));
}
