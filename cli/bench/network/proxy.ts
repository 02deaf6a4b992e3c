/**
 * A fault-injecting TCP proxy on 127.0.0.1, placed between validators: validator j's genesis
 * address is proxy port j, which forwards to j's real libp2p port. To know which validator opened
 * a connection (every source is 127.0.0.1), the proxy looks the client socket up in /proc/net/tcp
 * and finds the validator process holding it (Linux only). A partition blackholes every link of a
 * node: data is dropped in both directions and new connections are accepted but go nowhere; when
 * it heals, the blackholed connections are reset so libp2p dials afresh.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import * as net from 'node:net';

interface Link {
  from: number;
  readonly to: number;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  blackholed: boolean;
}

/** Identifies the process (among `pids`) owning the 127.0.0.1:`port` end of a connection. */
async function socketOwner(port: number, peerPort: number, pids: readonly number[]): Promise<number> {
  const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  let inode = '';
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex(port)}`) && f[2]?.endsWith(`:${hex(peerPort)}`)) inode = f[9] ?? '';
    }
    if (inode !== '') break;
  }
  if (inode === '') return -1;
  const want = `socket:[${inode}]`;
  for (const [i, pid] of pids.entries()) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === want) return i;
    }
  }
  return -1;
}

/** The proxy for a whole network: one listening port per validator. */
export class FaultProxy {
  readonly #servers: net.Server[] = [];
  readonly #links = new Set<Link>();
  readonly #isolated = new Set<number>();
  /** Connections whose source validator could not be identified. */
  unidentified = 0;

  /**
   * @param routes proxy port -> real port, index = validator index
   * @param pids the validators' current process ids (a function: restarts change them)
   */
  constructor(
    private readonly routes: readonly { readonly listen: number; readonly target: number }[],
    private readonly pids: () => readonly number[],
  ) {}

  async start(): Promise<void> {
    for (const [to, r] of this.routes.entries()) {
      const server = net.createServer((client) => this.#accept(client, to, r.target, r.listen));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(r.listen, '127.0.0.1', () => resolve());
      });
      this.#servers.push(server);
    }
  }

  #accept(client: net.Socket, to: number, target: number, listen: number): void {
    const upstream = net.connect(target, '127.0.0.1');
    const link: Link = { from: -1, to, client, upstream, blackholed: false };
    this.#links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const close = () => {
      this.#links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (d: Buffer) => {
      if (!link.blackholed && !upstream.write(d)) client.pause();
    });
    upstream.on('data', (d: Buffer) => {
      if (!link.blackholed && !client.write(d)) upstream.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    if (this.#isolated.has(to)) this.#blackhole(link);
    const remotePort = client.remotePort ?? 0;
    void socketOwner(remotePort, listen, this.pids()).then((from) => {
      link.from = from;
      if (from < 0) this.unidentified++;
      if (this.#isolated.has(from)) this.#blackhole(link);
    });
  }

  #blackhole(link: Link): void {
    link.blackholed = true;
    // Keep reading so the sender's writes do not stall on back-pressure; drop what arrives.
    link.client.resume();
    link.upstream.resume();
  }

  /** Cuts every link of validator `node` (index) until `heal`. */
  partition(node: number): void {
    this.#isolated.add(node);
    for (const l of this.#links) if (l.from === node || l.to === node) this.#blackhole(l);
  }

  /** Ends a partition: resets the blackholed links so the nodes reconnect. */
  heal(node: number): void {
    this.#isolated.delete(node);
    for (const l of [...this.#links]) {
      if (l.blackholed && !this.#isolated.has(l.from) && !this.#isolated.has(l.to)) {
        l.client.destroy();
        l.upstream.destroy();
        this.#links.delete(l);
      }
    }
  }

  async stop(): Promise<void> {
    for (const l of this.#links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    this.#links.clear();
    await Promise.all(this.#servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
