/**
 * Tx gossip among three validators, per batch: gossipsub RPCs sent and CPU (all three hosts, one
 * process) for each batch a host publishes, with node/p2p/tx-gossip.ts's settings and with
 * gossipsub's default mesh (D 6: every message is forwarded to the third validator as well, and
 * above 512 bytes an IDONTWANT goes to it too). Batches of 1,500 bytes (about six consent txs: what
 * one gossip batch of 20 ms carries at ~900 tx/s over three validators), every host publishing in
 * turn, paced so nothing queues. Real libp2p over 127.0.0.1 (TCP + noise + yamux).
 * Run: node --import tsx test/perf/gossip.bench.ts (ROUNDS=n, BATCHES=n per host per round).
 * Prints figures; never fails.
 */
import '../../node/polyfill.js';
import { noise } from '@chainsafe/libp2p-noise';
import { type GossipSub, type GossipsubOpts, gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { Libp2p } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { noiseCrypto } from '../../node/p2p/noise-crypto.js';
import { gossipsubOptions } from '../../node/p2p/tx-gossip.js';

const rounds = Number(process.env.ROUNDS ?? 5);
const batches = Number(process.env.BATCHES ?? 300);
const SIZE = 1500;
const CHAIN = 'bench';
const topic = `/ehrchain/${CHAIN}/tx/1`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Host = Libp2p<{ pubsub: GossipSub; identify: unknown }>;

async function cluster(
  opts: Partial<GossipsubOpts>,
): Promise<{ hosts: Host[]; rpcs: () => number; got: () => number }> {
  let rpcs = 0;
  let got = 0;
  const hosts: Host[] = [];
  for (let i = 0; i < 3; i++) {
    const h = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise({ crypto: noiseCrypto().crypto })],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub(opts) },
    });
    // every RPC a host writes: one by one (forwards, control), or one encoding for several peers
    const ps = h.services.pubsub as GossipSub & {
      sendRpc(id: string, rpc: unknown): boolean;
      sendRpcInBatch(tosend: Set<string>, rpc: unknown): void;
    };
    const send = ps.sendRpc.bind(ps);
    ps.sendRpc = (id, rpc) => {
      rpcs++;
      return send(id, rpc);
    };
    const sendBatch = ps.sendRpcInBatch.bind(ps);
    ps.sendRpcInBatch = (tosend, rpc) => {
      rpcs += tosend.size;
      sendBatch(tosend, rpc);
    };
    ps.addEventListener('gossipsub:message', () => {
      got++;
    });
    ps.subscribe(topic);
    hosts.push(h);
  }
  for (let i = 0; i < 3; i++)
    for (let j = i + 1; j < 3; j++) await hosts[i]!.dial(hosts[j]!.getMultiaddrs()[0]!);
  // every host sees the other two on the topic, and the heartbeats have shaped the mesh
  while (hosts.some((h) => h.services.pubsub.getSubscribers(topic).length < 2)) await sleep(20);
  await sleep(2500);
  return { hosts, rpcs: () => rpcs, got: () => got };
}

async function measure(name: string, opts: Partial<GossipsubOpts>): Promise<void> {
  const c = await cluster(opts);
  const cpu: number[] = [];
  const perBatch: number[] = [];
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const rpcs0 = c.rpcs();
    const got0 = c.got();
    const t0 = process.cpuUsage();
    for (let b = 0; b < batches; b++) {
      for (const h of c.hosts) {
        const data = new Uint8Array(SIZE);
        new DataView(data.buffer).setUint32(0, n++);
        await h.services.pubsub.publish(topic, data);
      }
      await sleep(1);
    }
    const want = got0 + 2 * 3 * batches;
    while (c.got() < want) await sleep(5);
    await sleep(50);
    const used = process.cpuUsage(t0);
    cpu.push((used.user + used.system) / (3 * batches));
    perBatch.push((c.rpcs() - rpcs0) / (3 * batches));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(
    `${name.padEnd(44)} ${med(cpu).toFixed(1).padStart(6)} µs CPU per batch (3 hosts)  ${med(perBatch).toFixed(2)} RPCs per batch  (median of ${rounds}; CPU ${cpu.map((x) => x.toFixed(0)).join(' / ')})`,
  );
  await Promise.all(c.hosts.map((h) => h.stop()));
}

const ours = gossipsubOptions(CHAIN, 4 * 1024 * 1024);
const defaultMesh = { D: 6, Dlo: 4, Dhi: 12, Dscore: 4, Dout: 2, batchPublish: false };
// alternating, so neither always runs on a warmer or quieter machine
for (let i = 0; i < 2; i++) {
  await measure('tx-gossip settings', ours);
  await measure('tx-gossip settings, gossipsub default mesh', { ...ours, ...defaultMesh });
}
