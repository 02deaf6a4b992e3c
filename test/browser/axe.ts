/**
 * An automated accessibility check (axe-core) of a page as it is, for the browser tests: the
 * serious and critical violations, one line each (rule, help, where).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as Axe from 'axe-core';
import type { Page } from 'playwright-core';

let source: Promise<string> | undefined;

/** The serious and critical axe-core violations of `page` (WCAG 2.x A and AA rules, best practices). */
export async function axeViolations(page: Page): Promise<string[]> {
  source ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // page.evaluate goes through the DevTools protocol, which the page's Content-Security-Policy
  // does not govern: axe runs in the page with the CSP still on (no inline <script>, no bypass).
  await page.evaluate(await source);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof Axe }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}
