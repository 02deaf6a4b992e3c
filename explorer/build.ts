/**
 * Builds the explorer bundle with esbuild: explorer/src/main.tsx -> explorer/dist/app.js, plus the
 * static files in explorer/static. Run by `npm install` (prepare) and on demand by serve.ts.
 */
import { cp, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildExplorer();
  console.log('explorer built into explorer/dist');
}
