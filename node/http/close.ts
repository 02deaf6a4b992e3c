/**
 * Closing the HTTP server without waiting for its clients. `server.close()` ends only idle
 * connections; one that is mid-request, or that turns idle afterwards, or an event stream, would
 * keep it (and the node's `stop()`) waiting for fastify's 72 s keep-alive timeout or longer.
 */
import type { FastifyInstance } from 'fastify';

/** How long requests in flight get to finish once the server closes. */
export const CLOSE_GRACE_MS = 1_000;
/** How often connections that turned idle meanwhile are closed during the grace. */
const IDLE_SWEEP_MS = 50;

/**
 * On `app.close()`: closes connections as they turn idle, then, after `graceMs`, every connection
 * still open (requests in flight get a reset, event streams end; clients reconnect elsewhere).
 */
export function closeConnectionsOnClose(app: FastifyInstance, graceMs = CLOSE_GRACE_MS): void {
  app.addHook('preClose', (done) => {
    const server = app.server;
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    // Timers that only serve the close must not keep a process alive on their own.
    sweep.unref();
    cut.unref();
    server.once('close', () => {
      clearInterval(sweep);
      clearTimeout(cut);
    });
    done();
  });
}
