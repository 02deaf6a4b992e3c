/** Polling and port helpers for multi-node tests. */
import { createServer } from 'node:net';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` until it is true; throws `timed out waiting for <what>` after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${last === null ? '' : ` (last error: ${String(last)})`}`);
}

const RESERVED = (p: number) => (p >= 8080 && p <= 8099) || (p >= 9080 && p <= 9099);

/** `n` distinct free TCP ports on 127.0.0.1, found by binding port 0. */
export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  for (let tries = 0; out.size < n && tries < n * 20; tries++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = a !== null && typeof a === 'object' ? a.port : 0;
        s.close(() => resolve(p));
      });
    });
    if (port > 0 && !RESERVED(port)) out.add(port);
  }
  if (out.size < n) throw new Error('could not find free ports');
  return [...out];
}
