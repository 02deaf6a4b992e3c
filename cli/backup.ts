/**
 * `ehrchain backup` and `ehrchain restore` (docs/operations.md). A backup of a running node is taken
 * through its admin socket (`<dataDir>/admin.sock`: the node streams one consistent LevelDB
 * iterator); of a stopped node, by opening its LevelDB directly. Either way the file is written
 * beside its target as `.partial`, verified whole (framing and sha256), then renamed.
 */
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Level } from 'level';
import { loadHome } from '../node/config/config.js';
import { ADMIN_SOCKET } from '../node/store/admin-socket.js';
import { type BackupSummary, readBackup, restoreBackup, writeBackup } from '../node/store/backup.js';
import { ChainStore } from '../node/store/chain-store.js';
import { isLevelDbFile, markRecovering, setAsideStore } from '../node/store/recover.js';

export interface BackupOptions {
  readonly home: string;
  /** A file, or an existing directory to put a named file in. */
  readonly out: string;
}

async function target(out: string, name: string): Promise<string> {
  const isDir = await stat(out).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) return out;
  const time = new Date().toISOString().replace(/[:.]/g, '-');
  return join(out, `ehrchain-${name}-${time}.backup`);
}

/** Streams GET /backup from a running node's admin socket into `file`; false if no node listens. */
async function fromSocket(socketPath: string, file: string): Promise<boolean> {
  const res = await new Promise<import('node:http').IncomingMessage | null>((resolve, reject) => {
    const req = request({ socketPath, path: '/backup', method: 'GET' }, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') resolve(null);
      else reject(err);
    });
    req.end();
  });
  if (res === null) return false;
  if (res.statusCode !== 200) throw new Error(`the node answered ${res.statusCode} to GET /backup`);
  await pipeline(res, createWriteStream(file, { mode: 0o600 }));
  return true;
}

/** Opens a stopped node's LevelDB (its open recovers the log; no entry changes) and backs it up. */
async function fromStore(dataDir: string, file: string): Promise<void> {
  const level = new Level<Uint8Array, Uint8Array>(dataDir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    createIfMissing: false,
  });
  try {
    await level.open();
  } catch (err) {
    throw new Error(
      `cannot open ${dataDir} (${String((err as { cause?: unknown }).cause ?? err)}); ` +
        `if the node is running, its admin socket ${join(dataDir, ADMIN_SOCKET)} is missing`,
    );
  }
  try {
    const out = createWriteStream(file, { mode: 0o600 });
    await writeBackup(level, out);
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  } finally {
    await level.close();
  }
}

/** Takes a backup; returns where it was written and what it holds. */
export async function runBackup(
  o: BackupOptions,
): Promise<{ file: string; online: boolean } & BackupSummary> {
  const { config } = await loadHome(o.home);
  const file = await target(o.out, config.name);
  const partial = `${file}.partial`;
  try {
    const online = await fromSocket(join(config.dataDir, ADMIN_SOCKET), partial);
    if (!online) await fromStore(config.dataDir, partial);
    const summary = await readBackup(partial);
    await rename(partial, file);
    return { file, online, ...summary };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

export interface RestoreOptions {
  readonly from: string;
  readonly home: string;
  /** Set an existing chain store aside (into <dataDir>/damaged-*) instead of refusing. */
  readonly force?: boolean;
}

/**
 * Restores a backup into a stopped node's data directory, checks the result as a start would
 * (every entry read, state root recomputed), and marks the node as recovering: at its next start
 * it stays out of elections until it has caught up (node/raft/recovery-gate.ts).
 */
export async function runRestore(
  o: RestoreOptions,
): Promise<{ dataDir: string; setAside: string | null } & BackupSummary> {
  const { config } = await loadHome(o.home);
  const dataDir = config.dataDir;
  const existing = (await readdir(dataDir).catch(() => [] as string[])).filter(isLevelDbFile);
  if (existing.length > 0 && o.force !== true) {
    throw new Error(`${dataDir} holds a chain store: stop the node, and pass --force to set it aside`);
  }
  const setAside = existing.length > 0 ? await setAsideStore(dataDir) : null;
  const summary = await restoreBackup(o.from, dataDir);
  const store = await ChainStore.open(dataDir, { scanOnOpen: true, verifyStateOnOpen: true });
  await store.close();
  await markRecovering(dataDir);
  return { dataDir, setAside, ...summary };
}
