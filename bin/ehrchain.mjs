#!/usr/bin/env node
// The `ehrchain` command. Runs the bundle that `npm install` / `npm run build` writes to
// dist/ehrchain.mjs while it is newer than every source file; otherwise (no build yet, or an edit
// since) the TypeScript sources through tsx's loader, so no build step is ever required and a
// stale build never runs. The polyfill must load before libp2p does.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist', 'ehrchain.mjs');

/** Newest modification time of the TypeScript sources that go into the bundle. */
function newestSource() {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['node', 'cli', 'client', 'protocol', 'vm', 'consensus']) walk(join(root, d));
  for (const f of ['build.ts', 'serve.ts'])
    newest = Math.max(newest, statSync(join(root, 'explorer', f)).mtimeMs);
  return newest;
}

if (
  process.env.EHRCHAIN_NO_BUNDLE !== '1' &&
  existsSync(bundle) &&
  statSync(bundle).mtimeMs > newestSource()
) {
  await import('../dist/polyfill.mjs');
  await import('../dist/ehrchain.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../node/polyfill.ts');
  await import('../cli/main.ts');
}
