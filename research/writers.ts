/** Output writers: pure functions from a released table (or resources) to the text of a file. */
import type { Resource } from '@medplum/fhirtypes';
import type { ReleasedTable } from './anonymity/release.js';

/** A CSV field quoted per RFC 4180 when it holds a comma, a double quote, CR or LF. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV: a header line, then one line per row, every line ended by CRLF. */
export function tableToCsv(t: ReleasedTable): string {
  return [t.header, ...t.rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

/** NDJSON: one JSON object per row, keyed by the header, each line ended by LF. */
export function tableToNdjson(t: ReleasedTable): string {
  return t.rows
    .map((r) => `${JSON.stringify(Object.fromEntries(t.header.map((h, i) => [h, r[i] ?? ''])))}\n`)
    .join('');
}

/** NDJSON of FHIR resources (the FHIR bulk-data format): one resource per line. */
export function resourcesToNdjson(resources: Iterable<Resource>): string {
  let out = '';
  for (const r of resources) out += `${JSON.stringify(r)}\n`;
  return out;
}
