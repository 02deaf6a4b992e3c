/**
 * Serves the portal's built assets at `/portal/` on a node's HTTP port, with a strict
 * Content-Security-Policy (only this origin: no inline script, no third-party origin, no framing)
 * and the other security headers. The portal talks to the node only through the public HTTP API.
 * Built by `npm install` (the `prepare` script); if missing, built here once before serving.
 */
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fromRoot } from '../node/root.js';

const DIST = `${fromRoot('portal', 'dist')}/`;

/** The portal's Content-Security-Policy (docs/portal.md#security-of-the-page). */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Every header the portal's responses carry. */
export const PORTAL_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': PORTAL_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(), geolocation=()',
};

/** Registers `/portal/` on a node's fastify app. */
export async function registerPortal(app: FastifyInstance): Promise<void> {
  if (!existsSync(`${DIST}index.html`)) {
    // Only on a clone installed without scripts: esbuild is not loaded into a validator otherwise.
    const { buildPortal } = await import('./build.js');
    await buildPortal();
  }
  await app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply, payload) => {
      reply.headers(PORTAL_HEADERS);
      return payload;
    });
    scope.get('/portal', (_req, reply) => reply.redirect('/portal/'));
    await scope.register(fastifyStatic, {
      root: DIST,
      prefix: '/portal/',
      index: ['index.html'],
      wildcard: false,
      decorateReply: false,
    });
  });
}
