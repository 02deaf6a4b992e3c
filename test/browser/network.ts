/**
 * A real validator network in this process for the browser tests: `initNetwork` into a temp dir,
 * ports chosen free by binding port 0, every node started with a silent logger. `contracts` starts
 * the chain with other genesis contracts (e.g. none): each node's store gets that genesis state
 * before the node starts (the genesis hash names validators and organisations, not contracts).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNetwork } from '../../cli/init.js';
import { readKeyFile } from '../../client/keyfile.js';
import { registerExplorer } from '../../explorer/serve.js';
import { loadHome } from '../../node/config/config.js';
import { type GenesisContracts, genesisHash, genesisWrites } from '../../node/contracts/genesis.js';
import { createChainNode } from '../../node/create.js';
import { silentLogger } from '../../node/log.js';
import type { ChainNode } from '../../node/node.js';
import { ChainStore } from '../../node/store/chain-store.js';
import { registerPortal } from '../../portal/serve.js';

export interface TestNetwork {
  readonly dir: string;
  readonly chainId: string;
  readonly nodes: ChainNode[];
  readonly urls: string[];
  stop(): Promise<void>;
}

/** `n` distinct ports that were free a moment ago (all held open together, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('no port');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

type Json = Record<string, unknown>;

/** Rewrites the ports initNetwork chose (consecutive) to free ones, in every config and genesis. */
async function usePorts(homes: readonly string[], http: number[], p2p: number[]): Promise<void> {
  for (const home of homes) {
    const gPath = join(home, 'genesis.json');
    const g = JSON.parse(await readFile(gPath, 'utf8')) as { validators: Json[] };
    g.validators.forEach((v, i) => {
      v.http = `http://127.0.0.1:${http[i]}`;
      v.p2p = [`/ip4/127.0.0.1/tcp/${p2p[i]}`];
    });
    await writeFile(gPath, JSON.stringify(g, null, 2));
  }
  for (const [i, home] of homes.entries()) {
    const cPath = join(home, 'config.json');
    const c = JSON.parse(await readFile(cPath, 'utf8')) as Json;
    c.http = { host: '127.0.0.1', port: http[i] };
    const addr = `/ip4/127.0.0.1/tcp/${p2p[i]}`;
    c.p2p = { listen: [addr], announce: [addr] };
    await writeFile(cPath, JSON.stringify(c, null, 2));
  }
}

export async function startNetwork(
  nodes = 3,
  opts: { chainId?: string; contracts?: GenesisContracts } = {},
): Promise<TestNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'ehrchain-explorer-'));
  const chainId = opts.chainId ?? 'explorer-test';
  const { homes } = await initNetwork({
    nodes,
    out: dir,
    hosts: Array.from({ length: nodes }, () => '127.0.0.1'),
    httpPort: 20000,
    p2pPort: 21000,
    chainId,
    portStep: 1,
    blockIntervalMs: 100,
  });
  const ports = await freePorts(2 * nodes);
  await usePorts(homes, ports.slice(0, nodes), ports.slice(nodes));
  const started: ChainNode[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const home of homes) {
      const { config, genesis } = await loadHome(home);
      if (opts.contracts !== undefined) {
        const store = await ChainStore.open(config.dataDir);
        await store.initGenesis(genesisHash(genesis), genesisWrites(genesis, opts.contracts));
        await store.close();
      }
      const key = await readKeyFile(config.keyFile);
      const node = await createChainNode({
        config,
        genesis,
        key,
        log: silentLogger(),
        httpPlugins: [registerExplorer, registerPortal],
      });
      started.push(node);
    }
    await Promise.all(started.map((n) => n.start()));
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, chainId, nodes: started, urls: started.map((n) => n.httpUrl()), stop };
}

/** Resolves once every node agrees on a leader (polls each node's status). */
export async function waitLeader(net: TestNetwork, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leaders = net.nodes.map((n) => n.leader);
    const first = leaders[0];
    if (first !== null && first !== undefined && leaders.every((l) => l === first)) return first;
    if (Date.now() > deadline)
      throw new Error(`no agreed leader after ${timeoutMs} ms: ${leaders.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
