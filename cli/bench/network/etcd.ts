/**
 * `--baseline etcd`: a local 3-member etcd cluster on 127.0.0.1 driven by the same workers through
 * etcd's HTTP/JSON gateway (`POST /v3/kv/put`, base64 key and value). A put is answered after it
 * is committed and applied, so its commit latency is the request's round-trip. Needs the `etcd`
 * binary (Debian: `apt-get install etcd-server etcd-client`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortBlock } from './network.js';
import type { SampledNode } from './sampler.js';

/** The etcd binary's path and version, or null when it is not installed. */
export function findEtcd(): { bin: string; version: string } | null {
  for (const bin of ['etcd', '/usr/bin/etcd', '/usr/local/bin/etcd']) {
    try {
      const out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 5000 });
      const v = /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
      return { bin, version: v };
    } catch {
      // not there: try the next path
    }
  }
  return null;
}

/** A running local etcd cluster. */
export class EtcdCluster {
  readonly #children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly urls: readonly string[],
    readonly version: string,
  ) {}

  /** Starts `members` etcd members and waits until the cluster answers a put. */
  static async start(members = 3, timeoutMs = 30_000): Promise<EtcdCluster> {
    const etcd = findEtcd();
    if (etcd === null) throw new Error('etcd is not installed (apt-get install etcd-server etcd-client)');
    const dir = await mkdtemp(join(tmpdir(), 'ehrchain-bench-etcd-'));
    const base = await freePortBlock(2 * members);
    const client = (i: number) => `http://127.0.0.1:${base + i}`;
    const peer = (i: number) => `http://127.0.0.1:${base + members + i}`;
    const initial = Array.from({ length: members }, (_, i) => `e${i + 1}=${peer(i)}`).join(',');
    const c = new EtcdCluster(
      dir,
      Array.from({ length: members }, (_, i) => client(i)),
      etcd.version,
    );
    for (let i = 0; i < members; i++) {
      const log = openSync(join(dir, `e${i + 1}.log`), 'a');
      const child = spawn(
        etcd.bin,
        [
          '--name',
          `e${i + 1}`,
          '--data-dir',
          join(dir, `e${i + 1}`),
          '--listen-client-urls',
          client(i),
          '--advertise-client-urls',
          client(i),
          '--listen-peer-urls',
          peer(i),
          '--initial-advertise-peer-urls',
          peer(i),
          '--initial-cluster',
          initial,
          '--initial-cluster-state',
          'new',
          '--initial-cluster-token',
          `bench-${base}`,
          '--log-level',
          'warn',
        ],
        { stdio: ['ignore', log, log] },
      );
      c.#children.push(child);
    }
    const deadline = Date.now() + timeoutMs;
    // Bounded by the deadline.
    for (;;) {
      try {
        const r = await fetch(`${client(0)}/v3/kv/put`, {
          method: 'POST',
          body: JSON.stringify({ key: 'cmVhZHk=', value: 'eQ==' }),
          signal: AbortSignal.timeout(1000),
        });
        if (r.ok) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await c.stop(true);
        throw new Error(`etcd did not come up within ${timeoutMs} ms (logs in ${dir})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return c;
  }

  /** What the sampler watches: each member's process and data dir. */
  sampled(): SampledNode[] {
    return this.#children.map((ch, i) => ({
      name: `etcd${i + 1}`,
      url: this.urls[i] ?? '',
      pid: () => ch.pid ?? 0,
      dataDir: join(this.dir, `e${i + 1}`),
    }));
  }

  async stop(keep = false): Promise<void> {
    await Promise.all(
      this.#children.map(async (ch) => {
        if (ch.exitCode !== null || ch.signalCode !== null) return;
        const exited = new Promise((r) => ch.once('exit', r));
        ch.kill('SIGTERM');
        const t = setTimeout(() => ch.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }),
    );
    if (!keep) await rm(this.dir, { recursive: true, force: true });
  }
}
