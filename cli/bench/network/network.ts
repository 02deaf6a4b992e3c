/**
 * A fresh local network for one bench run: keys and genesis in a temp dir (via `initNetwork`), free
 * ports on 127.0.0.1, one `ehrchain start` child process per validator (logs in `<home>/node.log`),
 * and optionally the fault proxy between validators. Knows how to find the leader, kill, restart
 * and stop nodes.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../../../node/root.js';
import { type InitOptions, type InitResult, initNetwork } from '../../init.js';
import { FaultProxy } from './proxy.js';

/** This checkout's node binary: the default of `--node-bin`. */
export const DEFAULT_NODE_BIN = fromRoot('bin', 'ehrchain.mjs');

/** One validator process. */
export interface LocalNode {
  readonly name: string;
  readonly home: string;
  readonly url: string;
  child: ChildProcess | null;
  /** Process id of the current (or last) process. */
  pid: number;
}

/** Options of `LocalNetwork.create`. */
export interface LocalNetworkOptions {
  readonly nodes: number;
  readonly dir: string | null;
  readonly proxy: boolean;
  readonly nodeArgs: string | null;
  readonly blockIntervalMs: number | null;
  /** The `ehrchain` binary that runs `init` and the validators (default: this checkout's). */
  readonly nodeBin?: string;
}

interface StatusLite {
  readonly name: string;
  readonly role: string;
  readonly leader: string | null;
  /** Epoch ms at which the node learned `leader` (absent on builds before the field). */
  readonly leaderSince?: number | null;
  readonly term: number;
  readonly height: number;
  readonly chainId: string;
  readonly validators: readonly { readonly name: string; readonly peerId: string }[];
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * The lowest port the OS hands out for outgoing connections and port-0 listeners (Linux:
 * /proc/sys/net/ipv4/ip_local_port_range, 32768 by default). Ports chosen below it cannot be taken
 * by some other process's connection between our check and the validator's bind.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 21_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** A base port such that [base, base + count) are all free on 127.0.0.1, below the ephemeral range. */
export async function freePortBlock(count: number): Promise<number> {
  const span = Math.max(1, ephemeralLow() - 20_000 - count);
  // Bounded: 100 random tries.
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * span);
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free ports found on 127.0.0.1`);
}

/** Fetches a node's status, or null if it does not answer within 2 s. */
export async function nodeStatus(url: string): Promise<StatusLite | null> {
  try {
    const r = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(2000) });
    return r.ok ? ((await r.json()) as StatusLite) : null;
  } catch {
    return null;
  }
}

/** The validator name the majority of `statuses` call leader, or null. */
export function leaderName(statuses: readonly (StatusLite | null)[]): string | null {
  const votes = new Map<string, number>();
  for (const s of statuses) {
    if (s === null || s.leader === null) continue;
    const name = s.validators.find((v) => v.peerId === s.leader)?.name;
    if (name !== undefined) votes.set(name, (votes.get(name) ?? 0) + 1);
  }
  let best: string | null = null;
  let n = 0;
  for (const [k, v] of votes) if (v > n) [best, n] = [k, v];
  return best;
}

/**
 * `initNetwork` run by another build's binary (`FILE init`), so that its keys, genesis and configs
 * are in that build's format. Block interval: written into each config afterwards (init has no flag).
 */
async function initWithBin(bin: string, o: InitOptions): Promise<InitResult> {
  const args = ['init', '--nodes', String(o.nodes), '--out', o.out, '--chain-id', o.chainId];
  args.push('--http-port', String(o.httpPort), '--p2p-port', String(o.p2pPort));
  await promisify(execFile)(process.execPath, [bin, ...args], { timeout: 120_000 });
  const homes = Array.from({ length: o.nodes }, (_, i) => join(o.out, `node${i + 1}`));
  if (o.blockIntervalMs !== undefined) {
    for (const home of homes) {
      const cfgPath = join(home, 'config.json');
      const cfg = JSON.parse(await readFile(cfgPath, 'utf8')) as Record<string, unknown>;
      cfg.block = { intervalMs: o.blockIntervalMs };
      await writeFile(cfgPath, `${JSON.stringify(cfg, null, 2)}\n`);
    }
  }
  const genesis = JSON.parse(await readFile(join(homes[0] ?? o.out, 'genesis.json'), 'utf8'));
  return { genesis: genesis as InitResult['genesis'], homes };
}

/** A local network of validator processes. */
export class LocalNetwork {
  readonly nodes: LocalNode[];
  chainId = '';
  #proxy: FaultProxy | null = null;

  private constructor(
    readonly dir: string,
    readonly temp: boolean,
    nodes: LocalNode[],
    private readonly nodeArgs: string | null,
    private readonly nodeBin: string,
  ) {
    this.nodes = nodes;
  }

  get proxy(): FaultProxy | null {
    return this.#proxy;
  }

  /** Creates keys, genesis and configs; does not start anything. */
  static async create(o: LocalNetworkOptions): Promise<LocalNetwork> {
    const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'ehrchain-bench-')));
    const n = o.nodes;
    const base = await freePortBlock(3 * n);
    const nodeBin = resolve(o.nodeBin ?? DEFAULT_NODE_BIN);
    const init = nodeBin === DEFAULT_NODE_BIN ? initNetwork : (x: InitOptions) => initWithBin(nodeBin, x);
    const r = await init({
      nodes: n,
      out: dir,
      hosts: Array.from({ length: n }, () => '127.0.0.1'),
      httpPort: base,
      p2pPort: base + n,
      chainId: 'ehrchain-bench',
      portStep: 1,
      ...(o.blockIntervalMs === null ? {} : { blockIntervalMs: o.blockIntervalMs }),
    });
    const net = new LocalNetwork(
      dir,
      o.dir === null,
      r.homes.map((home, i) => ({
        name: `node${i + 1}`,
        home,
        url: `http://127.0.0.1:${base + i}`,
        child: null,
        pid: 0,
      })),
      o.nodeArgs,
      nodeBin,
    );
    net.chainId = r.genesis.chainId;
    if (o.proxy) {
      // Every validator is dialled at its proxy port: rewrite genesis (identical on all) and announce.
      const proxyAddr = (i: number) => `/ip4/127.0.0.1/tcp/${base + 2 * n + i}`;
      const genesis = {
        ...r.genesis,
        validators: r.genesis.validators.map((v, i) => ({ ...v, p2p: [proxyAddr(i)] })),
      };
      for (const [i, home] of r.homes.entries()) {
        await writeFile(join(home, 'genesis.json'), `${JSON.stringify(genesis, null, 2)}\n`);
        const cfgPath = join(home, 'config.json');
        const cfg = JSON.parse(await readFile(cfgPath, 'utf8')) as { p2p: { announce: string[] } };
        cfg.p2p.announce = [proxyAddr(i)];
        await writeFile(cfgPath, `${JSON.stringify(cfg, null, 2)}\n`);
      }
      net.#proxy = new FaultProxy(
        Array.from({ length: n }, (_, i) => ({ listen: base + 2 * n + i, target: base + n + i })),
        () => net.nodes.map((x) => x.pid),
      );
    }
    return net;
  }

  node(name: string): LocalNode {
    const x = this.nodes.find((v) => v.name === name);
    if (x === undefined) throw new Error(`no validator ${name}`);
    return x;
  }

  /** Starts the proxy (if any) and every validator, and waits until they agree on a leader. */
  async start(timeoutMs = 120_000): Promise<void> {
    await this.#proxy?.start();
    for (const x of this.nodes) this.startNode(x.name);
    await this.waitForLeader(timeoutMs);
  }

  /** Spawns one validator process. */
  startNode(name: string): void {
    const x = this.node(name);
    if (x.child !== null && x.child.exitCode === null && x.child.signalCode === null) return;
    const log = openSync(join(x.home, 'node.log'), 'a');
    // Flags such as --cpu-prof are refused in NODE_OPTIONS: they go on the command line.
    const flags = this.nodeArgs === null ? [] : this.nodeArgs.split(/\s+/).filter((a) => a !== '');
    const child = spawn(
      process.execPath,
      [
        ...flags,
        this.nodeBin,
        'start',
        '--home',
        x.home,
        '--log-level',
        process.env.EHRCHAIN_BENCH_LOG_LEVEL ?? 'warn',
      ],
      {
        stdio: ['ignore', log, log],
      },
    );
    x.child = child;
    x.pid = child.pid ?? 0;
  }

  /** True while the validator's process runs. */
  running(name: string): boolean {
    const c = this.node(name).child;
    return c !== null && c.exitCode === null && c.signalCode === null;
  }

  /** Kills a validator (SIGKILL: a crash) and waits for its exit. */
  async kill(name: string): Promise<void> {
    const c = this.node(name).child;
    if (c === null || !this.running(name)) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  /** Statuses of the running validators (null for a node that does not answer). */
  async statuses(): Promise<(StatusLite | null)[]> {
    return Promise.all(this.nodes.map((x) => (this.running(x.name) ? nodeStatus(x.url) : null)));
  }

  /** The current leader's name by majority of the running nodes' views. */
  async leader(): Promise<string | null> {
    return leaderName(await this.statuses());
  }

  /** Waits until every running node names the same leader (other than `not`). */
  async waitForLeader(timeoutMs: number, not: string | null = null): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    // Bounded by the deadline.
    while (Date.now() < deadline) {
      const dead = this.nodes.filter((x) => x.child !== null && !this.running(x.name));
      if (not === null && dead.length > 0) break;
      const st = await this.statuses();
      const l = leaderName(st);
      const agreed = st.every((s, i) => {
        if (!this.running(this.nodes[i]?.name ?? '')) return true;
        return s !== null && s.leader !== null && s.validators.find((v) => v.peerId === s.leader)?.name === l;
      });
      if (l !== null && l !== not && agreed) return l;
      await new Promise((r) => setTimeout(r, 50));
    }
    const st = await this.statuses();
    const state = this.nodes.map((x, i) => {
      const c = x.child;
      if (!this.running(x.name)) return `${x.name} exited (${c?.signalCode ?? c?.exitCode})`;
      const s = st[i];
      return s === null || s === undefined ? `${x.name} not answering` : `${x.name} ${s.role} term ${s.term}`;
    });
    throw new Error(
      `no leader agreed within ${timeoutMs} ms: ${state.join(', ')} (logs: ${this.dir}/node*/node.log)`,
    );
  }

  /** Stops every validator (SIGTERM, SIGKILL after 10 s) and the proxy; removes a temp dir unless kept. */
  async stop(keep: boolean): Promise<void> {
    await Promise.all(
      this.nodes.map(async (x) => {
        const c = x.child;
        if (c === null || !this.running(x.name)) return;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }),
    );
    await this.#proxy?.stop();
    if (this.temp && !keep) await rm(this.dir, { recursive: true, force: true });
  }
}
