/**
 * CPU per request of the node's HTTP layer for one-tx submissions (`POST /v1/tx`, octet-stream, as
 * `ehrchain bench --workload consent-mix` sends them): the real fastify app of createHttpServer with
 * the leaderless gate as the node wires it, over loopback with keep-alive, against a backend whose
 * admission is free, so what is measured is fastify, Node's HTTP and the route's own work. The
 * client runs in a child process; the figure is this process's CPU (all threads) per request, over
 * a few rounds (alternate two checkouts to compare them). ROUNDS=n, REQUESTS=n. Prints figures;
 * never fails.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { LeaderlessGate, refuseWritesWhileLeaderless } from '../../node/http/leaderless.js';
import { noBackend } from '../../node/http/openapi.js';
import { defaultHttpOptions } from '../../node/http/options.js';
import { createHttpServer } from '../../node/http/server.js';
import { createLogger } from '../../node/log.js';
import type { ApiBackend } from '../../protocol/api.js';

const rounds = Number(process.env.ROUNDS ?? 5);
const requests = Number(process.env.REQUESTS ?? 20_000);
const HASH = 'ab'.repeat(32);

const backend: ApiBackend = {
  ...noBackend,
  chainId: 'bench',
  submitTx: async () => HASH,
  diskFull: () => false,
};

// The node's logger as `ehrchain start` makes it at the bench's level (JSON to stdout, warn).
const log = createLogger({ level: 'warn', pretty: false });
const gate = new LeaderlessGate();
gate.onLeader('leader');
const app = await createHttpServer(backend, { ...defaultHttpOptions, port: 0 }, log, async (a) => {
  refuseWritesWhileLeaderless(a, gate, 1);
});
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;

// The client: `requests` requests, 64 at a time over keep-alive connections.
const CLIENT = `
const http = require('node:http');
const [port, n, method, path] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3], process.argv[4]];
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const body = Buffer.alloc(260, 7);
let sent = 0, done = 0, refused = 0;
function one() {
  if (sent >= n) return;
  sent++;
  const req = http.request({ host: '127.0.0.1', port, method, path, agent,
    headers: method === 'POST' ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {} },
    (res) => { res.resume(); res.on('end', () => { if (res.statusCode !== 202) refused++; if (++done === n) { if (refused > 0) console.error(refused + ' refused (shed?)'); process.exit(0); } one(); }); });
  req.end(method === 'POST' ? body : undefined);
}
for (let i = 0; i < 64; i++) one();
`;

async function run(method: string, path: string): Promise<number> {
  const c0 = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, String(port), String(requests), method, path], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client exited ${code}`))));
  });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / requests;
}

const cases: [string, string, string][] = [['POST /v1/tx (one tx, octet-stream)', 'POST', '/v1/tx']];
const seen = new Map<string, number[]>();
await run('POST', '/v1/tx'); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, method, path] of cases) {
    const us = await run(method, path);
    seen.set(name, [...(seen.get(name) ?? []), us]);
  }
}
await app.close();
for (const [name, v] of seen) {
  const s = [...v].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)]!;
  console.log(
    `${name.padEnd(36)} ${med.toFixed(1).padStart(7)} µs CPU per request (median of ${s.length}; ${s.map((x) => x.toFixed(1)).join(' / ')})`,
  );
}
