/**
 * Cohort export: Safe Harbor de-identification, flattening, Mondrian (l = 2 on the earliest SNOMED
 * condition) and the checked report, over synthetic patients generated lazily while the export reads
 * them (generation is timed apart and included in `export s`). One run per (patients, k); each run in a
 * fresh heap measurement (peak sampled every 1,000 patients and after each phase).
 *
 *   npm run bench:research [-- --json] [--sizes 10000,100000] [--ks 5,10] [--cap 0.01]
 *
 * Prints figures; never passes or fails on time.
 */
import { parseArgs } from 'node:util';
import { exportCohort } from '../../research/export.js';
import { generateSyntheticCohort } from '../../research/synthetic.js';
import type { PatientRecord } from '../../research/types.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    sizes: { type: 'string', default: '10000,100000' },
    ks: { type: 'string', default: '5,10' },
    cap: { type: 'string', default: '0.01' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const KS = values.ks.split(',').map(Number);
const CAP = Number(values.cap);
const REF = '2025-06-30';

let peak = 0;
const sample = (): void => {
  const h = process.memoryUsage().heapUsed;
  if (h > peak) peak = h;
};

function* sampled(count: number): Generator<PatientRecord> {
  let i = 0;
  for (const r of generateSyntheticCohort({ seed: 2025, count, referenceDate: REF })) {
    if (++i % 1000 === 0) sample();
    yield r;
  }
}

interface Row {
  patients: number;
  k: number;
  exportSeconds: number;
  generateSeconds: number;
  peakHeapMiB: number;
  ncp: number;
  suppressed: number;
  classes: number;
  kAchieved: number;
  lAchieved: number;
}

const rows: Row[] = [];
for (const n of SIZES) {
  let g0 = performance.now();
  for (const _ of generateSyntheticCohort({ seed: 2025, count: n, referenceDate: REF }));
  const generateSeconds = (performance.now() - g0) / 1000;
  for (const k of KS) {
    (globalThis as { gc?: () => void }).gc?.();
    peak = 0;
    sample();
    g0 = performance.now();
    const r = exportCohort(sampled(n), {
      k,
      l: 2,
      suppressionCap: CAP,
      quasiIdentifiers: ['birthYear', 'sex', 'zip3', 'ethnicity'],
      sensitive: { kind: 'condition', system: 'http://snomed.info/sct' },
      dates: { mode: 'year' },
      referenceYear: 2025,
      pseudonymSeed: 7,
    });
    const exportSeconds = (performance.now() - g0) / 1000;
    sample();
    rows.push({
      patients: n,
      k,
      exportSeconds,
      generateSeconds,
      peakHeapMiB: peak / 2 ** 20,
      ncp: r.report.ncp,
      suppressed: r.report.rowsSuppressed,
      classes: r.report.classes,
      kAchieved: r.report.kAchieved,
      lAchieved: r.report.lAchieved,
    });
  }
}

if (values.json) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(
    'patients      k  export s  (generate s)  peak heap MiB     NCP  suppressed  classes  k/l checked',
  );
  for (const r of rows) {
    console.log(
      `${String(r.patients).padStart(8)} ${String(r.k).padStart(6)} ${r.exportSeconds.toFixed(2).padStart(9)} ` +
        `${r.generateSeconds.toFixed(2).padStart(13)} ${r.peakHeapMiB.toFixed(0).padStart(14)} ` +
        `${r.ncp.toFixed(4).padStart(7)} ${String(r.suppressed).padStart(11)} ${String(r.classes).padStart(8)}` +
        `  ${r.kAchieved}/${r.lAchieved}`,
    );
  }
}
