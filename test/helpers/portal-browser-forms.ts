/**
 * Helpers for the portal's form and camera browser test (test/browser/portal-forms.browser.test.ts):
 * a Y4M video of a QR code, for Chromium's fake camera (`--use-file-for-fake-video-capture`), and
 * opening the portal as a person by importing their key file.
 */
import { writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import encodeQR from 'qr';
import { encodeKeyFile, type KeyPair } from '../../client/keyfile-format.js';

/**
 * Writes a grey-scale Y4M video (4:2:0, 10 fps) of `text` as a QR code, `frames` identical
 * frames (Chromium loops the file), the code centred on a white square of `size` pixels.
 */
export async function writeQrY4m(path: string, text: string, size = 360, frames = 10): Promise<void> {
  const grid = encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
  const n = grid.length;
  const cell = Math.floor(size / n);
  const off = Math.floor((size - n * cell) / 2);
  const y = new Uint8Array(size * size).fill(235); // white, in video range
  for (let row = 0; row < n * cell; row++)
    for (let col = 0; col < n * cell; col++)
      if (grid[Math.floor(row / cell)]?.[Math.floor(col / cell)] === true)
        y[(off + row) * size + off + col] = 16;
  const chroma = new Uint8Array((size / 2) * (size / 2) * 2).fill(128); // U and V planes: no colour
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${size} H${size} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** Chromium's flags for a fake camera that plays `y4m`, its permission prompt accepted. */
export const fakeCameraArgs = (y4m: string): string[] => [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${y4m}`,
];

/** Console lines that tell of a Content-Security-Policy violation, gathered per test file. */
export const CSP_LINE = /Content Security Policy|Refused to/;

/** What a test file gathers from every page it opens. */
export interface PortalLog {
  /** Console lines telling of a Content-Security-Policy violation. */
  readonly csp: string[];
  readonly contexts: BrowserContext[];
  /** Every request sent: its URL, headers and body, for a test that no secret leaves the page. */
  readonly sent: Buffer[];
}

/**
 * A new browser context on `base`/portal/ that imports `key` (a key pair or a key file's text),
 * unlocks it with `pass` and waits for `ready` (the person's page).
 */
export async function openPortalAs(
  browser: Browser,
  base: string,
  who: { key: KeyPair | string; pass: string; ready: string },
  log: PortalLog,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  log.contexts.push(context);
  context.on('request', (r) =>
    log.sent.push(
      Buffer.concat([
        Buffer.from(r.url()),
        Buffer.from(JSON.stringify(r.headers())),
        r.postDataBuffer() ?? Buffer.alloc(0),
      ]),
    ),
  );
  const page = await context.newPage();
  page.on('console', (m) => {
    if (CSP_LINE.test(m.text())) log.csp.push(m.text());
  });
  await page.goto(`${base}/portal/`);
  await page.fill('#import-text', typeof who.key === 'string' ? who.key : encodeKeyFile(who.key));
  await page.fill('#import-pass', who.pass);
  await page.fill('#import-confirm', who.pass);
  await page.click('text=Import key');
  await page.waitForSelector(who.ready, { timeout: 60_000 });
  return page;
}
