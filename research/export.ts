/**
 * The cohort export as one pure function: Safe Harbor de-identification of each patient's resources,
 * flattening to one row per patient, Mondrian k-anonymity with l-diversity, the release, and a report
 * whose k and l come from the independent checker. It streams over the records (only the rows are held).
 */
import type { Resource } from '@medplum/fhirtypes';
import { type ColumnTruth, checkAnonymity, checkTruthful } from './anonymity/check.js';
import { createHierarchy, type HierarchySpec } from './anonymity/hierarchy.js';
import { classSizeHistogram, informationLoss, prosecutorRisk } from './anonymity/metrics.js';
import { mondrian, validateMondrianOptions } from './anonymity/mondrian.js';
import { createRelease, type ReleasedTable } from './anonymity/release.js';
import type { AnonTable, QiColumn, TableRow } from './anonymity/table.js';
import { defaultHierarchy, flattenRecord, type QiName, type SensitiveSpec } from './flatten.js';
import { pseudonymFor } from './pseudonym.js';
import type { ExportReport } from './report.js';
import { type CompiledRules, compileRules, DeidentifyLog, deidentifyResource } from './safe-harbor/engine.js';
import { type Rule, SAFE_HARBOR_RULES } from './safe-harbor/rules.js';
import { type DatePolicy, validateDatePolicy } from './safe-harbor/transforms.js';
import type { PatientRecord } from './types.js';

/** Options of one export. */
export interface CohortExportOptions {
  readonly k: number;
  readonly l: number;
  /** Fraction of patients that may be suppressed, in [0, 1]; beyond it the export is refused. */
  readonly suppressionCap: number;
  readonly quasiIdentifiers: readonly QiName[];
  readonly sensitive: SensitiveSpec;
  readonly dates: DatePolicy;
  /** The export's year: who is over 89 is judged against it. */
  readonly referenceYear: number;
  /** Secret per export: keys the pseudonyms. */
  readonly pseudonymSeed: number;
  /** Hierarchies for categorical quasi-identifiers; by default defaultHierarchy over the values seen. */
  readonly hierarchies?: Readonly<Partial<Record<QiName, HierarchySpec>>>;
  /** The Safe Harbor rule set; SAFE_HARBOR_RULES by default. */
  readonly rules?: Readonly<Record<string, readonly Rule[]>>;
}

/** The outcome: released (ok) or refused because suppression would exceed the cap (nothing released). */
export interface CohortExport {
  readonly ok: boolean;
  readonly refusal?: 'suppression_cap_exceeded';
  readonly release: ReleasedTable;
  readonly report: ExportReport;
  /**
   * The input positions (0-based, in the order given) of the patients whose rows are released,
   * ascending: who the custodian discloses on chain. Never part of the release.
   */
  readonly included: readonly number[];
}

/** A patient's record de-identified: Patient id and references become the pseudonym. */
export function deidentifyRecord(
  rec: PatientRecord,
  pseudonym: string,
  rules: CompiledRules,
  opts: { dates: DatePolicy; referenceYear: number },
  log?: DeidentifyLog,
): PatientRecord | undefined {
  const pseudonyms = new Map([[rec.patient.id ?? '', pseudonym]]);
  const o = { ...opts, pseudonyms };
  const patient = deidentifyResource(rec.patient, rules, o, log);
  if (!patient) return undefined;
  const resources: Resource[] = [];
  for (const r of rec.resources) {
    const d = deidentifyResource(r, rules, o, log);
    if (d) resources.push(d);
  }
  return { patient, resources };
}

/** Runs the whole export over `records`. */
export function exportCohort(records: Iterable<PatientRecord>, opts: CohortExportOptions): CohortExport {
  validateMondrianOptions(opts);
  validateDatePolicy(opts.dates);
  const rules = compileRules(opts.rules ?? SAFE_HARBOR_RULES);
  const log = new DeidentifyLog(rules);
  const rows: TableRow[] = [];
  /** rowOf[i]: the input position of rows[i]. */
  const rowOf: number[] = [];
  let patients = 0;
  let missing = 0;
  for (const rec of records) {
    const d = deidentifyRecord(rec, pseudonymFor(patients++, opts.pseudonymSeed), rules, opts, log);
    const row = d && flattenRecord(d, opts.quasiIdentifiers, opts.sensitive);
    if (row) {
      rows.push(row);
      rowOf.push(patients - 1);
    } else missing++;
  }

  const specs = opts.quasiIdentifiers.map((name, q): HierarchySpec | undefined => {
    if (name === 'birthYear') return undefined;
    return opts.hierarchies?.[name] ?? defaultHierarchy(name, new Set(rows.map((r) => String(r.qi[q]))));
  });
  const qis: QiColumn[] = opts.quasiIdentifiers.map((name, q) => {
    const spec = specs[q];
    return spec ? { name, kind: 'categorical', hierarchy: createHierarchy(spec) } : { name, kind: 'numeric' };
  });
  const table: AnonTable = { qis, sensitiveName: opts.sensitive.system, rows };
  const result = mondrian(table, opts);
  const suppressed = result.suppressed.length + missing;
  const capRows = Math.floor(opts.suppressionCap * patients);
  const ok = suppressed <= capRows;
  const release = ok ? createRelease(table, result) : { table: { header: [], rows: [] }, source: [] };
  const header = [...opts.quasiIdentifiers, 'sensitive'];
  const released: ReleasedTable = { header, rows: release.table.rows };
  const check = checkAnonymity(released, qis.length);
  const truths: ColumnTruth[] = specs.map((spec) =>
    spec ? { kind: 'categorical', spec } : { kind: 'numeric' },
  );
  const loss = informationLoss(table, ok ? result : { classes: [], suppressed: rows.map((_, i) => i) });

  const byAction: Record<string, number> = {};
  const defaultRemoved = new Set<string>();
  for (const [key, count] of log.entries()) {
    const [path, action] = key.split(' ') as [string, string];
    byAction[action] = (byAction[action] ?? 0) + count;
    if (action === 'default-remove') defaultRemoved.add(path);
  }

  const report: ExportReport = {
    k: opts.k,
    l: opts.l,
    kAchieved: check.kAchieved,
    lAchieved: check.lAchieved,
    truthful: checkTruthful(rows, released, release.source, truths),
    patients,
    rowsReleased: released.rows.length,
    rowsSuppressed: ok ? suppressed : patients,
    rowsMissingQi: missing,
    suppressionCap: opts.suppressionCap,
    suppressionCapRows: capRows,
    classes: check.classes,
    ncp: loss.ncp,
    ncpReleased: loss.ncpReleased,
    ncpByQi: loss.ncpByQi,
    risk: prosecutorRisk(check.classSizes),
    classSizeHistogram: classSizeHistogram(check.classSizes),
    safeHarbor: { byAction, defaultRemoved: [...defaultRemoved].sort() },
  };
  const included = ok ? release.source.map((i) => rowOf[i] ?? -1).sort((a, b) => a - b) : [];
  return ok
    ? { ok, release: released, report, included }
    : { ok, refusal: 'suppression_cap_exceeded', release: released, report, included };
}
