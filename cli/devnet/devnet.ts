/**
 * `ehrchain devnet`: a local network of N validator processes, one data directory each. Creates the
 * network on first run (keys, genesis, configs) and resumes the same chain afterwards. Ctrl-C stops
 * every node cleanly. With `demo` (the default of `npm start`) a new devnet is a demo chain
 * (`ehrchain-demo`) and demo.ts seeds it with a synthetic consortium beside the running nodes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromRoot } from '../../node/root.js';
import { type InitOptions, initNetwork } from '../init.js';
import { DEMO_CHAIN_ID, isDemoChain } from './cast.js';
import { runDemo } from './demo.js';

export interface DevnetOptions {
  readonly nodes: number;
  readonly dir: string;
  readonly httpPort: number;
  readonly p2pPort: number;
  readonly host: string;
  readonly logLevel: string;
  readonly blockIntervalMs?: number;
  /** A new devnet is a demo chain, seeded with the synthetic consortium (needs 2 nodes or more). */
  readonly demo: boolean;
  /** Run the demo's synthetic activity. */
  readonly activity: boolean;
}

const BIN = fromRoot('bin', 'ehrchain.mjs');
const COLOURS = [36, 33, 35, 32, 34, 31, 96, 93, 95];

/** Starts (creating if needed) the devnet and resolves when every node has exited after a signal. */
export async function runDevnet(opts: DevnetOptions): Promise<void> {
  const homes = Array.from({ length: opts.nodes }, (_, i) => join(opts.dir, `node${i + 1}`));
  const genesisFile = join(homes[0] ?? opts.dir, 'genesis.json');
  if (!existsSync(genesisFile)) {
    const demo = opts.demo && opts.nodes >= 2;
    if (opts.demo && !demo) console.log('the demo consortium needs 2 validators or more: an empty devnet');
    const init: InitOptions = {
      nodes: opts.nodes,
      out: opts.dir,
      hosts: Array.from({ length: opts.nodes }, () => opts.host),
      httpPort: opts.httpPort,
      p2pPort: opts.p2pPort,
      chainId: demo ? DEMO_CHAIN_ID : 'ehrchain-devnet',
      portStep: 1,
      ...(opts.blockIntervalMs === undefined ? {} : { blockIntervalMs: opts.blockIntervalMs }),
    };
    await initNetwork(init);
    console.log(`created a ${opts.nodes}-validator ${demo ? 'demo ' : ''}devnet in ${opts.dir}`);
  } else {
    console.log(`resuming the devnet in ${opts.dir}`);
  }

  const { chainId } = JSON.parse(await readFile(genesisFile, 'utf8')) as { chainId: string };
  const demo = opts.demo && isDemoChain(chainId);
  if (opts.demo && !demo && opts.nodes >= 2)
    console.log(`chain ${chainId} is not a demo chain: delete ${opts.dir} for one with the demo consortium`);

  const children: ChildProcess[] = [];
  let stopping = false;
  const exited = homes.map(
    (home, i) =>
      new Promise<void>((resolve) => {
        const name = `node${i + 1}`;
        // EHRCHAIN_NODE_ARGS passes flags to each node's Node.js (e.g. --cpu-prof for profiling).
        const nodeArgs = (process.env.EHRCHAIN_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
        const child = spawn(
          process.execPath,
          [...nodeArgs, BIN, 'start', '--home', home, '--log-level', opts.logLevel],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, EHRCHAIN_LOG_PRETTY: '1' },
          },
        );
        children.push(child);
        const colour = COLOURS[i % COLOURS.length];
        const prefix = process.stdout.isTTY ? `\x1b[${colour}m${name.padEnd(6)}\x1b[0m` : name.padEnd(6);
        for (const stream of [child.stdout, child.stderr]) {
          if (stream === null) continue;
          createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${line}`));
        }
        child.on('exit', (code, signal) => {
          if (!stopping) console.error(`${name} exited (${signal ?? code}); the others keep running`);
          resolve();
        });
      }),
  );

  console.log('');
  for (let i = 0; i < opts.nodes; i++) {
    console.log(`  node${i + 1}  http://${opts.host}:${opts.httpPort + i}/  (explorer and API)`);
  }
  console.log('\nCtrl-C stops all nodes; running devnet again resumes the same chain.\n');

  const demoStop = new AbortController();
  const prefix = process.stdout.isTTY ? '\x1b[1mdemo\x1b[0m  ' : 'demo   ';
  const demoDone = demo
    ? runDemo({
        dir: opts.dir,
        urls: homes.map((_, i) => `http://${opts.host}:${opts.httpPort + i}`),
        activity: opts.activity,
        signal: demoStop.signal,
        log: (text) => {
          for (const line of text.split('\n')) console.log(`${prefix}${line}`);
        },
      })
    : Promise.resolve();

  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the devnet...');
    demoStop.abort();
    for (const c of children) c.kill('SIGTERM');
    // A node that does not stop within 10 s is killed; its data survives (it is crash-safe).
    setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(exited);
  demoStop.abort();
  await demoDone;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}
