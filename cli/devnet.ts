/**
 * `ehrchain devnet`: a local network of N validator processes, one data directory each. Creates the
 * network on first run (keys, genesis, configs) and resumes the same chain afterwards. Ctrl-C stops
 * every node cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromRoot } from '../node/root.js';
import { type InitOptions, initNetwork } from './init.js';

export interface DevnetOptions {
  readonly nodes: number;
  readonly dir: string;
  readonly httpPort: number;
  readonly p2pPort: number;
  readonly host: string;
  readonly logLevel: string;
  readonly blockIntervalMs?: number;
}

const BIN = fromRoot('bin', 'ehrchain.mjs');
const COLOURS = [36, 33, 35, 32, 34, 31, 96, 93, 95];

/** Starts (creating if needed) the devnet and resolves when every node has exited after a signal. */
export async function runDevnet(opts: DevnetOptions): Promise<void> {
  const homes = Array.from({ length: opts.nodes }, (_, i) => join(opts.dir, `node${i + 1}`));
  if (!existsSync(join(homes[0] ?? opts.dir, 'genesis.json'))) {
    const init: InitOptions = {
      nodes: opts.nodes,
      out: opts.dir,
      hosts: Array.from({ length: opts.nodes }, () => opts.host),
      httpPort: opts.httpPort,
      p2pPort: opts.p2pPort,
      chainId: 'ehrchain-devnet',
      portStep: 1,
      ...(opts.blockIntervalMs === undefined ? {} : { blockIntervalMs: opts.blockIntervalMs }),
    };
    await initNetwork(init);
    console.log(`created a ${opts.nodes}-validator devnet in ${opts.dir}`);
  } else {
    console.log(`resuming the devnet in ${opts.dir}`);
  }

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

  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the devnet...');
    for (const c of children) c.kill('SIGTERM');
    // A node that does not stop within 10 s is killed; its data survives (it is crash-safe).
    setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, 10_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await Promise.all(exited);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}
