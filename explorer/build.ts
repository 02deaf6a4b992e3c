/**
 * Builds the explorer bundle with esbuild: explorer/src/main.tsx -> explorer/dist/app.js, plus the
 * static files in explorer/static. Run by `npm install` (prepare, through cli/build.ts) and on
 * demand by serve.ts.
 */
import { cp, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';
import { fromRoot } from '../node/root.js';

const here = (p: string) => fromRoot('explorer', p);

export async function buildExplorer(): Promise<void> {
  await mkdir(here('./dist/'), { recursive: true });
  await build({
    entryPoints: [here('./src/main.tsx')],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outfile: here('./dist/app.js'),
    logLevel: 'warning',
  });
  await cp(here('./static/'), here('./dist/'), { recursive: true });
}
