/**
 * Serves the explorer's built assets from a node's HTTP port. The UI itself talks to the node only
 * through the public HTTP API. The bundle is built by `npm install` (the `prepare` script); if it
 * is missing (a fresh clone run without install scripts), it is built here once before serving.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fromRoot } from '../node/root.js';

const DIST = `${fromRoot('explorer', 'dist')}/`;

/** Registers `/` (the explorer) on a node's fastify app. */
export async function registerExplorer(app: FastifyInstance): Promise<void> {
  if (!existsSync(`${DIST}index.html`)) {
    // Only on a clone installed without scripts: esbuild is not loaded into a validator otherwise.
    const { buildExplorer } = await import('./build.js');
    await buildExplorer();
  }
  await app.register(fastifyStatic, { root: DIST, prefix: '/', index: ['index.html'], wildcard: false });
}
