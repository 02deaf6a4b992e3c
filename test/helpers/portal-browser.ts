/**
 * What the portal's browser tests share: a headless Chromium (playwright-core, the system's
 * binary), one browser context per person with every request it sends recorded (to check no
 * secret leaves the page) and CSP violations collected, screenshots into test-artifacts/, a
 * person importing their CLI key file, and keyboard-only navigation with the focus ring checked.
 */
import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { encodeKeyFile, type KeyPair } from '../../client/keyfile-format.js';
import { buildPortal } from '../../portal/build.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One request a page sent. */
export interface Sent {
  readonly url: string;
  readonly headers: string;
  readonly body: Buffer;
}

/** A Chromium with the portal built, its contexts, what they sent, and a screenshot folder. */
export class PortalBrowser {
  readonly contexts: BrowserContext[] = [];
  readonly sent: Sent[] = [];
  readonly cspErrors: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly artifacts: string,
  ) {}

  /** Builds the portal bundle and launches Chromium; screenshots go to `artifacts` (a folder path ending in /). */
  static async launch(artifacts: string): Promise<PortalBrowser> {
    await mkdir(artifacts, { recursive: true });
    await buildPortal();
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
    return new PortalBrowser(browser, artifacts);
  }

  /** A new context (a person of their own) on `base`/portal/, its requests and CSP errors recorded. */
  async newPage(base: string, opts: { fakeClock?: boolean } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    // A controllable clock (flowing normally until moved), to test the idle lock without waiting.
    if (opts.fakeClock === true) await context.clock.install();
    this.contexts.push(context);
    context.on('request', (r) =>
      this.sent.push({
        url: r.url(),
        headers: JSON.stringify(r.headers()),
        body: r.postDataBuffer() ?? Buffer.alloc(0),
      }),
    );
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) this.cspErrors.push(m.text());
    });
    await page.goto(`${base}/portal/`);
    return page;
  }

  /** A full-page screenshot `<artifacts><name>.png`. */
  shot(page: Page, name: string): Promise<Buffer> {
    return page.screenshot({ path: `${this.artifacts}${name}.png`, fullPage: true });
  }

  /**
   * A new context on `base` that imports `key` (the CLI's key file) and unlocks it, waiting for
   * `landing` (the role's page: `#clinician-page`, `#patient-page`, `#admin-page`).
   */
  async openAs(
    base: string,
    key: KeyPair,
    pass: string,
    landing = '#clinician-page',
    opts: { fakeClock?: boolean } = {},
  ): Promise<Page> {
    const page = await this.newPage(base, opts);
    await page.fill('#import-text', encodeKeyFile(key));
    await page.fill('#import-pass', pass);
    await page.fill('#import-confirm', pass);
    // The page derives the sealing key (scrypt, 128 MiB) in the click's handler: on a loaded machine
    // the click is acknowledged only after it.
    await page.click('text=Import key', { timeout: 90_000 });
    await page.waitForSelector(landing, { timeout: 90_000 });
    return page;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.contexts.map((c) => c.close()));
    await this.browser.close();
  }
}

/**
 * Presses Tab until the focused element matches `selector` (a CSS selector), at most `max`
 * times, checking at each stop that the focus is visible (the portal's 3px ring).
 */
export async function tabTo(page: Page, selector: string, max = 300): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (el === null || el === document.body) return { match: false, ring: 'none' };
      const st = getComputedStyle(el);
      return { match: el.matches(sel), ring: `${st.outlineStyle} ${st.outlineWidth}` };
    }, selector);
    if (at.match) {
      expect(at.ring).toBe('solid 3px');
      return;
    }
  }
  throw new Error(`${max} Tabs never reached ${selector}`);
}
