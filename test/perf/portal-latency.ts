/**
 * Issue 12's last figure: time from click to committed for a grant given in the portal, on the real
 * devnet (`ehrchain devnet --nodes 3`, what `npm start` runs, with its synthetic demo consortium).
 *
 * Starts the devnet in a temporary data directory on free ports, waits for the demo to be seeded,
 * opens the portal of node 2 in headless Chromium as `patient-ana` (her key file from the devnet's
 * `people/`), and gives a grant from the "Give a grant" form N times (a different doctor and category
 * each time). For each it measures, in the page, from the click on "Sign and give grant" to
 * `#give [data-phase=committed]` (after `pending`), and, from the same click, until the grant is on
 * ana's audit trail through node 2's HTTP API. Prints median, min, max, the devnet's block interval
 * and the load average. Never asserts a time. Stops the devnet and removes the directory at the end,
 * also on failure. `npm run bench:portal`; not part of `npm test`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Page } from 'playwright-core';
import { EhrClient } from '../../client/client.js';
import { actorIdOf, ConsentClient } from '../../client/consent.js';
import { readKeyFile } from '../../client/keyfile.js';
import { encodeKeyFile } from '../../client/keyfile-format.js';
import { defaultBlockOptions } from '../../node/blocks/options.js';
import { fromRoot } from '../../node/root.js';

const RUNS = Number.parseInt(process.env.RUNS ?? '10', 10);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SEED_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 60_000;
const API_POLL_MS = 20;
const PASS = 'synthetic latency passphrase';
// Ana is hospital-2's patient: her people use node 2. Her trail is quiet (the demo's activity reads
// dana's, fatima's and jo's records), so a new `grant` entry on it is ours.
const PATIENT = 'patient-ana';
const GRANTEES = ['doctor-rosa', 'doctor-sam', 'doctor-tariq'] as const;
const CATEGORIES = ['lab', 'problems', 'medication', 'immunization', 'allergy'] as const;

/** One grant's figures, in ms from the click on the sign button. */
interface Run {
  readonly committedMs: number;
  readonly apiMs: number;
}

/** What the page's probe records for each signed grant. */
interface Probe {
  readonly ms: number;
  readonly clickWall: number;
  readonly phase: string;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// Three consecutive free HTTP ports and three libp2p ports 1000 above: never the default 8080/9080,
// which another devnet on this machine may hold.
async function freePorts(): Promise<{ http: number; p2p: number }> {
  for (let i = 0; i < 50; i++) {
    const http = 20_000 + Math.floor(Math.random() * 9_000);
    const all = [0, 1, 2].flatMap((d) => [http + d, http + 1_000 + d]);
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return { http, p2p: http + 1_000 };
  }
  throw new Error('no free ports found');
}

/** The devnet process, the last lines it printed, and a promise of the demo being seeded. */
function startDevnet(dir: string, http: number, p2p: number) {
  const args = ['devnet', '--nodes', '3', '--dir', dir, '--http-port', `${http}`, '--p2p-port', `${p2p}`];
  // Its own process group, so a devnet that does not stop can be killed with its nodes.
  const child = spawn(process.execPath, [fromRoot('bin', 'ehrchain.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail: string[] = [];
  const seeded = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the demo was not seeded in time')), SEED_TIMEOUT_MS);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (/^demo .*demo consortium seeded/.test(line)) console.log(line);
        if (/^demo .*Act as any of these people/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
        if (/^demo .*(demo seeding stopped|demo not seeded|no demo seeding)/.test(line)) {
          clearTimeout(timer);
          reject(new Error(line));
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the devnet exited (${code})`));
    });
  });
  return { child, tail, seeded };
}

async function stopDevnet(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    // The devnet kills a stuck node itself after 10 s; this is the backstop for the whole group.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

// Installed in the page: times each click on "Sign and give grant" to the form's progress line
// showing committed (or refused) after pending, on the page's clock; a MutationObserver sees the
// DOM change before the next paint.
function installProbe(): void {
  const w = window as unknown as { __probes: Probe[] };
  w.__probes = [];
  let cur: { t0: number; wall: number; pending: boolean } | null = null;
  document.addEventListener(
    'click',
    (e) => {
      const b = (e.target as Element | null)?.closest('button');
      if (b?.textContent?.trim() === 'Sign and give grant')
        cur = { t0: performance.now(), wall: Date.now(), pending: false };
    },
    true,
  );
  new MutationObserver(() => {
    const phase = document.querySelector('#give [data-phase]')?.getAttribute('data-phase');
    if (cur === null || phase == null) return;
    if (phase === 'pending') cur.pending = true;
    else if (cur.pending && (phase === 'committed' || phase === 'refused')) {
      w.__probes.push({ ms: performance.now() - cur.t0, clickWall: cur.wall, phase });
      cur = null;
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
}

/** Polls ana's trail from `from` until a `grant` entry appears; the wall time it was seen, and the new length. */
async function waitForGrantOnTrail(
  consent: ConsentClient,
  patient: string,
  from: number,
): Promise<{ seenWall: number; length: number }> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let at = from;
  while (Date.now() < deadline) {
    const entries = await consent.trail(patient, at);
    at += entries.length;
    if (entries.some((e) => e.op === 'grant')) return { seenWall: Date.now(), length: at };
    await sleep(API_POLL_MS);
  }
  throw new Error('the grant never showed on the trail through the HTTP API');
}

async function giveGrant(page: Page, grantee: string, category: string): Promise<void> {
  await page.selectOption('#g-kind', 'actor');
  await page.fill('#g-who', grantee);
  await page.fill('#g-cats', category);
  await page.click('#give button[type=submit]');
  await page.waitForSelector('#grant-summary', { timeout: STEP_TIMEOUT_MS });
}

function stats(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 === 1 ? (s[Math.floor(mid)] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  const f = (x: number) => `${Math.round(x)} ms`;
  return `median ${f(median)}, min ${f(s[0] ?? 0)}, max ${f(s[s.length - 1] ?? 0)}`;
}

async function blockIntervalMs(dir: string): Promise<number> {
  const file = join(dir, 'node1', 'config.json');
  if (!existsSync(file)) return defaultBlockOptions.intervalMs;
  const c = JSON.parse(await readFile(file, 'utf8')) as { block?: { intervalMs?: number } };
  return c.block?.intervalMs ?? defaultBlockOptions.intervalMs;
}

async function measure(dir: string, url: string, loads: number[]): Promise<Run[]> {
  const ana = await readKeyFile(join(dir, 'people', `${PATIENT}.json`));
  const grantees = await Promise.all(
    GRANTEES.map(async (g) => actorIdOf((await readKeyFile(join(dir, 'people', `${g}.json`))).publicKey)),
  );
  const client = new EhrClient(url);
  const { chainId } = await client.status();
  const consent = new ConsentClient(client, ana.seed, chainId);
  const anaId = consent.id;
  let trailLength = (await consent.trail(anaId)).length;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${url}/portal/`);
    await page.fill('#import-text', encodeKeyFile(ana));
    await page.fill('#import-pass', PASS);
    await page.fill('#import-confirm', PASS);
    // scrypt (128 MiB) runs in the click's handler: slow on a loaded machine.
    await page.click('text=Import key', { timeout: 120_000 });
    await page.waitForSelector('#patient-page', { timeout: 120_000 });
    await page.waitForSelector('#give', { timeout: STEP_TIMEOUT_MS });
    await page.evaluate(installProbe);

    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const grantee = grantees[i % grantees.length] ?? '';
      const category = CATEGORIES[i % CATEGORIES.length] ?? 'lab';
      await giveGrant(page, grantee, category);
      const onTrail = waitForGrantOnTrail(consent, anaId, trailLength);
      await page.click('#give >> text=Sign and give grant');
      await page.waitForFunction((n) => (window as unknown as { __probes: Probe[] }).__probes.length > n, i, {
        timeout: STEP_TIMEOUT_MS,
      });
      const probes = await page.evaluate(() => (window as unknown as { __probes: Probe[] }).__probes);
      const p = probes[i];
      if (p === undefined || p.phase !== 'committed')
        throw new Error(`grant ${i + 1} was ${p?.phase}: ${await page.textContent('#give [data-phase]')}`);
      const seen = await onTrail;
      trailLength = seen.length;
      const run = { committedMs: p.ms, apiMs: seen.seenWall - p.clickWall };
      runs.push(run);
      loads.push(loadavg()[0] ?? 0);
      console.log(
        `grant ${i + 1}/${RUNS} (${category}): click to committed ${Math.round(run.committedMs)} ms, ` +
          `on the trail through the API ${Math.round(run.apiMs)} ms`,
      );
    }
    return runs;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ehrchain-latency-'));
  const { http, p2p } = await freePorts();
  const url = `http://127.0.0.1:${http + 1}`;
  const loads: number[] = [loadavg()[0] ?? 0];
  console.log(`devnet in ${dir}, HTTP ports ${http}-${http + 2}; waiting for the demo to be seeded...`);
  const devnet = startDevnet(dir, http, p2p);
  const onSignal = () => void stopDevnet(devnet.child);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await devnet.seeded;
    const runs = await measure(dir, url, loads);
    const interval = await blockIntervalMs(dir);
    const avg = loads.reduce((a, b) => a + b, 0) / loads.length;
    console.log('');
    console.log(`portal on node 2 (${PATIENT}), ${runs.length} grants, block interval ${interval} ms`);
    console.log(`click to committed:             ${stats(runs.map((r) => r.committedMs))}`);
    console.log(`click to on the trail (HTTP API): ${stats(runs.map((r) => r.apiMs))}`);
    console.log(
      `load average (1 min) during the run: mean ${avg.toFixed(1)}, ` +
        `min ${Math.min(...loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)}`,
    );
  } catch (err) {
    console.error(`failed: ${err instanceof Error ? err.message : String(err)}`);
    console.error(`the devnet's last lines:\n${devnet.tail.join('\n')}`);
    process.exitCode = 1;
  } finally {
    await stopDevnet(devnet.child);
    await rm(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

await main();
