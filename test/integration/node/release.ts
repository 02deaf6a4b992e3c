/**
 * The previous release as runnable code for upgrade tests: found in releases.json by commit hash
 * (CI clones main and may not fetch tags), extracted from git into a temp dir, given dependencies.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/network.js';

/** One entry of releases.json. */
export interface Release {
  readonly tag: string;
  readonly commit: string;
  readonly raftProtocols: { readonly min: number; readonly current: number };
  readonly features: readonly string[];
  readonly notes: string;
}

/** A release extracted into `dir`, with how its dependencies were provided and how long it took. */
export interface Materialised {
  readonly release: Release;
  readonly dir: string;
  readonly deps: 'symlink' | 'npm ci';
  readonly ms: number;
  /** Lock-file entries whose version or integrity differ from this checkout's (none when symlinked). */
  readonly lockDiff: readonly string[];
}

/** The newest release in releases.json. */
export async function previousRelease(): Promise<Release> {
  const all = JSON.parse(await readFile(join(ROOT, 'releases.json'), 'utf8')) as Release[];
  const last = all[all.length - 1];
  if (last === undefined) throw new Error('releases.json lists no release');
  return last;
}

const git = (...args: string[]) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8' });

interface Lock {
  packages: Record<string, { version?: string; integrity?: string; link?: boolean }>;
}

/**
 * Installed packages whose version or integrity differ between two lock files. The old code may
 * import any of its locked packages, so all are compared, not only its direct dependencies.
 */
export function lockDifferences(old: Lock, now: Lock): string[] {
  const out: string[] = [];
  for (const [path, p] of Object.entries(old.packages)) {
    if (!path.startsWith('node_modules/')) continue;
    const q = now.packages[path];
    if (q === undefined) out.push(`${path}: ${p.version} (absent now)`);
    else if (q.version !== p.version || q.integrity !== p.integrity)
      out.push(`${path}: ${p.version} (now ${q.version})`);
  }
  return out;
}

/**
 * Extracts `release` into a fresh temp dir (`git archive | tar -x`, under 1 s) and installs it as
 * `npm install` would, bundle included. Dependencies: a symlink to this checkout's node_modules
 * when every locked package is identical (instant), else `npm ci --prefer-offline` from the npm
 * cache (measured: 40 s for the 379 packages without the build, on a busy 2-core machine).
 */
export async function materialise(release: Release): Promise<Materialised> {
  const t0 = performance.now();
  try {
    git('cat-file', '-e', `${release.commit}^{commit}`);
  } catch {
    const shallow = git('rev-parse', '--is-shallow-repository').trim() === 'true';
    throw new Error(
      `release ${release.tag} (commit ${release.commit}) is not in this clone` +
        `${shallow ? ' (a shallow clone)' : ''}: run \`git fetch --unshallow\` ` +
        `(or \`git fetch origin ${release.commit}\`) and run the test again`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), `ehrchain-${release.tag}-`));
  try {
    execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', ROOT, release.commit, dir]);
    const read = async (d: string) =>
      JSON.parse(await readFile(join(d, 'package-lock.json'), 'utf8')) as Lock;
    const lockDiff = lockDifferences(await read(dir), await read(ROOT));
    let deps: Materialised['deps'] = 'npm ci';
    if (lockDiff.length === 0) {
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      deps = 'symlink';
      // What `npm install` runs (prepare): the bundle starts a node in half the time tsx takes.
      execFileSync(process.execPath, ['--import', 'tsx', 'cli/build.ts'], { cwd: dir, stdio: 'ignore' });
    } else {
      // prepare builds the bundle too.
      execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        stdio: 'ignore',
      });
    }
    return { release, dir, deps, ms: performance.now() - t0, lockDiff };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The Raft protocol range a checkout's source declares (node/p2p/version.ts). */
export async function raftVersionsIn(dir: string): Promise<{ min: number; current: number }> {
  const src = await readFile(join(dir, 'node', 'p2p', 'version.ts'), 'utf8');
  const num = (name: string) => {
    const m = new RegExp(`export const ${name} = (\\d+);`).exec(src);
    if (m?.[1] === undefined) throw new Error(`${name} not found in ${dir}/node/p2p/version.ts`);
    return Number(m[1]);
  };
  return { min: num('RAFT_MIN_COMPATIBLE_VERSION'), current: num('RAFT_PROTOCOL_VERSION') };
}
