/**
 * The portal's FHIR form editor and camera QR in a real Chromium against a real 3-validator
 * network (one network for the file). The admin registers a patient by pointing the camera at the
 * QR code of their public key (Chromium's fake camera plays a Y4M of that code), and reads the
 * page's sentences for a QR code without a key, a refused camera and no camera; the patient
 * grants a doctor; the doctor writes an Observation from the form, an invalid effective time
 * first, whose validation issue is shown beside that field; the form and JSON tabs carry the
 * resource across; the patient opens the record decrypted and reads it, and no request of any page
 * holds its plaintext or a seed. axe-core checks the
 * admin's page and the form page; screenshots of the form (desktop and phone) and of the admin's
 * page go to test-artifacts/portal-forms/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import encodeQR from 'qr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EhrClient } from '../../client/client.js';
import { ConsentClient } from '../../client/consent.js';
import { roleName } from '../../client/consent-views.js';
import { decodeKeyFile, generateKeyPair } from '../../client/keyfile-format.js';
import { buildPortal } from '../../portal/build.js';
import { toHex } from '../../protocol/chain/encoding.js';
import { fakeCameraArgs, openPortalAs, type PortalLog, writeQrY4m } from '../helpers/portal-browser-forms.js';
import { axeViolations } from './axe.js';
import { startNetwork, type TestNetwork, waitLeader } from './network.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/portal-forms/', import.meta.url));
const DAY = 86_400_000;

const patientKey = generateKeyPair();
const doctorKey = generateKeyPair();
const log: PortalLog = { csp: [], contexts: [], sent: [] };
let net: TestNetwork;
let browser: Browser;
let tmp: string;
let hospitalAdmin: ConsentClient;
let doctorPage: Page;
let recordId = '';
let patientReady: Promise<Page>;
let adminPage: Page;
let doctorReady: Promise<Page>;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

describe('the portal form editor and camera QR', () => {
  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    tmp = await mkdtemp(join(tmpdir(), 'ehrchain-portal-forms-'));
    const y4m = join(tmp, 'patient-key-qr.y4m');
    await writeQrY4m(y4m, `ehrchain-key:${toHex(patientKey.publicKey)}`);
    await buildPortal();
    [net, browser] = await Promise.all([
      startNetwork(3, { chainId: 'portal-forms-test' }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', ...fakeCameraArgs(y4m)],
      }),
    ]);
    await waitLeader(net);
    const adminFile = await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8');
    hospitalAdmin = new ConsentClient(
      new EhrClient(net.urls[0]!),
      decodeKeyFile(adminFile).seed,
      net.chainId,
    );
  });

  afterAll(async () => {
    await Promise.allSettled(log.contexts.map((c) => c.close()));
    await browser?.close();
    await net?.stop();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }, 60_000);

  it("registers a patient from the camera's view of their public-key QR code", async () => {
    const adminFile = await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8');
    await hospitalAdmin.register({
      publicKey: doctorKey.publicKey,
      role: 'doctor',
      licenceExpiry: Date.now() + 365 * DAY,
    });
    // The doctor's page unlocks (scrypt, in its own renderer) while the admin scans.
    doctorReady = openPortalAs(
      browser,
      net.urls[2]!,
      { key: doctorKey, pass: 'synthetic doctor passphrase 2', ready: '#clinician-page' },
      log,
    );
    adminPage = await openPortalAs(
      browser,
      net.urls[1]!,
      { key: adminFile, pass: 'synthetic admin passphrase 1', ready: '#admin-page' },
      log,
    );
    await adminPage.click('#cam-start');
    await adminPage.waitForSelector('#camera-qr [data-scan=found]', { timeout: 20_000 });
    expect(await adminPage.inputValue('#reg-key')).toBe(`ehrchain-key:${toHex(patientKey.publicKey)}`);
    expect(await adminPage.locator('#camera-qr video').isHidden()).toBe(true);
    await adminPage.selectOption('#reg-role', 'patient');
    await adminPage.click('#register button[type=submit]');
    await adminPage.waitForSelector('#register [data-phase=committed]', { timeout: 30_000 });
    const patient = new ConsentClient(new EhrClient(net.urls[0]!), patientKey.seed, net.chainId);
    expect(roleName((await patient.actor(patient.id))?.role ?? -1)).toBe('patient');
    await shot(adminPage, 'admin-camera');
  });

  it('says when the camera shows a QR code without a key, is refused, or is missing', async () => {
    // The page's camera replaced (through the DevTools protocol, outside the CSP) by a canvas
    // stream of a QR code holding a web address.
    const grid = encodeQR('https://example.org/synthetic', 'raw', { ecc: 'medium', border: 4 });
    await adminPage.evaluate((g) => {
      const cell = 8;
      const c = document.createElement('canvas');
      c.width = g.length * cell;
      c.height = g.length * cell;
      const ctx = c.getContext('2d');
      const draw = () => {
        if (ctx === null) return;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, c.width, c.height);
        ctx.fillStyle = '#000';
        g.forEach((row, y) => {
          row.forEach((on, x) => {
            if (on) ctx.fillRect(x * cell, y * cell, cell, cell);
          });
        });
      };
      const stream = c.captureStream(10);
      setInterval(draw, 100); // a canvas stream sends a frame when the canvas is drawn
      navigator.mediaDevices.getUserMedia = async () => stream;
    }, grid);
    await adminPage.click('#cam-start');
    const wrong = adminPage.locator('#camera-qr [data-scan=wrong]');
    await wrong.waitFor({ timeout: 20_000 });
    expect(await wrong.textContent()).toContain(
      'holds no public key (it reads "https://example.org/synthetic")',
    );
    await adminPage.click('#cam-stop');
    expect(await adminPage.inputValue('#reg-key')).toBe(`ehrchain-key:${toHex(patientKey.publicKey)}`);

    for (const [name, state, words] of [
      ['NotAllowedError', 'refused', 'The camera was refused.'],
      ['NotFoundError', 'no-camera', 'No camera was found on this device.'],
    ] as const) {
      await adminPage.evaluate((n) => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('synthetic', n));
      }, name);
      await adminPage.click('#cam-start');
      const alert = adminPage.locator(`#camera-qr [role=alert][data-scan=${state}]`);
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toContain(words);
    }
    expect(await axeViolations(adminPage)).toEqual([]);
    doctorPage = await doctorReady;
  });

  it('shows a validation issue beside the form field that caused it', async () => {
    const patient = new ConsentClient(new EhrClient(net.urls[0]!), patientKey.seed, net.chainId);
    const doctorId = new ConsentClient(new EhrClient(net.urls[0]!), doctorKey.seed, net.chainId).id;
    const now = Date.now();
    // The patient's page unlocks while the doctor works; it is read in a later test.
    patientReady = openPortalAs(
      browser,
      net.urls[0]!,
      { key: patientKey, pass: 'synthetic patient passphrase 3', ready: '#patient-page' },
      log,
    );
    await patient.grant(
      { kind: 'actor', id: doctorId },
      {
        actions: ['read', 'write'],
        purposes: ['TREAT'],
        scope: { kind: 'all' },
        start: now,
        end: now + 30 * DAY,
        exceptions: [],
      },
    );
    await doctorPage.fill('#w-patient', toHex(patientKey.publicKey));
    expect(await doctorPage.locator('#w-json').isHidden()).toBe(true);
    // The page's example is a body temperature in Cel: clear the unit, the pick list fills it.
    await doctorPage.fill('#wf-unit', '');
    await doctorPage.selectOption('#wf-code-pick', { label: 'Heart rate (8867-4)' });
    expect(await doctorPage.inputValue('#wf-unit')).toBe('/min');
    await doctorPage.fill('#wf-value', '72');
    await doctorPage.fill('#wf-effective', 'yesterday morning');
    await doctorPage.fill('#wf-subject', 'Patient/synthetic-1');
    await doctorPage.click('#write button[type=submit]');
    await doctorPage.waitForSelector('#write [data-phase=refused]', { timeout: 30_000 });
    const beside = doctorPage.locator('.form-field:has(#wf-effective) [data-field-error=effective]');
    expect(await beside.textContent()).toBe('Invalid dateTime format');
    expect(await doctorPage.getAttribute('#wf-effective', 'aria-invalid')).toBe('true');
    expect(await doctorPage.textContent('#write [data-phase=refused]')).toContain('Observation.effective[x]');
    expect(await doctorPage.locator('[data-field-error]').count()).toBe(1);
    await doctorPage.locator('#write').scrollIntoViewIfNeeded();
    await doctorPage.locator('#write').screenshot({ path: `${ARTIFACTS}form-error.png` });
  });

  it('carries the resource between the form and JSON tabs, and writes it encrypted', async () => {
    await doctorPage.fill('#wf-effective', '2026-11-01T09:30:00Z');
    expect(await doctorPage.locator('[data-field-error]').count()).toBe(0);
    await doctorPage.click('#w-tab-json');
    const json = JSON.parse(await doctorPage.inputValue('#w-json')) as Record<string, unknown>;
    expect(json).toEqual({
      resourceType: 'Observation',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      status: 'final',
      valueQuantity: { value: 72, unit: '/min' },
      effectiveDateTime: '2026-11-01T09:30:00Z',
      subject: { reference: 'Patient/synthetic-1' },
    });
    // JSON that does not parse stays in the JSON tab, with the reason under it.
    await doctorPage.fill('#w-json', '{ "resourceType": "Observation", ');
    await doctorPage.click('#w-tab-form');
    expect(await doctorPage.textContent('#w-json-error')).toContain('does not parse');
    expect(await doctorPage.locator('#w-json').isVisible()).toBe(true);
    // Edited as JSON (a note the form does not show), then back to the form by keyboard (the
    // tabs pattern's arrow keys): both survive.
    await doctorPage.fill(
      '#w-json',
      JSON.stringify({ ...json, note: [{ text: 'synthetic: after a walk' }] }),
    );
    await doctorPage.focus('#w-tab-json');
    await doctorPage.keyboard.press('ArrowLeft');
    expect(await doctorPage.evaluate(() => document.activeElement?.id)).toBe('w-tab-form');
    expect(await doctorPage.locator('#w-json').isHidden()).toBe(true);
    expect(await doctorPage.inputValue('#wf-value')).toBe('72');
    await doctorPage.fill('#wf-value', '74');
    await doctorPage.click('#write button[type=submit]');
    recordId =
      (await doctorPage.getAttribute('#write [data-written]', 'data-written', { timeout: 30_000 })) ?? '';
    expect(recordId).toMatch(/^[0-9a-f]+$/);
  });

  it('lets the patient open the record the form wrote, decrypted and readable', async () => {
    const patientPage = await patientReady;
    const rec = `[data-record="${recordId}"]`;
    await patientPage.waitForSelector(rec, { timeout: 30_000 });
    await patientPage.click(`${rec} >> text=Open`);
    const view = patientPage.locator(`${rec} [data-testid=record-view]`);
    await view.waitFor({ timeout: 30_000 });
    expect(await view.locator('h4').first().textContent()).toBe('Observation: Heart rate');
    const text = (await view.textContent()) ?? '';
    expect(text).toContain('74 /min');
    expect(text).toContain('synthetic: after a walk');
    // The plaintext the form wrote and the doctor's seed are in no request any page sent.
    expect(log.sent.length).toBeGreaterThan(0);
    for (const secret of ['synthetic: after a walk', toHex(doctorKey.seed), toHex(patientKey.seed)])
      expect(log.sent.filter((b) => b.includes(secret)).length).toBe(0);
  });

  it('passes the accessibility check and fits a phone, every field labelled', async () => {
    expect(await axeViolations(doctorPage)).toEqual([]);
    const unlabelled = await doctorPage.evaluate(() =>
      Array.from(document.querySelectorAll('#write input, #write select, #write textarea'))
        .filter(
          (el) => (el as HTMLInputElement).labels?.length === 0 && el.getAttribute('aria-label') === null,
        )
        .map((el) => el.id),
    );
    expect(unlabelled).toEqual([]);
    await shot(doctorPage, 'doctor-form-desktop');
    await doctorPage.setViewportSize({ width: 390, height: 844 });
    await doctorPage.locator('#write').screenshot({ path: `${ARTIFACTS}form-phone.png` });
    const overflow = await doctorPage.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
    expect(log.csp).toEqual([]);
  });
});
