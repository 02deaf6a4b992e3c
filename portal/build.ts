/**
 * Builds the portal bundle with esbuild: portal/src/main.tsx -> portal/dist/app.js, plus the static
 * files in portal/static. Run by `npm install` (prepare, through cli/build.ts) and on demand by
 * serve.ts. `browserSwaps` resolves the two platform files of protocol/ to their browser twins, so
 * the client library bundles unchanged with no node: import.
 */
import { cp, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { fromRoot } from '../node/root.js';

const here = (p: string) => fromRoot('portal', p);

// file the server imports -> the file a browser bundle gets instead (same exports).
const SWAPS = new Map<string, string>([
  [fromRoot('protocol', 'chain', 'keys.ts'), fromRoot('protocol', 'chain', 'keys.browser.ts')],
  [fromRoot('protocol', 'crypto', 'platform.ts'), fromRoot('protocol', 'crypto', 'platform.browser.ts')],
  [
    fromRoot('protocol', 'records', 'fhir-definitions.ts'),
    fromRoot('protocol', 'records', 'fhir-definitions.browser.ts'),
  ],
]);

/** esbuild plugin: keys.ts, platform.ts (node:crypto) and fhir-definitions.ts (fs) -> browser twins. */
export const browserSwaps: Plugin = {
  name: 'ehrchain-browser-swaps',
  setup(b) {
    b.onResolve({ filter: /\/(keys|platform|fhir-definitions)\.js$/ }, (args) => {
      if (args.resolveDir === '') return undefined;
      const swap = SWAPS.get(resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts'));
      return swap === undefined ? undefined : { path: swap };
    });
  },
};

/** Builds portal/dist (app.js, app.css, index.html, style.css). */
export async function buildPortal(): Promise<void> {
  await mkdir(here('./dist/'), { recursive: true });
  await build({
    entryPoints: [here('./src/main.tsx')],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: here('./dist/app.js'),
    plugins: [browserSwaps],
    logLevel: 'warning',
  });
  await cp(here('./static/'), here('./dist/'), { recursive: true });
}
