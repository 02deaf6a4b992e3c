/**
 * The node's admin endpoint: HTTP on a Unix socket, `<dataDir>/admin.sock`, mode 0600, so only the
 * node's own OS user (and root) can reach it; nothing listens on the network. One route:
 * `GET /backup` streams a consistent backup of the chain store (backup.ts) while the node runs;
 * `ehrchain backup` is its client. A socket path longer than the OS allows (~107 bytes) disables it
 * with a warning (back up offline then).
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Logger } from '../log.js';
import type { ChainStore } from './chain-store.js';

/** The admin socket's file name in the data directory. */
export const ADMIN_SOCKET = 'admin.sock';
const MAX_SOCKET_PATH = 107;

export class AdminSocket {
  #server: Server | null = null;

  constructor(
    private readonly opts: { readonly path: string },
    private readonly deps: { readonly store: Pick<ChainStore, 'backup'>; readonly log: Logger },
  ) {}

  async start(): Promise<void> {
    const { path } = this.opts;
    const { log } = this.deps;
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      log.warn({ path }, 'admin socket path too long for a Unix socket: online backup disabled');
      return;
    }
    // A socket file left by a killed node would make listen fail; this node holds the store's lock.
    await rm(path, { force: true });
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/backup') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not_found', message: 'GET /backup only' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      this.deps.store.backup(res).then(
        (summary) => {
          log.info(summary, 'backup served');
          res.end();
        },
        (err: unknown) => {
          // The client sees a cut stream, which fails its checksum: never a backup that looks whole.
          log.error({ err }, 'backup failed');
          res.destroy();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    await chmod(path, 0o600);
    this.#server = server;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (s === null) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    await rm(this.opts.path, { force: true });
  }
}
