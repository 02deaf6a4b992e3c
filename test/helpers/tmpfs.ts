/**
 * Small tmpfs mounts for disk-full tests (needs root and mount permission, as in CI). Where mount
 * is not permitted, `tmpfsUnavailable()` says why: the test skips with that reason printed, or,
 * with EHRCHAIN_REQUIRE_TMPFS=1, fails with it (docs/operations.md).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mounts a tmpfs of `bytes` at `dir` (which must exist). */
export function mountTmpfs(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
}

/** Unmounts `dir` (lazily, so a straggling open file cannot keep it busy); never throws. */
export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {
    // not mounted
  }
}

/** Why a tmpfs cannot be mounted here, or null when it can (tries a 1 MiB one). */
export function tmpfsUnavailable(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'ehrchain-tmpfs-probe-'));
  try {
    mountTmpfs(dir, 1024 * 1024);
    unmount(dir);
    return null;
  } catch (err) {
    const e = err as { stderr?: Buffer; message?: string };
    return `cannot mount a tmpfs (${(e.stderr?.toString() || e.message || String(err)).trim()}); needs root`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the disk tests must run: EHRCHAIN_REQUIRE_TMPFS=1 makes an unavailable tmpfs a failure. */
export function tmpfsRequired(): boolean {
  return process.env.EHRCHAIN_REQUIRE_TMPFS === '1';
}

/** Writes zeros to `file` until the file system is full; returns the bytes written. */
export function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Frees what fillDisk took. */
export async function freeDisk(file: string): Promise<void> {
  await rm(file, { force: true });
}
