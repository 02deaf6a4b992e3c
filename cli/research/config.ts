/**
 * The `export.json` of `ehrchain research export` (docs/research.md, "The export config"): parsed
 * and checked in one place, every problem named by its field. Paths are relative to the file.
 */
import { dirname, resolve } from 'node:path';
import { QI_NAMES, type QiName } from '../../research/flatten.js';
import type { DatePolicy } from '../../research/safe-harbor/transforms.js';

/** A checked export config. */
export interface ExportConfig {
  /** The custodian's key file. */
  readonly key: string;
  /** The node's HTTP API. */
  readonly url: string;
  /** The researcher's research request (requestResearch) this export answers. */
  readonly requestId: number;
  /** Candidate patients (actor ids): only those with research consent are included. */
  readonly patients: readonly string[];
  readonly k: number;
  readonly l: number;
  readonly quasiIdentifiers: readonly QiName[];
  /** The sensitive attribute: the code system of the condition codes (e.g. SNOMED CT). */
  readonly sensitiveSystem: string;
  readonly suppressionCap: number;
  readonly dates: DatePolicy;
  readonly referenceYear: number;
  readonly out: { readonly csv: string; readonly ndjson: string; readonly report: string };
}

/** A config that cannot be used; `field` names what is wrong. */
export class ExportConfigError extends Error {
  readonly code = 'bad_config';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ExportConfigError';
  }
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const KNOWN = [
  'key',
  'url',
  'requestId',
  'patients',
  'k',
  'l',
  'quasiIdentifiers',
  'sensitiveSystem',
  'suppressionCap',
  'dates',
  'referenceYear',
  'out',
];

function int(v: unknown, field: string, min: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min)
    throw new ExportConfigError(field, `an integer >= ${min}`);
  return v as number;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new ExportConfigError(field, 'a non-empty string');
  return v;
}

/** Checks a parsed export.json; `path` is where it was read from (relative paths resolve against it). */
export function parseExportConfig(raw: unknown, path: string, now = new Date()): ExportConfig {
  if (!isObj(raw)) throw new ExportConfigError('$', 'a JSON object');
  for (const k of Object.keys(raw))
    if (!KNOWN.includes(k)) throw new ExportConfigError(k, 'not a known field');
  const at = (p: string) => resolve(dirname(path), p);
  const patients = raw.patients;
  if (!Array.isArray(patients) || patients.length === 0)
    throw new ExportConfigError('patients', 'a non-empty array of actor ids');
  patients.forEach((p, i) => {
    if (typeof p !== 'string' || !/^[0-9a-f]{64}$/.test(p))
      throw new ExportConfigError(`patients[${i}]`, 'an actor id (64 hex)');
  });
  const qis = raw.quasiIdentifiers;
  if (!Array.isArray(qis) || qis.length === 0 || new Set(qis).size !== qis.length)
    throw new ExportConfigError('quasiIdentifiers', `distinct names of ${QI_NAMES.join(', ')}`);
  qis.forEach((q, i) => {
    if (!(QI_NAMES as readonly unknown[]).includes(q))
      throw new ExportConfigError(`quasiIdentifiers[${i}]`, `one of ${QI_NAMES.join(', ')}`);
  });
  const cap = raw.suppressionCap ?? 0.05;
  if (typeof cap !== 'number' || !(cap >= 0 && cap <= 1))
    throw new ExportConfigError('suppressionCap', 'a fraction in [0, 1]');
  const d = raw.dates ?? 'year';
  let dates: DatePolicy;
  if (d === 'year') dates = { mode: 'year' };
  else if (isObj(d) && Number.isSafeInteger(d.shiftDays))
    dates = { mode: 'shift', offsetDays: d.shiftDays as number };
  else throw new ExportConfigError('dates', '"year" or { "shiftDays": <int> }');
  const out = raw.out;
  if (!isObj(out)) throw new ExportConfigError('out', '{ csv, ndjson, report } paths');
  return {
    key: at(str(raw.key, 'key')),
    url: str(raw.url ?? 'http://127.0.0.1:8080', 'url'),
    requestId: int(raw.requestId, 'requestId', 1),
    patients: [...new Set(patients as string[])],
    k: int(raw.k, 'k', 1),
    l: int(raw.l ?? 1, 'l', 1),
    quasiIdentifiers: qis as QiName[],
    sensitiveSystem: str(raw.sensitiveSystem ?? 'http://snomed.info/sct', 'sensitiveSystem'),
    suppressionCap: cap,
    dates,
    referenceYear: int(raw.referenceYear ?? now.getUTCFullYear(), 'referenceYear', 1900),
    out: {
      csv: at(str(out.csv, 'out.csv')),
      ndjson: at(str(out.ndjson, 'out.ndjson')),
      report: at(str(out.report, 'out.report')),
    },
  };
}
