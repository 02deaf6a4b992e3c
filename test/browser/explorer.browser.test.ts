/**
 * The explorer in a real Chromium against a real 3-validator network in this process: live
 * dashboard, blocks, tx pages, search, not-found states, consent (a consent world made of signed
 * transactions and records-service reads on that network, compared with what the chain holds; and a
 * 1-validator chain started without the consent contract), benchmarks, and a phone screen.
 * Screenshots go to test-artifacts/explorer/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account, EhrClient } from '../../client/client.js';
import { buildExplorer } from '../../explorer/build.js';
import { dateTime } from '../../explorer/src/format.js';
import type { BlockView, StatusView, TxView } from '../../protocol/api.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { decodeInt } from '../../vm/abi.js';
import {
  buildConsentWorld,
  type ConsentWorld,
  chainActor,
  chainGrant,
  chainTrail,
  chainVersion,
  INSURER_ORG,
} from './consent-world.js';
import { startNetwork, type TestNetwork, waitLeader } from './network.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/explorer/', import.meta.url));
const BENCH = fileURLToPath(new URL('./fixtures/bench-sample.json', import.meta.url));
const enc = new TextEncoder();

let net: TestNetwork;
/** A 1-validator chain whose genesis deploys no contract. */
let bare: Promise<TestNetwork>;
/** A 1-validator demo chain (its id ends in -demo), for the demo banner. */
let demo: Promise<TestNetwork>;
let worldP: Promise<ConsentWorld> | undefined;
/** Node and browser in the same time zone, so the pages' local times can be compared. */
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;
let browser: Browser;
let base: string;
let client: EhrClient;
let account: Account;
let putCount = 0;

async function put(): Promise<TxView> {
  const i = putCount++;
  return account.call(
    client,
    'kv',
    'put',
    [enc.encode(`patient-note-${i}`), enc.encode(`hello explorer ${i}`)],
    {
      timeoutMs: 20_000,
    },
  );
}

/** The consent world, built once on the network (in the background from beforeAll on). */
function world(): Promise<ConsentWorld> {
  worldP ??= buildConsentWorld(net);
  return worldP;
}

function newPage(): Promise<Page> {
  return browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: TZ });
}

async function api<T>(path: string): Promise<T> {
  const r = await fetch(`${base}${path}`);
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** The page's heading once it has rendered. */
async function heading(page: Page): Promise<string> {
  const h = page.locator('h1#page-title');
  await h.waitFor();
  return (await h.textContent()) ?? '';
}

async function noHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, `page wider than the screen at ${page.url()}`).toBeLessThanOrEqual(client);
}

describe('explorer in Chromium against a live 3-node network', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}. Install it (Debian: apt-get update && apt-get install -y chromium; ` +
          'CI does this in .ci/run) or set CHROMIUM_PATH to a Chromium binary.',
      );
    }
    await mkdir(ARTIFACTS, { recursive: true });
    await buildExplorer(); // test the current sources, not a stale dist
    [net, browser] = await Promise.all([
      startNetwork(3),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-quic',
          '--no-first-run',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
    bare = startNetwork(1, { chainId: 'explorer-bare', contracts: {} });
    bare.catch(() => undefined); // awaited by its test
    demo = startNetwork(1, { chainId: 'explorer-demo', contracts: {} });
    demo.catch(() => undefined);
    await waitLeader(net);
    base = net.urls[0] ?? '';
    world().catch(() => undefined); // built while the first tests run; awaited by the consent tests
    client = new EhrClient(base);
    account = new Account(randomBytes(32), net.chainId);
    for (let i = 0; i < 4; i++) await put();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.allSettled([net?.stop(), bare?.then((b) => b.stop()), demo?.then((d) => d.stop())]);
  });

  it('dashboard: rising height, leader, validators, live charts fed by SSE', async () => {
    const page = await newPage();
    await page.goto(`${base}/#/`);
    expect(await heading(page)).toBe('Network');
    await page.locator('.live.open').waitFor();
    const heightNow = async () =>
      Number((await page.locator('[data-stat="height"]').textContent())?.replace(/,/g, ''));
    const points = async () =>
      Number(await page.locator('figure[aria-label="Transactions per block"]').getAttribute('data-points'));
    const h0 = await heightNow();
    const p0 = await points();
    expect(h0).toBeGreaterThanOrEqual(1);

    await put();
    await put();
    await expect.poll(heightNow, { timeout: 15_000 }).toBeGreaterThan(h0);
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(p0);

    const status = await api<StatusView>('/v1/status');
    const leader = status.validators.find((v) => v.peerId === status.leader);
    expect(await page.locator('[data-stat="leader"]').textContent()).toBe(leader?.name);
    const rows = page.locator('table[aria-label="Validators"] tbody tr');
    expect(await rows.count()).toBe(3);
    await expect.poll(async () => page.locator('table[aria-label="Validators"] .badge.ok').count()).toBe(3);
    await shot(page, 'network');
    await page.close();
  });

  it('blocks list -> block page -> tx page show what the API says', async () => {
    const page = await newPage();
    const tx = await put();
    const height = tx.height ?? 0;
    await page.goto(`${base}/#/blocks`);
    expect(await heading(page)).toBe('Blocks');
    const link = page.locator(`table[aria-label="Blocks, newest first"] a[href="#/blocks/${height}"]`);
    await link.waitFor();
    await shot(page, 'blocks');
    await link.click();
    expect(await heading(page)).toBe(`Block ${height.toLocaleString('en-US')}`);
    const block = await api<BlockView>(`/v1/blocks/${height}`);
    const header = page.locator('dl[aria-label="Block header"]');
    await header.waitFor();
    const headerText = (await header.textContent()) ?? '';
    for (const v of [
      block.hash,
      block.parentHash,
      block.stateRoot,
      block.txRoot,
      block.signature,
      block.proposer,
    ]) {
      expect(headerText).toContain(v);
    }
    expect(await page.locator('[data-field="txCount"]').textContent()).toBe(String(block.txCount));
    const txLinks = page.locator('ol[aria-label="Transactions in this block"] a');
    expect(await txLinks.count()).toBe(block.txs.length);
    await shot(page, 'block');

    await page.locator(`a[href="#/tx/${tx.hash}"]`).click();
    expect(await heading(page)).toBe('Transaction');
    const view = await api<TxView>(`/v1/tx/${tx.hash}`);
    await page.locator('[data-field="method"]').waitFor();
    expect(await page.locator('[data-field="contract"]').textContent()).toBe(view.contract);
    expect(await page.locator('[data-field="method"]').textContent()).toBe(view.method);
    expect(await page.locator('[data-field="nonce"]').textContent()).toBe(String(view.nonce));
    const args = (await page.locator('ol[aria-label="Call arguments"]').textContent()) ?? '';
    for (const a of view.args) expect(args).toContain(a);
    expect(args).toContain(`patient-note-${putCount - 1}`); // printable args shown as text
    const status = (await page.locator('[data-field="status"]').textContent()) ?? '';
    expect(status).toContain('committed');
    expect(status).toContain(`block ${height}`);
    expect(await page.locator('dl[aria-label="Receipt"]').textContent()).toContain('ok');
    await shot(page, 'tx');
    await page.close();
  });

  it('search finds a block by height and a tx by hash, and says clearly when nothing matches', async () => {
    const page = await newPage();
    const tx = await put();
    await page.goto(`${base}/#/`);
    const search = page.getByRole('searchbox', { name: /search/i });
    await search.fill(String(tx.height));
    await search.press('Enter');
    await page.waitForURL(`**/#/blocks/${tx.height}`);
    expect(await heading(page)).toBe(`Block ${tx.height}`);

    await search.fill(tx.hash.toUpperCase());
    await search.press('Enter');
    await page.waitForURL(`**/#/tx/${tx.hash}`);
    await page.locator('[data-field="method"]').waitFor();

    await search.fill('987654321');
    await search.press('Enter');
    await page.locator('#nf-title').waitFor();
    expect(await page.locator('#nf-title').textContent()).toBe('Not found');
    expect(await page.locator('.notfound').textContent()).toContain('no block at height 987654321');
    await shot(page, 'search-not-found');
    await page.close();
  });

  it('an unknown tx and an unknown block get a clear not-found page', async () => {
    const page = await newPage();
    const missing = randomBytes(32).toString('hex');
    await page.goto(`${base}/#/tx/${missing}`);
    await page.locator('#nf-title').waitFor();
    expect(await page.locator('#nf-title').textContent()).toBe('Transaction not found');
    expect(await page.locator('.notfound').textContent()).toContain(missing);
    await shot(page, 'tx-not-found');
    await page.goto(`${base}/#/blocks/99999999`);
    await expect.poll(async () => page.locator('#nf-title').textContent()).toBe('Block 99999999 not found');
    await page.close();
  });

  it('consent: home page and actor pages show the registered actors', async () => {
    const w = await world();
    const page = await newPage();
    await page.goto(`${base}/#/consent`);
    await page.locator('.badge.ok', { hasText: 'deployed' }).waitFor();
    await shot(page, 'consent-home');

    for (const [who, role, org] of [
      [w.doctorA, 'doctor', 'hospital-1'],
      [w.doctorB, 'doctor', 'hospital-2'],
      [w.insurer, 'insurer', INSURER_ORG],
      [w.patient, 'patient', 'hospital-1'],
    ] as const) {
      const a = await chainActor(new EhrClient(base), who.id);
      await page.goto(`${base}/#/consent/actor/${who.id}`);
      expect(await heading(page)).toBe('Actor');
      await page.locator('[data-field="role"]').waitFor();
      expect(await page.locator('[data-field="role"]').textContent()).toBe(role);
      expect(await page.locator('[data-field="org"]').textContent()).toBe(org);
      const fields = (await page.locator('dl[aria-label="Actor"]').textContent()) ?? '';
      expect(fields).toContain(a.cert);
      expect(fields).toContain(dateTime(a.registered));
      expect(fields).toContain(a.licence === 0 ? 'no expiry' : `valid until ${dateTime(a.licence)}`);
      if (role === 'insurer') await shot(page, 'consent-actor');
    }
    // The patient's actor page links to the patient page.
    await page.locator(`a[href="#/consent/patient/${w.patient.id}"]`).waitFor();
    await page.goto(`${base}/#/consent/actor/${'ab'.repeat(32)}`);
    await page.locator('#nf-title').waitFor();
    expect(await page.locator('#nf-title').textContent()).toBe('Actor not found');
    await page.close();
  });

  it('consent: the patient page shows the grants, record versions and audit trail the chain holds', async () => {
    const w = await world();
    const c = new EhrClient(base);
    const page = await newPage();
    await page.goto(`${base}/#/consent/patient/${w.patient.id}`);
    expect(await heading(page)).toBe('Patient');
    await page.locator('table[aria-label="Audit trail, newest first"]').waitFor();
    expect(await page.locator('[data-field="role"]').textContent()).toBe('patient');
    expect(await page.locator('[data-field="org"]').textContent()).toBe('hospital-1');

    // Grants: one row per grant on the trail, state and terms as grantInfo holds them.
    const trail = await chainTrail(c, w.patient.id);
    const grantIds = trail.filter((e) => e.op === 'grant').map((e) => decodeInt(e.subject));
    expect(grantIds.sort()).toEqual(Object.values(w.grants).sort());
    expect(await page.locator('table[aria-label="Grants"] tbody tr').count()).toBe(grantIds.length);
    const now = Date.now();
    for (const id of grantIds) {
      const g = await chainGrant(c, id);
      const row = page.locator(`table[aria-label="Grants"] tr[data-grant="${id}"]`);
      const state =
        g.revoked !== null
          ? 'revoked'
          : now < g.start
            ? 'not yet valid'
            : now >= g.end
              ? 'expired'
              : 'active';
      expect(await row.getAttribute('data-state'), `grant ${id}`).toBe(state);
      const text = (await row.textContent()) ?? '';
      expect(text).toContain(`${dateTime(g.start)} → ${dateTime(g.end)}`);
      expect(text).toContain(dateTime(g.granted));
      if (g.revoked !== null) expect(text).toContain(`revoked ${dateTime(g.revoked)}`);
      if (g.kind === 2) expect(text).toContain(`organisation ${new TextDecoder().decode(g.grantee)}`);
      if (g.kind === 1)
        expect(await row.locator(`a[href="#/consent/actor/${toHex(g.grantee)}"]`).count()).toBe(1);
    }
    const grantRow = (id: number) => page.locator(`table[aria-label="Grants"] tr[data-grant="${id}"]`);
    expect(await grantRow(w.grants.doctorB).getAttribute('data-state')).toBe('revoked');
    expect(await grantRow(w.grants.doctorA).locator('[data-field="actions"]').textContent()).toBe(
      'read + write',
    );
    expect(await grantRow(w.grants.org).textContent()).toContain('all records · except mental-health');
    expect(await grantRow(w.grants.insurer).locator('[data-field="purposes"]').textContent()).toBe('HPAYMT');

    // Record versions: record 1 v1, v2 and the erased record, with CIDs, authors and times.
    const anchors = trail.filter((e) => e.op === 'anchor');
    expect(anchors.length).toBe(3);
    const rows = page.locator('table[aria-label="Record versions"] tbody tr');
    expect(await rows.count()).toBe(anchors.length);
    for (const [i, e] of anchors.entries()) {
      const record = toHex(e.subject.subarray(0, 32));
      const version = decodeInt(e.subject.subarray(32));
      const v = await chainVersion(c, record, version);
      const row = rows.nth(i);
      expect(await row.getAttribute('data-record')).toBe(record);
      expect(await row.getAttribute('data-version')).toBe(String(version));
      expect(await row.locator('[data-field="cid"]').textContent()).toBe(v.cid);
      expect(await row.locator('[data-field="anchored"]').textContent()).toBe(dateTime(v.at));
      expect(await row.locator(`a[href="#/consent/actor/${v.author}"]`).count()).toBe(1);
      expect(v.author).toBe(w.doctorA.id);
      const readers = (await row.locator('[data-field="readers"]').textContent()) ?? '';
      if (v.erased > 0) expect(readers).toContain(`erased${dateTime(v.erased)}`);
      else expect(readers).toBe(`${v.readers} readers`);
    }
    expect(await rows.nth(0).getAttribute('data-record')).toBe(w.record);
    expect(await rows.nth(1).getAttribute('data-version')).toBe('2');
    expect(await rows.nth(1).locator('[data-field="readers"]').textContent()).toBe('3 readers'); // + insurer
    expect(await rows.nth(2).getAttribute('data-record')).toBe(w.erased);

    // The trail: every entry, newest first; emergency access and served reads highlighted.
    const trailRows = page.locator('table[aria-label="Audit trail, newest first"] tbody tr');
    expect(await trailRows.count()).toBe(trail.length);
    const ops = await trailRows.locator('td[data-label="Operation"] strong').allTextContents();
    expect(ops).toEqual(trail.map((e) => e.op).reverse());
    const reads = trail.filter((e) => e.op === 'read');
    const reasons = reads.map((e) => new TextDecoder().decode(e.detail)).sort();
    expect(reasons).toEqual(['emergency', 'granted', 'granted']);
    // Recorded by the serving node, named after its validator.
    const status = await api<StatusView>('/v1/status');
    const names = new Map(
      status.validators.map((v) => [
        createHash('sha256').update(Buffer.from(v.publicKey, 'hex')).digest('hex'),
        v.name,
      ]),
    );
    const readRows = page.locator('table[aria-label="Audit trail, newest first"] tbody tr', {
      has: page.locator('td[data-label="Operation"] strong', { hasText: /^read$/ }),
    });
    expect(await readRows.count()).toBe(reads.length);
    const recordedBy = (await readRows.locator('td[data-label="By"] .small').allTextContents()).sort();
    expect(recordedBy).toEqual(reads.map((r) => `recorded by ${names.get(r.via)}`).sort());
    expect(await page.locator('tr.hl-emergency').count()).toBe(3); // request, co-sign, emergency read
    expect(await page.locator('tr.hl-read').count()).toBe(2);
    expect(await page.locator('tr.hl-violation').count()).toBe(0);
    const emergencyRead = page.locator('tr.hl-emergency', { hasText: 'read' }).filter({ hasText: 'ETREAT' });
    expect(await emergencyRead.count()).toBe(1);
    expect(await emergencyRead.textContent()).toContain('recorded by node');
    await shot(page, 'consent-patient');

    // Search by the CID of a record version (ciphertext) leads to its patient's page.
    const first = anchors[0]!;
    const firstVersion = await chainVersion(
      c,
      toHex(first.subject.subarray(0, 32)),
      decodeInt(first.subject.subarray(32)),
    );
    await page.goto(`${base}/#/`);
    const search = page.getByRole('searchbox', { name: /search/i });
    await search.fill(firstVersion.cid);
    await search.press('Enter');
    await page.waitForURL(new RegExp(`#/consent/patient/${w.patient.id}$`));

    // A doctor is not a patient: the patient page says so and links to the actor.
    await page.goto(`${base}/#/consent/patient/${w.doctorA.id}`);
    await page.locator('#nf-title').waitFor();
    expect(await page.locator('#nf-title').textContent()).toBe('Not a patient');
    await page.close();
  });

  it('consent: a chain started without the consent contract gets a clear state', async () => {
    const [bareNet] = await Promise.all([bare, waitLeader(await bare)]);
    const bareBase = bareNet.urls[0] ?? '';
    const q = await fetch(`${bareBase}/v1/query/consent/trailLength?args=${'00'.repeat(32)}`);
    expect(q.status).toBe(404);
    expect(((await q.json()) as { error: { code: string } }).error.code).toBe('unknown_contract');
    const page = await newPage();
    await page.goto(`${bareBase}/#/consent`);
    await page.locator('#nd-title').waitFor();
    expect(await page.locator('#nd-title').textContent()).toBe('Consent contract not deployed on this chain');
    await shot(page, 'consent-not-deployed');
    await page.goto(`${bareBase}/#/consent/patient/${'ab'.repeat(32)}`);
    await page.locator('#nd-title').waitFor();
    await page.close();
  });

  it('benchmarks: a bench JSON opened from a file renders its charts and tables', async () => {
    const page = await newPage();
    await page.goto(`${base}/#/bench`);
    await page.getByLabel('Bench JSON file').setInputFiles(BENCH);
    await page.locator('figure[aria-label="Throughput per second"]').waitFor();
    expect(await page.locator('figure[aria-label="Throughput per second"]').getAttribute('data-points')).toBe(
      '20',
    );
    expect(await page.locator('table[aria-label="Per-node figures"] tbody tr').count()).toBe(3);
    expect(await page.locator('ol[aria-label="Fault timeline"] li').count()).toBe(2);
    expect(await page.locator('figure[aria-label="Commit latency percentiles"]').textContent()).toContain(
      '388',
    );
    await shot(page, 'bench');
    await page.close();
  });

  it('renders on a phone screen (375x812) without horizontal scrolling', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
      timezoneId: TZ,
    });
    const page = await ctx.newPage();
    const tx = await put();
    const w = await world();
    const pages: [string, string, string][] = [
      ['/#/', '.live.open', 'network-phone'],
      ['/#/blocks', 'table[aria-label="Blocks, newest first"]', 'blocks-phone'],
      [`/#/blocks/${tx.height}`, 'dl[aria-label="Block header"]', 'block-phone'],
      [`/#/tx/${tx.hash}`, '[data-field="method"]', 'tx-phone'],
      [
        `/#/consent/patient/${w.patient.id}`,
        'table[aria-label="Audit trail, newest first"]',
        'consent-patient-phone',
      ],
    ];
    for (const [path, ready, name] of pages) {
      await page.goto(`${base}${path}`);
      await page.locator(ready).first().waitFor();
      await noHorizontalScroll(page);
      await shot(page, name);
    }
    await page.goto(`${base}/#/bench`);
    await page.getByLabel('Bench JSON file').setInputFiles(BENCH);
    await page.locator('table[aria-label="Per-node figures"]').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'bench-phone');
    await ctx.close();
  });

  it('marks a demo chain on every page, and no other chain', async () => {
    const demoBase = (await demo).urls[0] ?? '';
    const page = await newPage();
    for (const route of ['#/', '#/blocks', '#/consent', '#/bench']) {
      await page.goto(`${demoBase}/${route}`);
      const banner = page.locator('[data-field="demo-banner"]');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('Demo chain: synthetic data');
    }
    await shot(page, 'demo-banner');
    await page.goto(`${base}/#/bench`);
    await page.locator(`html[data-chain-id="${net.chainId}"]`).waitFor({ state: 'attached' });
    expect(await page.locator('[data-field="demo-banner"]').count()).toBe(0);
    await page.close();
  });
});
