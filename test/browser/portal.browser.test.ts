/**
 * The patient portal in a real Chromium against a real 3-validator network, as one story: a
 * patient creates a key in the browser (wrong passphrase refused, lock); an admin imports the key
 * file `ehrchain init` wrote and registers the patient from the QR text of their key and a doctor
 * from a key file in the CLI format; the doctor (TypeScript client, node 3) asks for access and the
 * patient approves it narrower, live; the doctor writes a record with hostile strings and a 1 MB
 * Bundle (90 Observations); the patient opens them, decrypted in the browser, the hostile strings shown as text; the
 * doctor reads through node 3 and the patient's access log names that node; the patient revokes and
 * the doctor's next read is refused. Then an insurer, the doctor and a colleague open their own
 * pages: the insurer's payment request is denied and its read refused in words; the doctor breaks
 * the glass, the colleague co-signs, the patient's log highlights it; the colleague sees the patient
 * in "my patients", writes a record that the patient opens and confirms; the admin links a guardian
 * and renews a licence. axe-core checks each role's page; the patient also acts by keyboard only.
 * Every request the pages make is recorded: no seed,
 * passphrase or plaintext is in any of them, and local/session storage stay empty.
 * Screenshots go to test-artifacts/portal/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account, EhrClient } from '../../client/client.js';
import { ConsentClient } from '../../client/consent.js';
import { decodeKeyFile, encodeKeyFile, generateKeyPair, type KeyPair } from '../../client/keyfile-format.js';
import { RecordsClient } from '../../client/records.js';
import { encodeAction } from '../../node/contracts/governance.js';
import { PORTAL_HEADERS } from '../../portal/serve.js';
import { fromHex, toHex } from '../../protocol/chain/encoding.js';
import { decodeInt, encodeInt } from '../../vm/abi.js';
import { PortalBrowser, tabTo } from '../helpers/portal-browser.js';
import { axeViolations } from './axe.js';
import { until } from './consent-world.js';
import { startNetwork, type TestNetwork, waitLeader } from './network.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/portal/', import.meta.url));
const DAY = 86_400_000;
const PATIENT_PASS = 'synthetic patient passphrase 1';
const ADMIN_PASS = 'synthetic admin passphrase 2';
const MARKER = 'synthetic-plaintext-marker-7f3a';
const HOSTILE = '<img src=x onerror="window.__xss=1">';

let net: TestNetwork;
let portal: PortalBrowser;
let patientPage: Page;
let adminPage: Page;
let patientKey: KeyPair;
let doctorKey: KeyPair;
let doctorConsent: ConsentClient;
let doctorRecords: RecordsClient;
let node3Name: string;
let recordId: string;
let bigRecordId: string;
let insurerPage: Page;
let doctorPage: Page;
let colleaguePage: Page;
let hospitalAdmin: ConsentClient;
const insurerKey = generateKeyPair();
const colleagueKey = generateKeyPair();

const newPage = (base: string, opts: { fakeClock?: boolean } = {}) => portal.newPage(base, opts);
const shot = (page: Page, name: string) => portal.shot(page, name);

const observation = (text: string, note: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text, coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
  valueQuantity: { value: 13.2, unit: 'g/dL' },
  note: [{ text: note }],
});

/** A Bundle of ~1 MB of synthetic observations (few, long ones: validation cost is per element). */
function bigBundle(): unknown {
  const filler = 'synthetic lab narrative '.repeat(480);
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: Array.from({ length: 90 }, (_, i) => ({ resource: observation(`Test ${i}`, `${filler}${i}`) })),
  };
}

const patientId = (): string => toHex(sha256(patientKey.publicKey));

/** Governance (two validators) adds the insurer organisation `insurer-1` with `admin` as its admin. */
async function addInsurerOrg(admin: KeyPair): Promise<void> {
  const client = new EhrClient(net.urls[0]!);
  const validator = async (i: number) =>
    new Account(
      decodeKeyFile(await readFile(join(net.dir, `node${i}`, 'keys', 'validator.json'), 'utf8')).seed,
      net.chainId,
    );
  const call = async (who: Account, method: 'propose' | 'approve', arg: Uint8Array): Promise<number> => {
    const tx = await who.call(client, 'governance', method, [arg], { timeoutMs: 20_000 });
    if (tx.receipt?.status !== 'ok') throw new Error(`governance ${method}: ${tx.receipt?.error}`);
    return decodeInt(fromHex(tx.receipt.returnData));
  };
  const cert = new Uint8Array(32).fill(7);
  const action = encodeAction({
    kind: 'consentCall',
    method: 'addOrg',
    args: [new TextEncoder().encode('insurer-1'), encodeInt(2), admin.publicKey, cert],
  });
  const id = await call(await validator(1), 'propose', action);
  await call(await validator(2), 'approve', encodeInt(id));
}

const openAs = (base: string, key: KeyPair, pass: string) => portal.openAs(base, key, pass);

describe('the portal', () => {
  beforeAll(async () => {
    [net, portal] = await Promise.all([
      startNetwork(3, { chainId: 'portal-test' }),
      PortalBrowser.launch(ARTIFACTS),
    ]);
    await waitLeader(net);
    const url3 = net.urls[2]!;
    node3Name = (await new EhrClient(url3).status()).name;
    doctorKey = generateKeyPair();
    const c3 = new EhrClient(url3);
    doctorConsent = new ConsentClient(c3, doctorKey.seed, net.chainId);
    doctorRecords = new RecordsClient(c3, doctorKey.seed, net.chainId);
  });

  afterAll(async () => {
    await portal?.close();
    await net?.stop();
  }, 120_000);

  it('serves /portal/ with a strict Content-Security-Policy and the security headers', async () => {
    const res = await fetch(`${net.urls[0]}/portal/`);
    expect(res.status).toBe(200);
    for (const [k, v] of Object.entries(PORTAL_HEADERS)) expect(res.headers.get(k)).toBe(v);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
  });

  it('creates a key in the browser, refuses a wrong passphrase, locks and unlocks', async () => {
    patientPage = await newPage(net.urls[0]!);
    await patientPage.waitForSelector('#create');
    await shot(patientPage, 'key-gate');
    expect(await axeViolations(patientPage)).toEqual([]);
    await patientPage.fill('#new-pass', PATIENT_PASS);
    await patientPage.fill('#new-confirm', PATIENT_PASS);
    await patientPage.click('text=Create key');
    await patientPage.waitForSelector('#not-registered', { timeout: 30_000 });
    const pub = (await patientPage.textContent('#my-public-key')) ?? '';
    expect(pub).toMatch(/^[0-9a-f]{64}$/);
    expect(await patientPage.locator('svg.qr').count()).toBe(1);

    // Export: the key file is the CLI's format and holds the same key.
    const [download] = await Promise.all([
      patientPage.waitForEvent('download'),
      patientPage.click('text=Export key file'),
    ]);
    patientKey = decodeKeyFile(await readFile((await download.path()) ?? '', 'utf8'));
    expect(toHex(patientKey.publicKey)).toBe(pub);

    await patientPage.click('#lock');
    await patientPage.waitForSelector('#locked-why');
    const pass = `#pass-${pub.slice(0, 8)}`;
    await patientPage.fill(pass, 'not the passphrase');
    await patientPage.click(`form:has(${pass}) button[type=submit]`);
    await patientPage.waitForSelector('#key-error', { timeout: 30_000 });
    expect(await patientPage.textContent('#key-error')).toContain('does not unlock');
    expect(await patientPage.locator('#my-public-key').count()).toBe(0);
  });

  it('lets the admin import the CLI key file and register the patient by QR text and a doctor by key file', async () => {
    adminPage = await newPage(net.urls[1]!, { fakeClock: true });
    const adminFile = await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8');
    await adminPage.fill('#import-text', adminFile);
    await adminPage.fill('#import-pass', ADMIN_PASS);
    await adminPage.fill('#import-confirm', ADMIN_PASS);
    await adminPage.click('text=Import key');
    await adminPage.waitForSelector('#admin-page', { timeout: 30_000 });

    await adminPage.fill('#reg-key', `ehrchain-key:${toHex(patientKey.publicKey)}`);
    await adminPage.selectOption('#reg-role', 'patient');
    await adminPage.click('#register button[type=submit]');
    await adminPage.waitForSelector('#register [data-phase=committed]', { timeout: 30_000 });

    await adminPage.fill('#reg-key', encodeKeyFile(doctorKey));
    expect(await adminPage.locator('#register [role=alert]').textContent()).toContain('private key');
    await adminPage.selectOption('#reg-role', 'doctor');
    await adminPage.click('#register button[type=submit]');
    await adminPage.waitForSelector('#register [data-phase=committed]', { timeout: 30_000 });
    expect((await doctorConsent.actor(doctorConsent.id))?.org).toBe('hospital-1');
    await shot(adminPage, 'admin');
    expect(await axeViolations(adminPage)).toEqual([]);
  });

  it('unlocks the patient, who approves a live access request narrower', async () => {
    // Keyboard only: Tab to the passphrase, type it, Enter.
    await tabTo(patientPage, `#pass-${toHex(patientKey.publicKey).slice(0, 8)}`);
    await patientPage.keyboard.type(PATIENT_PASS);
    await patientPage.keyboard.press('Enter');
    await patientPage.waitForSelector('#patient-page', { timeout: 30_000 });
    await patientPage.waitForSelector('text=Live:');

    const now = Date.now();
    const asked = now + 30 * DAY;
    const requestId = await doctorConsent.request(
      patientId(),
      {
        actions: ['read', 'write'],
        purposes: ['TREAT'],
        scope: { kind: 'all' },
        start: now,
        end: asked,
        exceptions: [],
      },
      'follow-up',
    );
    const card = `[data-request="${requestId}"]`;
    await patientPage.waitForSelector(card, { timeout: 20_000 });
    await patientPage.click(`${card} >> text=Approve narrower…`);
    const until10 = new Date(now + 10 * DAY).toISOString().slice(0, 10);
    await patientPage.fill(`#end-${requestId}`, until10);
    expect(await patientPage.textContent(`${card} [data-testid=narrow-summary]`)).toContain(
      'for treatment until',
    );
    const clicked = performance.now();
    await patientPage.click(`${card} >> text=Sign and approve narrower`);
    await patientPage.waitForSelector('[data-grant][data-state=active]', { timeout: 30_000 });
    console.log(
      `portal: approval signed in the browser, committed and shown in ${Math.round(performance.now() - clicked)} ms`,
    );

    const state = await doctorConsent.requestState(requestId);
    expect(state?.state).toBe('approved');
    const grant = await doctorConsent.grantInfo(state?.request.grantId ?? 0);
    expect(grant?.terms.end).toBe(Date.parse(`${until10}T00:00:00Z`));
    expect(grant?.terms.end).toBeLessThan(asked);
  });

  it('approves a request and revokes its grant with the keyboard only, the focus always visible', async () => {
    const now = Date.now();
    const requestId = await doctorConsent.request(
      patientId(),
      {
        actions: ['read'],
        purposes: ['TREAT'],
        scope: { kind: 'all' },
        start: now,
        end: now + 5 * DAY,
        exceptions: [],
      },
      'second-opinion',
    );
    const card = `[data-request="${requestId}"]`;
    await patientPage.waitForSelector(card, { timeout: 20_000 });
    await tabTo(patientPage, `${card} > .row > button:first-child`);
    expect(await patientPage.evaluate(() => document.activeElement?.textContent)).toBe('Approve as asked');
    await patientPage.keyboard.press('Enter');
    let grantId = 0;
    await until('the approval to commit', async () => {
      grantId = (await doctorConsent.requestState(requestId))?.request.grantId ?? 0;
      return grantId > 0;
    });
    const grant = `[data-grant="${grantId}"]`;
    await patientPage.waitForSelector(`${grant}[data-state=active]`, { timeout: 30_000 });
    await tabTo(patientPage, `${grant} button`);
    await patientPage.keyboard.press('Space');
    await patientPage.waitForSelector(`${grant}[data-state=revoked]`, { timeout: 30_000 });
  });

  it('opens a record decrypted in the browser and renders hostile strings as text', async () => {
    const put = await doctorRecords.put({
      patientKey: patientKey.publicKey,
      resource: observation(HOSTILE, `${MARKER} ${HOSTILE}`),
      category: 'lab',
    });
    recordId = put.recordId;
    const rec = `[data-record="${recordId}"]`;
    await patientPage.waitForSelector(rec, { timeout: 20_000 });
    await patientPage.click(`${rec} >> text=Open`);
    await patientPage.waitForSelector(`${rec} [data-testid=record-view]`, { timeout: 30_000 });
    const view = patientPage.locator(`${rec} [data-testid=record-view]`);
    expect(await view.textContent()).toContain(HOSTILE);
    expect(await view.textContent()).toContain(MARKER);
    expect(await patientPage.locator('[data-testid=record-view] img').count()).toBe(0);
    expect(await patientPage.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    await patientPage.click(`${rec} >> text=Raw JSON`);
    expect(await view.locator('pre.raw').textContent()).toContain('"resourceType": "Observation"');
    await patientPage.click(`${rec} >> text=Readable view`);
    expect(await view.locator('h4').first().textContent()).toBe(`Observation: ${HOSTILE}`);
  });

  it('opens a 1 MB record (the time is printed, not asserted)', async () => {
    const put = await doctorRecords.put({
      patientKey: patientKey.publicKey,
      resource: bigBundle(),
      category: 'lab',
    });
    bigRecordId = put.recordId;
    const rec = `[data-record="${bigRecordId}"]`;
    await patientPage.waitForSelector(rec, { timeout: 20_000 });
    await patientPage.click(`${rec} >> text=Open`);
    const ms = await patientPage.getAttribute(`${rec} [data-open-ms]`, 'data-open-ms', { timeout: 30_000 });
    const bytes = JSON.stringify(bigBundle()).length;
    console.log(`portal: opened and decrypted a ${(bytes / 1e6).toFixed(2)} MB record in ${ms} ms`);
    expect(Number(ms)).toBeGreaterThan(0);
    await patientPage.click(`${rec} >> text=Close`);
  });

  it("shows the doctor's read in the access log with the node that served it", async () => {
    const got = await doctorRecords.get(fromHex(recordId), { purpose: 'TREAT' });
    expect(got.version).toBe(1);
    const row = `#access-log tr[data-reader="${doctorConsent.id}"]`;
    await patientPage.waitForSelector(row, { timeout: 30_000 });
    expect(await patientPage.textContent(`${row} .node`)).toBe(node3Name);
    expect(await patientPage.textContent(row)).toContain('treatment');
    await shot(patientPage, 'patient');
    expect(await axeViolations(patientPage)).toEqual([]);
  });

  it("revokes the doctor's grant, after which the doctor's read is refused", async () => {
    await patientPage.click('[data-grant][data-state=active] >> text=Revoke');
    await patientPage.waitForSelector('[data-grant][data-state=revoked]', { timeout: 30_000 });
    await shot(patientPage, 'patient-revoked');
    await until('the revocation to reach node 3', async () => {
      const d = await doctorConsent.canAccess(
        doctorConsent.id,
        patientId(),
        { kind: 'record', recordId, version: 0 },
        'read',
        'TREAT',
      );
      return !d.allowed;
    });
    await expect(doctorRecords.get(fromHex(recordId), { purpose: 'TREAT' })).rejects.toThrow();
  });

  it('opens the pages of an insurer and two doctors, each in their own browser context', async () => {
    const adminFile = await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8');
    hospitalAdmin = new ConsentClient(
      new EhrClient(net.urls[0]!),
      decodeKeyFile(adminFile).seed,
      net.chainId,
    );
    const admin = hospitalAdmin;
    const licenceExpiry = Date.now() + 365 * DAY;
    const insurerAdmin = generateKeyPair();
    await Promise.all([
      addInsurerOrg(insurerAdmin).then(() =>
        new ConsentClient(new EhrClient(net.urls[0]!), insurerAdmin.seed, net.chainId).register({
          publicKey: insurerKey.publicKey,
          role: 'insurer',
          licenceExpiry,
        }),
      ),
      admin.register({ publicKey: colleagueKey.publicKey, role: 'doctor', licenceExpiry }),
    ]);
    [insurerPage, doctorPage, colleaguePage] = await Promise.all([
      openAs(net.urls[1]!, insurerKey, 'synthetic insurer passphrase 3'),
      openAs(net.urls[2]!, doctorKey, 'synthetic doctor passphrase 4'),
      openAs(net.urls[0]!, colleagueKey, 'synthetic doctor passphrase 5'),
    ]);
    expect(await insurerPage.textContent('#who-role')).toBe('insurer · insurer-1');
    await shot(doctorPage, 'doctor');
    await shot(insurerPage, 'insurer');
    expect(await axeViolations(doctorPage)).toEqual([]);
    expect(await axeViolations(insurerPage)).toEqual([]);
  });

  it("lets the insurer ask for payment access, the patient deny it, and refuses the insurer's read in words", async () => {
    await insurerPage.fill('#rq-patient', patientId());
    await insurerPage.fill('#rq-reason', 'claim-review');
    await insurerPage.click('#request button[type=submit]');
    await insurerPage.waitForSelector('#request [data-phase=committed]', { timeout: 30_000 });
    const [requestId] = await doctorConsent.requestsBy(toHex(sha256(insurerKey.publicKey)));
    const card = `[data-request="${requestId}"]`;
    await patientPage.waitForSelector(card, { timeout: 20_000 });
    expect(await patientPage.textContent(card)).toContain('for payment');
    await patientPage.click(`${card} >> text=Deny…`);
    await patientPage.selectOption(`#deny-${requestId}`, 'too-broad');
    await patientPage.click(`${card} form button[type=submit]`);
    await until('the denial', async () => (await doctorConsent.requestState(requestId!))?.state === 'denied');

    await insurerPage.fill('#open-id', recordId);
    await insurerPage.click('#open button[type=submit]');
    const refusal = (await insurerPage.locator('#open [role=alert]').textContent({ timeout: 30_000 })) ?? '';
    console.log(`portal: the insurer's read is refused with "${refusal}"`);
    expect(refusal).toBe('No grant names this actor, its organisation or its role.');
    expect(await insurerPage.locator('#open [data-testid=record-view]').count()).toBe(0);
  });

  it("lets a doctor break the glass, co-signed by a colleague, and highlights it in the patient's log", async () => {
    await doctorPage.fill('#em-patient', patientId());
    await doctorPage.fill('#em-reason', 'unconscious');
    await doctorPage.click('#emergency-request button[type=submit]');
    const emergencyId =
      (await doctorPage.getAttribute('[data-emergency-id]', 'data-emergency-id', { timeout: 30_000 })) ?? '';
    expect(Number(emergencyId)).toBeGreaterThan(0);

    await colleaguePage.fill('#cosign-id', emergencyId);
    await colleaguePage.click('#emergency-cosign button[type=submit]');
    await colleaguePage.waitForSelector('#emergency-cosign [data-phase=committed]', { timeout: 30_000 });
    await until('the co-signature to reach node 3', async () => {
      const d = await doctorConsent.canAccess(
        doctorConsent.id,
        patientId(),
        { kind: 'record', recordId, version: 0 },
        'read',
        'ETREAT',
      );
      return d.allowed;
    });

    await doctorPage.fill('#open-id', recordId);
    await doctorPage.selectOption('#open-purpose', 'ETREAT');
    await doctorPage.click('#open button[type=submit]');
    await doctorPage.waitForSelector('#open [data-testid=record-view]', { timeout: 30_000 });

    const log = '#access-log tr.emergency';
    await patientPage.waitForSelector(
      `${log}[data-op=read][data-reader="${doctorConsent.id}"]:has(td:text-is("allowed"))`,
      { timeout: 30_000 },
    );
    expect(await patientPage.locator(`${log}[data-op=requestEmergency]`).count()).toBe(1);
    expect(await patientPage.locator(`${log}[data-op=cosignEmergency]`).count()).toBe(1);
    expect(await patientPage.textContent(`${log}[data-op=read]`)).toContain('Emergency');
    await shot(patientPage, 'patient-emergency');
  });

  it('shows a doctor the patients who gave them access, live, and their past grants', async () => {
    const patientConsent = new ConsentClient(new EhrClient(net.urls[0]!), patientKey.seed, net.chainId);
    const now = Date.now();
    const grantId = await patientConsent.grant(
      { kind: 'actor', id: toHex(sha256(colleagueKey.publicKey)) },
      {
        actions: ['read', 'write'],
        purposes: ['TREAT'],
        scope: { kind: 'all' },
        start: now,
        end: now + 3 * DAY,
        exceptions: [],
      },
    );
    const row = `#my-patients [data-grant="${grantId}"][data-state=active]`;
    await colleaguePage.waitForSelector(row, { timeout: 30_000 });
    expect(await colleaguePage.getAttribute(row, 'data-patient')).toBe(patientId());
    expect(await colleaguePage.textContent(row)).toContain('read and add records for treatment');
    // The first doctor's two grants, both revoked by the patient, replayed from the event index.
    await expect.poll(() => doctorPage.locator('#my-patients [data-state=revoked]').count()).toBe(2);
    await shot(colleaguePage, 'doctor-my-patients');
  });

  it('lets a doctor write a record in the browser, which the patient opens decrypted and confirms', async () => {
    await colleaguePage.fill('#w-patient', toHex(patientKey.publicKey));
    // Invalid first: the error names the FHIR path.
    const immunization = {
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: { text: 'Tetanus, synthetic' },
      patient: { reference: 'Patient/synthetic-7' },
      occurrenceDateTime: '2026-11-01',
    };
    await colleaguePage.click('#w-tab-json');
    await colleaguePage.fill('#w-json', JSON.stringify({ ...immunization, status: 42 }));
    await colleaguePage.click('#write button[type=submit]');
    await colleaguePage.waitForSelector('#write [data-phase=refused]', { timeout: 30_000 });
    expect(await colleaguePage.textContent('#write [data-phase=refused]')).toContain('Immunization.status');

    await colleaguePage.fill('#w-json', JSON.stringify(immunization));
    await colleaguePage.click('#write button[type=submit]');
    const written =
      (await colleaguePage.getAttribute('#write [data-written]', 'data-written', { timeout: 30_000 })) ?? '';
    const rec = `[data-record="${written}"]`;
    await patientPage.waitForSelector(rec, { timeout: 20_000 });
    await patientPage.click(`${rec} >> text=Open`);
    await patientPage.waitForSelector(`${rec} [data-testid=record-view]`, { timeout: 30_000 });
    expect(await patientPage.textContent(`${rec} [data-testid=record-view] h4`)).toBe(
      'Immunization: Tetanus, synthetic',
    );
    await patientPage.click(`${rec} >> text=Confirm`);
    await patientPage.waitForSelector(`${rec} .attest`, { timeout: 30_000 });
    expect(await patientPage.textContent(`${rec} .attest`)).toContain('patient-confirmed');
  });

  it('lets the admin link a guardian and renew a licence', async () => {
    const guardian = generateKeyPair();
    const guardianId = toHex(sha256(guardian.publicKey));
    await hospitalAdmin.register({ publicKey: guardian.publicKey, role: 'guardian' });
    await adminPage.fill('#gl-guardian', guardianId);
    await adminPage.fill('#gl-patient', patientId());
    await adminPage.click('#gl-link');
    await adminPage.waitForSelector('#guardian-form [data-phase=committed]', { timeout: 30_000 });
    await until('the link to reach node 3', async () => {
      const d = await doctorConsent.canAccess(
        guardianId,
        patientId(),
        { kind: 'record', recordId, version: 0 },
        'read',
        'TREAT',
      );
      return d.reason === 'guardian';
    });

    const colleagueId = toHex(sha256(colleagueKey.publicKey));
    const renewed = new Date(Date.now() + 730 * DAY).toISOString().slice(0, 10);
    await adminPage.fill('#lic-actor', colleagueId);
    await adminPage.fill('#lic-until', renewed);
    await adminPage.click('#licence-form button[type=submit]');
    await adminPage.waitForSelector('#licence-form [data-phase=committed]', { timeout: 30_000 });
    expect((await hospitalAdmin.actor(colleagueId))?.licence).toBe(Date.parse(`${renewed}T00:00:00Z`));
    await shot(adminPage, 'admin-people');
    expect(await axeViolations(adminPage)).toEqual([]);
  });

  it('fits a phone screen', async () => {
    await patientPage.setViewportSize({ width: 390, height: 844 });
    await shot(patientPage, 'patient-phone');
    const overflow = await patientPage.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(1);
  });

  it('locks itself after the idle minutes and forgets the unlocked key', async () => {
    expect(await adminPage.locator('#admin-page').count()).toBe(1);
    await adminPage.clock.fastForward('04:00');
    expect(await adminPage.locator('#admin-page').count()).toBe(1);
    await adminPage.clock.fastForward('01:01');
    await adminPage.waitForSelector('#locked-why');
    expect(await adminPage.textContent('#locked-why')).toBe('Locked after 5 minutes without activity.');
    expect(await adminPage.locator('#admin-page, #my-public-key').count()).toBe(0);
  });

  it('sent no seed, passphrase or plaintext anywhere, and left local and session storage empty', async () => {
    const secrets: [string, Buffer][] = [
      ['patient seed (hex)', Buffer.from(toHex(patientKey.seed))],
      ['patient seed (bytes)', Buffer.from(patientKey.seed)],
      ['doctor seed (hex)', Buffer.from(toHex(doctorKey.seed))],
      [
        'admin seed (hex)',
        Buffer.from(
          JSON.parse(await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8')).seed as string,
        ),
      ],
      ['patient passphrase', Buffer.from(PATIENT_PASS)],
      ['admin passphrase', Buffer.from(ADMIN_PASS)],
      ['insurer seed (hex)', Buffer.from(toHex(insurerKey.seed))],
      ['colleague seed (hex)', Buffer.from(toHex(colleagueKey.seed))],
      ['record plaintext', Buffer.from(MARKER)],
      ['plaintext of the record written in the browser', Buffer.from('Tetanus, synthetic')],
    ];
    // Not vacuous: the pages did sign and send transactions.
    expect(
      portal.sent.filter((s) => s.url.includes('/v1/tx') && s.body.length > 0).length,
    ).toBeGreaterThanOrEqual(4);
    for (const s of portal.sent) {
      const where = Buffer.concat([Buffer.from(s.url), Buffer.from(s.headers), s.body]);
      for (const [what, secret] of secrets)
        expect({ url: s.url, leaked: where.includes(secret) ? what : null }).toEqual({
          url: s.url,
          leaked: null,
        });
    }
    for (const page of [patientPage, adminPage, insurerPage, doctorPage, colleaguePage]) {
      expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    }
    expect(portal.cspErrors).toEqual([]);
  });
});
