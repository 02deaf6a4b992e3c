/**
 * The package's root directory (the one holding package.json), found from this module's own
 * location, so file paths stay right both when the sources run through tsx and when they run from
 * the bundle in dist/ (see cli/build.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('ehrchain: package root (package.json) not found');
    dir = up;
  }
}

/** Absolute path of the package root. */
const PACKAGE_ROOT = findRoot();

/** An absolute path inside the package. */
export const fromRoot = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);
