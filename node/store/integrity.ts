/**
 * What the node checks about its LevelDB before running on it, and how a failed check is reported:
 * a StoreError whose message says what is wrong, which file (when LevelDB says), and what to do.
 *
 * LevelDB itself notices little: a truncated or garbled MANIFEST fails the open, but a damaged
 * table file (*.ldb) fails only when the damaged block is read, a missing CURRENT makes it start an
 * empty database, and a damaged or truncated log (*.log) is dropped silently from the damage on
 * (all observed). So before running, the node (1) refuses a directory with table or log files but
 * no CURRENT, (2) with `verifyOnOpen: 'full'` reads every key and value once, which makes LevelDB
 * decompress every block, and (3) checks what the store knows about itself: the state hashes to the
 * root in meta (chain-store.ts), the blocks from base to height are all there, the stored root of
 * the latest height is the root in meta, and the Raft log is contiguous (raft-log.ts).
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError, StoreErrorCode } from './errors.js';

/** What an operator should do about a damaged store. */
export const CORRUPT_HINT =
  'restore this node from a backup (`ehrchain restore`) or from its peers ' +
  '(`ehrchain start --recover-from-peers`); see docs/operations.md';

/** How much of the store is checked on open. */
export const VerifyOnOpen = {
  /** Every key and value read once, plus the `state` checks. */
  Full: 'full',
  /** The state recomputed and compared with the root in meta, plus the cheap self-consistency checks. */
  State: 'state',
  /** Only the cheap checks; the stored LtHash accumulator is trusted. */
  None: 'none',
} as const;
export type VerifyOnOpen = (typeof VerifyOnOpen)[keyof typeof VerifyOnOpen];

const FILE = /([^\s:'"]*(?:\d{6}\.(?:ldb|sst|log)|MANIFEST-\d+|CURRENT))/;

/** The LevelDB file an error message names, if any. */
export function fileInError(message: string): string | undefined {
  return FILE.exec(message)?.[1];
}

function messageOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, d = 0; e !== undefined && e !== null && d < 4; d++) {
    const o = e as { message?: unknown; cause?: unknown };
    if (typeof o.message === 'string') parts.push(o.message);
    e = o.cause;
  }
  return parts.join(': ') || String(err);
}

/** A StoreError `corrupt` naming the file (when known) and the way out. */
export function corruptError(dir: string, what: string, err?: unknown, named?: string): StoreError {
  const msg = err === undefined ? '' : messageOf(err);
  const file = named ?? fileInError(msg);
  const where = file === undefined ? `the LevelDB in ${dir}` : file.includes('/') ? file : join(dir, file);
  return new StoreError(
    StoreErrorCode.Corrupt,
    `${what}${msg === '' ? '' : ` (${msg})`}; damaged: ${where}; ${CORRUPT_HINT}`,
    { dir, ...(file === undefined ? {} : { file: where }) },
  );
}

/** Maps a failed LevelDB open onto a StoreError saying why and what to do. */
export function openError(dir: string, err: unknown): StoreError {
  const msg = messageOf(err);
  if (/LOCK|lock/.test(msg) && /temporarily unavailable|already held|lock/i.test(msg)) {
    return new StoreError(
      StoreErrorCode.Locked,
      `${dir} is in use by another process (is this node already running?): ${msg}`,
      { dir },
    );
  }
  if (/No space left on device|ENOSPC/i.test(msg)) {
    return new StoreError(StoreErrorCode.DiskFull, `no space left to open ${dir}: free some space (${msg})`, {
      dir,
    });
  }
  // LevelDB calls the MANIFEST "descriptor" and does not name it: CURRENT does.
  const manifest = /descriptor|manifest/i.test(msg) ? currentManifest(dir) : undefined;
  return corruptError(dir, 'LevelDB refused to open', err, manifest);
}

function currentManifest(dir: string): string | undefined {
  try {
    const name = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    return /^MANIFEST-\d+$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Refuses a directory that holds LevelDB tables or logs but no CURRENT file (LevelDB would start empty). */
export async function checkLayout(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const data = names.some((n) => /^\d{6}\.(?:ldb|sst|log)$/.test(n) || n.startsWith('MANIFEST-'));
  if (data && !names.includes('CURRENT')) {
    throw corruptError(dir, 'the CURRENT file is missing, so LevelDB would open an empty database', {
      message: join(dir, 'CURRENT'),
    });
  }
}

/** A root-level iterator: every key of every sublevel in one pass. */
interface ScanSource {
  iterator(opts: { keys: boolean; values: boolean }): {
    nextv(n: number): Promise<unknown[]>;
    close(): Promise<void>;
  };
}

/**
 * Walks every entry once, which makes LevelDB read and decompress every block of every table (keys
 * and values share blocks, so values need not be copied out: 6x faster, measured), and returns how
 * many entries it saw. Throws StoreError `corrupt` at the first block LevelDB cannot read.
 */
export async function scanAll(dir: string, level: ScanSource): Promise<number> {
  let n = 0;
  const it = level.iterator({ keys: true, values: false });
  try {
    for (;;) {
      const chunk = await it.nextv(1000);
      if (chunk.length === 0) break;
      n += chunk.length;
    }
  } catch (err) {
    throw corruptError(dir, `a stored entry cannot be read (after ${n} good entries)`, err);
  } finally {
    await it.close().catch(() => undefined);
  }
  return n;
}
