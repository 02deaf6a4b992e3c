/**
 * Regenerates vm/consent/source.ts from vm/consent/consent.ehr:
 *   node --import tsx test/unit/consent/sync-source.ts
 * (test/unit/consent/contract.test.ts fails while the two differ.)
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** The generated module's text for a source. */
function sourceModule(src: string): string {
  return [
    '// Generated from consent.ehr by test/unit/consent/sync-source.ts; do not edit.',
    '/** The consent contract source (vm/consent/consent.ehr). */',
    `export const CONSENT_SOURCE: string = ${JSON.stringify(src)};`,
    '',
  ].join('\n');
}

/** Path of a file in vm/consent. */
export const consentFile = (name: string): URL => new URL(`../../../vm/consent/${name}`, import.meta.url);

if (process.argv[1]?.endsWith('sync-source.ts')) {
  writeFileSync(consentFile('source.ts'), sourceModule(readFileSync(consentFile('consent.ehr'), 'utf8')));
}
