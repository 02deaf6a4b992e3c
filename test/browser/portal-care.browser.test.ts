/**
 * The portal's care actions in a real Chromium against one real 3-validator network, each person in
 * their own browser context with their own key (imported from the CLI's key file): the patient
 * gives a grant from the form (the plain-language summary first); the doctor's "my patients" lists
 * the grants to them, to their organisation and to their role (the node's group keys); the doctor
 * requests emergency access and a colleague co-signs it from their list of open emergencies; the
 * doctor co-signs a colleague's record version from the record view and the admin validates it;
 * the admin suspends the colleague, whose read is then refused in words, and reinstates them; the
 * patient erases a record (typed confirmation) and the doctor's read is refused; an emergency nobody
 * co-signed turns expired. Screenshots go to test-artifacts/portal-care/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EhrClient } from '../../client/client.js';
import { actorIdOf, ConsentClient } from '../../client/consent.js';
import { REASON_SENTENCES } from '../../client/consent-reasons.js';
import { decodeKeyFile, generateKeyPair, type KeyPair } from '../../client/keyfile-format.js';
import { RecordsClient } from '../../client/records.js';
import { PortalBrowser } from '../helpers/portal-browser.js';
import { axeViolations } from './axe.js';
import { startNetwork, type TestNetwork, waitLeader } from './network.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/portal-care/', import.meta.url));
const DAY = 86_400_000;
const T = { timeout: 30_000 };

/** Waits for the signed action's progress line in `scope` to end, and expects it committed. */
async function committed(page: Page, scope: string): Promise<void> {
  const done = `${scope} [data-phase=committed], ${scope} [data-phase=refused]`;
  await page.waitForSelector(done, T).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\n${scope} shows: ${await page.textContent(scope)}`);
  });
  expect(await page.textContent(done)).toMatch(/: committed\.$/);
}

let net: TestNetwork;
let portal: PortalBrowser;
const patient = generateKeyPair();
const doctor = generateKeyPair();
const colleague = generateKeyPair();
let admin: ConsentClient;
let patientConsent: ConsentClient;
let pages: { admin: Page; patient: Page; doctor: Page; colleague: Page };
/** A record the colleague wrote about the patient (version 1 by the colleague). */
let recordId = '';

const idOf = (k: KeyPair): string => actorIdOf(k.publicKey);
/** The number of the last emergency request the doctor's page showed. */
let firstEmergency = '';
const terms = (actions: ('read' | 'write')[], days: number) => ({
  actions,
  purposes: ['TREAT' as const],
  scope: { kind: 'all' as const },
  start: Date.now(),
  end: Date.now() + days * DAY,
  exceptions: [],
});

describe('the portal: care actions of patients, doctors and admins', () => {
  beforeAll(async () => {
    [net, portal] = await Promise.all([
      startNetwork(3, { chainId: 'portal-care-test' }),
      PortalBrowser.launch(ARTIFACTS),
    ]);
    await waitLeader(net);
    const adminKey = decodeKeyFile(await readFile(join(net.dir, 'keys', 'admin-hospital-1.json'), 'utf8'));
    admin = new ConsentClient(new EhrClient(net.urls[0]!), adminKey.seed, net.chainId);
    patientConsent = new ConsentClient(new EhrClient(net.urls[1]!), patient.seed, net.chainId);
    const licenceExpiry = Date.now() + 365 * DAY;
    await admin.register({ publicKey: patient.publicKey, role: 'patient' });
    await admin.register({ publicKey: doctor.publicKey, role: 'doctor', licenceExpiry });
    await admin.register({ publicKey: colleague.publicKey, role: 'doctor', licenceExpiry });
    // Two at a time: each import runs scrypt (128 MiB) in its page, on a 2-core machine.
    const [a, p] = await Promise.all([
      portal.openAs(net.urls[0]!, adminKey, 'synthetic admin passphrase 1', '#admin-page'),
      portal.openAs(net.urls[1]!, patient, 'synthetic patient passphrase 2', '#patient-page'),
    ]);
    const [d, c] = await Promise.all([
      portal.openAs(net.urls[2]!, doctor, 'synthetic doctor passphrase 3'),
      // A controllable clock (flowing until moved): the last test moves it past a co-sign window.
      portal.openAs(net.urls[0]!, colleague, 'synthetic doctor passphrase 4', '#clinician-page', {
        fakeClock: true,
      }),
    ]);
    pages = { admin: a, patient: p, doctor: d, colleague: c };
  }, 240_000);

  afterAll(async () => {
    await portal?.close();
    await net?.stop();
  }, 120_000);

  it('the patient gives a grant from the form: summary first, then signed, then active', async () => {
    const p = pages.patient;
    await p.selectOption('#g-kind', 'actor');
    await p.fill('#g-who', idOf(doctor));
    await p.fill('#g-cats', 'lab');
    const until = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    await p.fill('#g-end', until);
    await p.click('#give button[type=submit]');
    const summary = (await p.textContent('#grant-summary', T)) ?? '';
    expect(summary).toContain(
      `Actor ${idOf(doctor).slice(0, 8)}… may read your lab records for treatment until`,
    );
    await p.click('#give >> text=Sign and give grant');
    await committed(p, '#give');
    await p.waitForSelector('#grants [data-grant][data-state=active]', T);
    const onChain = await patientConsent.grantInfo(1);
    expect(onChain?.grantee).toEqual({ kind: 'actor', id: idOf(doctor) });
    expect(onChain?.terms.scope).toEqual({ kind: 'categories', categories: ['lab'] });
  }, 60_000);

  it("the doctor's patients include grants to the doctor, their organisation and their role", async () => {
    const toOrg = await patientConsent.grant({ kind: 'org', id: 'hospital-1' }, terms(['read', 'write'], 20));
    const toRole = await patientConsent.grant({ kind: 'role', id: 'doctor' }, terms(['read'], 10));
    const d = pages.doctor;
    const row = (g: number) => `#my-patients [data-grant="${g}"][data-state=active]`;
    await d.waitForSelector(row(1), T);
    await d.waitForSelector(row(toOrg), T);
    await d.waitForSelector(row(toRole), T);
    expect(await d.textContent(row(toOrg))).toContain('given to your organisation (hospital-1)');
    expect(await d.textContent(row(toRole))).toContain('given to every doctor');
    expect(await d.textContent(row(1))).toContain('given to you');
    expect(await d.getAttribute(row(toOrg), 'data-patient')).toBe(idOf(patient));
  }, 60_000);

  it('the doctor requests emergency access and the colleague co-signs it from their list', async () => {
    const d = pages.doctor;
    const c = pages.colleague;
    await d.fill('#em-patient', idOf(patient));
    await d.click('#emergency-request button[type=submit]');
    const id = (await d.getAttribute('[data-emergency-id]', 'data-emergency-id', T)) ?? '';
    firstEmergency = id;
    const mine = `#emergencies [data-emergency="${id}"]`;
    await d.waitForSelector(`${mine}[data-mine=true][data-state=open]`, T);
    expect(await d.textContent(mine)).toContain('Waiting for a colleague to co-sign');
    expect(await d.locator(`${mine} button`).count()).toBe(0);

    await c.waitForSelector(`${mine}[data-mine=false][data-state=open]`, T);
    await c.click(`${mine} >> text=Co-sign request ${id}`);
    await committed(c, mine);
    await c.waitForSelector(`${mine}[data-state=co-signed]`, T);
    await d.waitForSelector(`${mine}[data-state=co-signed]`, T);
    await expect.poll(() => d.textContent(mine)).toContain('Co-signed by doctor at hospital-1');
    await portal.shot(d, 'doctor-patients-emergencies');
    expect(await axeViolations(d)).toEqual([]);
  }, 60_000);

  it("the doctor co-signs a colleague's record version from the record view", async () => {
    const colleagueRecords = new RecordsClient(new EhrClient(net.urls[0]!), colleague.seed, net.chainId);
    const put = await colleagueRecords.put({
      patientKey: patient.publicKey,
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'Synthetic glucose' } },
      category: 'lab',
      readerKeys: [doctor.publicKey],
    });
    recordId = put.recordId;
    const d = pages.doctor;
    await d.fill('#open-id', recordId);
    await d.click('#open button[type=submit]');
    await d.waitForSelector('#open >> text=Synthetic glucose', T);
    const vouch = '#open [data-vouch=co-signed]';
    expect(await d.textContent(`${vouch} .notice`, T)).toContain('You co-sign version 1 of record');
    await d.click(`${vouch} button:text-is("Co-sign version 1")`);
    await committed(d, vouch);
    await d.waitForSelector(`${vouch} [data-attestation=co-signed]`, T);
    await portal.shot(d, 'doctor-cosign-version');
    const atts = await admin.attestations(recordId, 1);
    expect(atts.map((a) => [a.kind, a.by])).toEqual([['co-signed', idOf(doctor)]]);
  }, 60_000);

  it('the admin validates the version from the admin page, after reading what it means', async () => {
    const a = pages.admin;
    await a.fill('#val-record', recordId);
    await a.click('#validate button[type=submit]');
    const vouch = '#validate [data-vouch=admin-validated]';
    expect(await a.textContent(`${vouch} .notice`, T)).toContain('You validate version 1 of record');
    await a.click(`${vouch} button:text-is("Validate version 1")`);
    await committed(a, vouch);
    await a.waitForSelector(`${vouch} >> text=You have validated this version.`, T);
    expect((await admin.attestations(recordId, 1)).map((x) => x.kind)).toEqual([
      'co-signed',
      'admin-validated',
    ]);
    await portal.shot(a, 'admin-validation');
  }, 60_000);

  it('the admin suspends the colleague, whose read is refused in words, then reinstates them', async () => {
    const a = pages.admin;
    const c = pages.colleague;
    await a.fill('#sus-id', idOf(colleague));
    await a.click('#suspend button:text-is("Suspend")');
    await committed(a, '#suspend');
    await c.fill('#open-id', recordId);
    await c.click('#open button[type=submit]');
    const refused = (await c.textContent('#open [role=alert]', T)) ?? '';
    expect([REASON_SENTENCES.suspended, REASON_SENTENCES.caller_suspended]).toContain(refused);

    await a.click('#suspend button:text-is("Reinstate")');
    await a.waitForSelector('#suspend [data-phase=committed] >> text=Reinstate: committed.', T);
    await c.click('#open button[type=submit]');
    await c.waitForSelector('#open >> text=Synthetic glucose', T);
  }, 60_000);

  it('the patient erases the record after typing ERASE, and the doctor can no longer read it', async () => {
    const p = pages.patient;
    const card = `[data-record="${recordId}"]`;
    // The colleague's version reached the patient's records live (the record.version event).
    await p.waitForSelector(card, T);
    const button = `${card} button.danger`;
    await p.fill(`#erase-${recordId}`, 'erase');
    expect(await p.isDisabled(button)).toBe(true);
    await p.fill(`#erase-${recordId}`, 'ERASE');
    await p.click(button);
    await p.waitForSelector(`${card} >> text=erased`, T);
    expect((await admin.versionInfo(recordId, 1))?.erasedAt).toBeGreaterThan(0);

    const d = pages.doctor;
    await d.fill('#open-id', recordId);
    await d.click('#open button[type=submit]');
    await d.waitForSelector('#open [role=alert]', T);
    expect(await d.locator('#open >> text=Synthetic glucose').count()).toBe(0);
  }, 60_000);

  it('an emergency request nobody co-signed within the hour shows as expired, without the action', async () => {
    const d = pages.doctor;
    const c = pages.colleague;
    await d.fill('#em-reason', 'trauma');
    await d.click('#emergency-request button[type=submit]');
    const next = `[data-emergency-id]:not([data-emergency-id="${firstEmergency}"])`;
    const id = (await d.getAttribute(next, 'data-emergency-id', T)) ?? '';
    const row = `#emergencies [data-emergency="${id}"]`;
    await c.waitForSelector(`${row}[data-state=open] button`, T);
    // The colleague's clock jumps past the one-hour window; the list re-judges on its 30 s tick.
    await c.clock.setSystemTime(Date.now() + 61 * 60_000);
    await c.clock.runFor(31_000);
    await c.waitForSelector(`${row}[data-state=expired]`, T);
    expect(await c.locator(`${row} button`).count()).toBe(0);
    expect(portal.cspErrors).toEqual([]);
  }, 60_000);
});
