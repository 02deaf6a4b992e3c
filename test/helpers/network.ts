/**
 * Multi-node test networks with real parts: `initNetwork` in a temp dir, free ports on 127.0.0.1,
 * nodes in-process (`ChainNode`) or as child processes (`bin/ehrchain.mjs start`), real libp2p,
 * LevelDB and HTTP. Wait helpers, a `sameChain` check over the HTTP API, and cleanup that kills
 * every child and removes the temp dir (set EHRCHAIN_KEEP_TEST_DIRS=1 to keep it for a post-mortem).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { initNetwork } from '../../cli/init.js';
import { EhrClient } from '../../client/client.js';
import { type KeyPair, readKeyFile } from '../../client/keyfile.js';
import { type Genesis, loadHome } from '../../node/config/config.js';
import { createChainNode } from '../../node/create.js';
import { silentLogger } from '../../node/log.js';
import type { ChainNode } from '../../node/node.js';
import type { StatusView } from '../../protocol/api.js';
import { freePorts, waitFor } from './wait.js';

export { freePorts, sleep, waitFor } from './wait.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'ehrchain.mjs');

/** Children still alive, killed when the test process exits whatever happened. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of liveChildren) c.kill('SIGKILL');
});

export type NodeMode = 'inproc' | 'child';
type Json = Record<string, unknown>;

export interface NetworkOptions {
  readonly nodes: number;
  readonly mode: NodeMode;
  readonly chainId?: string;
  /** Merged into every node's config.json, section by section (`{ raft: { snapshotEvery: 50 } }`). */
  readonly config?: Json;
  /** Start every node at once (default true). */
  readonly start?: boolean;
  /** In-process nodes log to `<home>/node.log` at this level instead of staying silent. */
  readonly logLevel?: string;
}

/** One validator of a test network, running or not. */
export class TestNode {
  readonly client: EhrClient;
  /** In-process nodes: the wall clock block times come from (default Date.now); set before start. */
  clock: (() => number) | undefined = undefined;
  /** Child nodes: more flags for `start` at the next start (e.g. `--recover-from-peers`). */
  args: string[] = [];
  /** Child nodes: the checkout whose `bin/ehrchain.mjs` runs at the next start (another release's). */
  root: string = ROOT;
  /** Child nodes: how long a start may take to answer HTTP (a busy machine starting several). */
  startTimeoutMs = 30_000;
  /** The in-process node while it runs. */
  node: ChainNode | null = null;
  proc: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #logFd: number | null = null;

  constructor(
    readonly index: number,
    readonly name: string,
    readonly home: string,
    readonly url: string,
    readonly mode: NodeMode,
    private readonly logLevel: string | undefined,
  ) {
    this.client = new EhrClient(url);
  }

  get logFile(): string {
    return join(this.home, 'node.log');
  }

  get running(): boolean {
    return this.node !== null || (this.proc !== null && this.proc.exitCode === null);
  }

  async key(): Promise<KeyPair> {
    return readKeyFile(join(this.home, 'keys', 'validator.json'));
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} already running`);
    if (this.mode === 'inproc') await this.#startInProcess();
    else await this.#startChild();
    await waitFor(
      async () => (await this.client.status()).name === this.name,
      `${this.name} HTTP`,
      this.startTimeoutMs,
    );
  }

  async #startInProcess(): Promise<void> {
    const { config, genesis } = await loadHome(this.home);
    const key = await readKeyFile(config.keyFile);
    const log =
      this.logLevel === undefined
        ? silentLogger()
        : pino({ level: this.logLevel }, pino.destination({ dest: this.logFile, append: true, sync: true }));
    const node = await createChainNode({
      config,
      genesis,
      key,
      log,
      ...(this.clock === undefined ? {} : { clock: this.clock }),
    });
    try {
      await node.start();
    } catch (err) {
      await node.stop().catch(() => undefined);
      throw err;
    }
    this.node = node;
  }

  async #startChild(): Promise<void> {
    const fd = openSync(this.logFile, 'a');
    this.#logFd = fd;
    const bin = this.root === ROOT ? BIN : join(this.root, 'bin', 'ehrchain.mjs');
    const p = spawn(process.execPath, [bin, 'start', '--home', this.home, ...this.args], {
      cwd: this.root,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, EHRCHAIN_LOG_PRETTY: '0' },
    });
    liveChildren.add(p);
    this.proc = p;
    this.#exited = new Promise<void>((resolve) => {
      p.once('exit', () => {
        liveChildren.delete(p);
        if (this.#logFd !== null) closeSync(this.#logFd);
        this.#logFd = null;
        resolve();
      });
    });
    const early = this.#exited.then(async () => {
      throw new Error(`${this.name} exited early:\n${(await this.log()).slice(-2000)}`);
    });
    const up = waitFor(
      async () => (await this.client.status()).name === this.name,
      'HTTP',
      this.startTimeoutMs,
    );
    await Promise.race([up, early]);
    early.catch(() => undefined);
  }

  /** Graceful stop (SIGTERM for a child, SIGKILL after 10 s). */
  async stop(): Promise<void> {
    if (this.node !== null) {
      const n = this.node;
      this.node = null;
      await n.stop();
      return;
    }
    const p = this.proc;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(t);
    this.proc = null;
  }

  /** SIGKILL a child (no shutdown at all); an in-process node can only be stopped. */
  async kill(): Promise<void> {
    if (this.mode === 'inproc') return this.stop();
    const p = this.proc;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGKILL');
    await this.#exited;
    this.proc = null;
  }

  status(): Promise<StatusView> {
    return this.client.status();
  }

  async log(): Promise<string> {
    return readFile(this.logFile, 'utf8').catch(() => '');
  }
}

function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const b = out[k];
    out[k] =
      typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null
        ? merge(b as Json, v as Json)
        : v;
  }
  return out;
}

export class Network {
  constructor(
    readonly dir: string,
    readonly chainId: string,
    readonly genesis: Genesis,
    readonly nodes: readonly TestNode[],
  ) {}

  node(i: number): TestNode {
    const n = this.nodes[i];
    if (n === undefined) throw new Error(`no node ${i}`);
    return n;
  }

  running(): TestNode[] {
    return this.nodes.filter((n) => n.running);
  }

  urls(): string[] {
    return this.running().map((n) => n.url);
  }

  async startAll(): Promise<void> {
    await Promise.all(this.nodes.filter((n) => !n.running).map((n) => n.start()));
  }

  /** Waits until every node in `among` names the same leader in the same term, and returns it. */
  async waitLeader(among: readonly TestNode[] = this.running(), timeoutMs = 30_000): Promise<TestNode> {
    let leader: TestNode | undefined;
    await waitFor(
      async () => {
        const st = await Promise.all(among.map((n) => n.status()));
        const l = st[0]?.leader ?? null;
        if (l === null || !st.every((s) => s.leader === l && s.term === st[0]?.term)) return false;
        const i = st.findIndex((s) => s.nodeId === l && s.role === 'leader');
        leader = among[i];
        return leader !== undefined;
      },
      'an agreed leader',
      timeoutMs,
    );
    if (leader === undefined) throw new Error('no leader');
    return leader;
  }

  /** Waits until every node in `among` has applied height `h`. */
  async waitHeight(
    h: number,
    among: readonly TestNode[] = this.running(),
    timeoutMs = 30_000,
  ): Promise<void> {
    await waitFor(
      async () => (await Promise.all(among.map((n) => n.status()))).every((s) => s.height >= h),
      `height ${h}`,
      timeoutMs,
    );
  }

  /** Waits until every node holds every hash in a committed block (scans blocks incrementally). */
  async waitCommitted(
    hashes: Iterable<string>,
    among: readonly TestNode[] = this.running(),
    timeoutMs = 60_000,
  ): Promise<void> {
    const want = new Set(hashes);
    await Promise.all(
      among.map(async (n) => {
        const seen = new Set<string>();
        let next = 1;
        await waitFor(
          async () => {
            for (;;) {
              const page = await n.client.getBlocks(next, 100);
              for (const b of page.blocks) for (const h of b.txs) seen.add(h);
              const last = page.blocks[page.blocks.length - 1];
              if (last !== undefined) next = last.height + 1;
              if (page.blocks.length < 100) break;
            }
            for (const h of want) if (!seen.has(h)) return false;
            return true;
          },
          `${want.size} txs committed on ${n.name}`,
          timeoutMs,
          100,
        );
      }),
    );
  }

  /** For a failed test: each node's status (or why it has none) and the tail of its log. */
  async diagnose(lines = 15): Promise<string> {
    const parts = await Promise.all(
      this.nodes.map(async (n) => {
        const st = await n.status().then(
          (s) =>
            `height ${s.height} applied ${s.appliedIndex} term ${s.term} role ${s.role} div ${s.divergence}`,
          (err: unknown) => `no status (${String(err)})`,
        );
        const tail = (await n.log()).trimEnd().split('\n').slice(-lines).join('\n');
        return `--- ${n.name} (${n.running ? 'running' : 'down'}): ${st}\n${tail}`;
      }),
    );
    return parts.join('\n');
  }

  /** Stops every node (children killed if they do not stop) and removes the temp dir. Never throws. */
  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop().catch(() => n.kill().catch(() => undefined))));
    if (process.env.EHRCHAIN_KEEP_TEST_DIRS !== '1') {
      await rm(this.dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    }
  }
}

/** Creates (and by default starts) a network of `nodes` validators in a fresh temp dir. */
export async function createNetwork(opts: NetworkOptions): Promise<Network> {
  const dir = await mkdtemp(join(tmpdir(), 'ehrchain-net-'));
  const chainId = opts.chainId ?? 'ehrchain-test';
  const ports = await freePorts(opts.nodes * 2);
  const httpPorts = ports.slice(0, opts.nodes);
  const p2pPorts = ports.slice(opts.nodes);
  const { genesis: g0, homes } = await initNetwork({
    nodes: opts.nodes,
    out: dir,
    hosts: Array.from({ length: opts.nodes }, () => '127.0.0.1'),
    httpPort: 1,
    p2pPort: 1,
    chainId,
    portStep: 1,
  });
  const genesis: Genesis = {
    ...g0,
    validators: g0.validators.map((v, i) => ({
      ...v,
      p2p: [`/ip4/127.0.0.1/tcp/${p2pPorts[i]}`],
      http: `http://127.0.0.1:${httpPorts[i]}`,
    })),
  };
  const nodes: TestNode[] = [];
  for (const [i, home] of homes.entries()) {
    const raw = JSON.parse(await readFile(join(home, 'config.json'), 'utf8')) as Json;
    const p2p = `/ip4/127.0.0.1/tcp/${p2pPorts[i]}`;
    const config = merge(
      merge(raw, {
        http: { host: '127.0.0.1', port: httpPorts[i] },
        p2p: { listen: [p2p], announce: [p2p] },
      }),
      opts.config ?? {},
    );
    await writeFile(join(home, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    await writeFile(join(home, 'genesis.json'), `${JSON.stringify(genesis, null, 2)}\n`);
    nodes.push(
      new TestNode(i, `node${i + 1}`, home, `http://127.0.0.1:${httpPorts[i]}`, opts.mode, opts.logLevel),
    );
  }
  const net = new Network(dir, chainId, genesis, nodes);
  if (opts.start !== false) {
    try {
      await net.startAll();
    } catch (err) {
      await net.cleanup();
      throw err;
    }
  }
  return net;
}
