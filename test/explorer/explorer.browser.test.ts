/**
 * The explorer in a real Chromium against a real 3-validator network in this process: live
 * dashboard, blocks, tx pages, search, not-found states, consent (not deployed on this chain, and
 * the real consent contract run in memory behind the query route), benchmarks, and a phone screen.
 * Screenshots go to test-artifacts/explorer/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExplorer } from '../../explorer/build.js';
import { Account, EhrClient } from '../../node/client/client.js';
import type { BlockView, StatusView, TxView } from '../../node/http/backend.js';
import { consentStub, serveConsent } from './consent-stub.js';
import { startNetwork, type TestNetwork, waitLeader } from './network.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/explorer/', import.meta.url));
const BENCH = fileURLToPath(new URL('./fixtures/bench-sample.json', import.meta.url));
const enc = new TextEncoder();

let net: TestNetwork;
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
    await waitLeader(net);
    base = net.urls[0] ?? '';
    client = new EhrClient(base);
    account = new Account(randomBytes(32), net.chainId);
    for (let i = 0; i < 4; i++) await put();
  });

  afterAll(async () => {
    await browser?.close();
    await net?.stop();
  });

  it('dashboard: rising height, leader, validators, live charts fed by SSE', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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

  it('consent: the consent contract of the chain answers, and a chain without it gets a clear state', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const q = await fetch(`${base}/v1/query/consent/auditLength`);
    if (q.status === 200) {
      // Deployed on this chain: the landing page shows the audit log's length from the contract.
      const n = Number.parseInt(((await q.json()) as { returnData: string }).returnData, 16);
      await page.goto(`${base}/#/consent`);
      await page.locator('.badge.ok', { hasText: 'deployed' }).waitFor();
      expect(await page.locator('main').textContent()).toContain(`audit log holds ${n} entries`);
      await shot(page, 'consent-home');
    }
    // A chain without the contract: the node answers 404 unknown_contract (as it does for any
    // unknown contract id), simulated here on the route so the state is tested on every chain.
    await page.route('**/v1/query/consent/**', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'unknown_contract', message: 'no contract consent' } }),
      }),
    );
    await page.goto(`${base}/#/consent`);
    await page.reload();
    await page.locator('#nd-title').waitFor();
    expect(await page.locator('#nd-title').textContent()).toBe('Consent contract not deployed on this chain');
    await shot(page, 'consent-not-deployed');
    await page.goto(`${base}/#/consent/patient/${'ab'.repeat(32)}`);
    await page.locator('#nd-title').waitFor();
    await page.close();
  });

  it('consent: a patient page built from the real contract (grants, versions, highlighted trail)', async () => {
    const stub = consentStub();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await serveConsent(page, stub);
    await page.goto(`${base}/#/consent/patient/${stub.patient}`);
    expect(await heading(page)).toBe('Patient');
    await page.locator('table[aria-label="Audit trail, newest first"]').waitFor();
    expect(await page.locator('[data-field="role"]').textContent()).toBe('patient');
    expect(await page.locator('[data-field="org"]').textContent()).toBe('hosp-a');
    // standard(): record-scoped write grants to the scribe for the patient's 3 records, + 2 here.
    expect(await page.locator('table[aria-label="Grants"] tbody tr').count()).toBe(5);
    expect(await page.locator('table[aria-label="Grants"]').textContent()).toContain('revoked');
    expect(await page.locator('table[aria-label="Record versions"] tbody tr').count()).toBe(3);
    expect(await page.locator('tr.hl-emergency').count()).toBe(3); // request, co-sign, emergency read
    expect(await page.locator('tr.hl-violation').count()).toBe(1); // the insurer had no grant
    expect(await page.locator('tr.hl-read').count()).toBe(1);
    await shot(page, 'consent-patient');

    await page.goto(`${base}/#/consent/actor/${stub.doctor}`);
    await page.locator('[data-field="role"]').waitFor();
    expect(await page.locator('[data-field="role"]').textContent()).toBe('doctor');
    await page.close();
  });

  it('benchmarks: a bench JSON opened from a file renders its charts and tables', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    });
    const page = await ctx.newPage();
    const tx = await put();
    const stub = consentStub();
    await serveConsent(page, stub);
    const pages: [string, string, string][] = [
      ['/#/', '.live.open', 'network-phone'],
      ['/#/blocks', 'table[aria-label="Blocks, newest first"]', 'blocks-phone'],
      [`/#/blocks/${tx.height}`, 'dl[aria-label="Block header"]', 'block-phone'],
      [`/#/tx/${tx.hash}`, '[data-field="method"]', 'tx-phone'],
      [
        `/#/consent/patient/${stub.patient}`,
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
});
