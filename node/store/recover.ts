/**
 * Recovery from peers, on disk: setting a damaged chain LevelDB aside (never deleting it: an
 * operator may want it for a post-mortem) and the RECOVERING marker that keeps a node out of
 * elections until it has caught up (node/raft/recovery-gate.ts). The marker is written by
 * `ehrchain start --recover-from-peers` and by `ehrchain restore`, and removed once caught up, so a
 * restart during the catch-up stays careful.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The marker file's name in the data directory. */
export const RECOVERING_MARKER = 'RECOVERING';

/** Whether `name` is one of LevelDB's own files (the chain's LevelDB sits at the data dir's top). */
export function isLevelDbFile(name: string): boolean {
  return /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d{6}\.(ldb|sst|log))$/.test(name);
}

/**
 * Moves the chain's LevelDB files out of `dataDir` into `dataDir/damaged-<time>/` (same file system:
 * a rename, no copy) and returns that directory, or null when there was nothing to move. The blob
 * store and the actor-event index (subdirectories) stay.
 */
export async function setAsideStore(dataDir: string, now: Date = new Date()): Promise<string | null> {
  const names = (await readdir(dataDir).catch(() => [] as string[])).filter(isLevelDbFile);
  if (names.length === 0) return null;
  const aside = join(dataDir, `damaged-${now.toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(aside, { recursive: true });
  for (const n of names) await rename(join(dataDir, n), join(aside, n));
  return aside;
}

/** Writes the RECOVERING marker. */
export async function markRecovering(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, RECOVERING_MARKER), `${new Date().toISOString()}\n`);
}

/** Whether the RECOVERING marker is present. */
export async function isRecovering(dataDir: string): Promise<boolean> {
  return stat(join(dataDir, RECOVERING_MARKER)).then(
    () => true,
    () => false,
  );
}

/** Removes the RECOVERING marker. */
export async function clearRecovering(dataDir: string): Promise<void> {
  await rm(join(dataDir, RECOVERING_MARKER), { force: true });
}
