import { describe, expect, it } from 'vitest';
import { createHierarchy, prefixHierarchy } from '../../../research/anonymity/hierarchy.js';
import { type CohortExportOptions, exportCohort } from '../../../research/export.js';
import { generateSyntheticCohort } from '../../../research/synthetic.js';
import { csvField, tableToCsv, tableToNdjson } from '../../../research/writers.js';

const OPTS: CohortExportOptions = {
  k: 5,
  l: 2,
  suppressionCap: 0.02,
  quasiIdentifiers: ['birthYear', 'sex', 'zip3', 'ethnicity'],
  sensitive: { kind: 'condition', system: 'http://snomed.info/sct' },
  dates: { mode: 'year' },
  referenceYear: 2025,
  pseudonymSeed: 99,
};
const cohort = (seed: number, count: number) =>
  generateSyntheticCohort({ seed, count, referenceDate: '2025-06-30' });

describe('cohort export', () => {
  const a = exportCohort(cohort(3, 1500), OPTS);

  it('releases a table whose checked k and l meet the request', () => {
    expect(a.ok).toBe(true);
    expect(a.report.kAchieved).toBeGreaterThanOrEqual(5);
    expect(a.report.lAchieved).toBeGreaterThanOrEqual(2);
    expect(a.report.truthful).toBe(true);
  });

  it('accounts for every patient and stays within the suppression cap', () => {
    const r = a.report;
    expect(r.rowsReleased + r.rowsSuppressed).toBe(r.patients);
    expect(r.rowsSuppressed).toBeLessThanOrEqual(r.suppressionCapRows);
    expect(r.classSizeHistogram.reduce((s, h) => s + h.size * h.classes, 0)).toBe(r.rowsReleased);
  });

  it('names the released patients by input position, one per released row, for the disclosures', () => {
    expect(a.included).toHaveLength(a.report.rowsReleased);
    expect(new Set(a.included).size).toBe(a.included.length);
    expect(a.included.every((i) => i >= 0 && i < a.report.patients)).toBe(true);
  });

  it('reports prosecutor risk from the class sizes', () => {
    expect(a.report.risk.max).toBe(1 / a.report.kAchieved);
    expect(a.report.risk.average).toBeCloseTo(a.report.classes / a.report.rowsReleased, 12);
  });

  it('releases no exact birth year of anyone 90 or older', () => {
    const years = a.release.rows.flatMap((r) => (r[0] as string).split('..').map(Number));
    expect(Math.min(...years)).toBeGreaterThanOrEqual(1935);
  });

  it('the same records, options and seed give the same CSV and report', () => {
    const b = exportCohort(cohort(3, 1500), OPTS);
    expect(tableToCsv(b.release)).toBe(tableToCsv(a.release));
    expect(b.report).toEqual(a.report);
  });

  it('refuses to release when suppression would exceed the cap', () => {
    const r = exportCohort(cohort(3, 4), { ...OPTS, k: 5 });
    expect(r.ok).toBe(false);
    expect(r.refusal).toBe('suppression_cap_exceeded');
    expect(r.release.rows).toEqual([]);
    expect(r.report.rowsSuppressed).toBe(4);
  });

  it('k = 10 loses more information than k = 5 on this cohort', () => {
    const k10 = exportCohort(cohort(3, 1500), { ...OPTS, k: 10, suppressionCap: 0 });
    const k5 = exportCohort(cohort(3, 1500), { ...OPTS, suppressionCap: 0 });
    expect(k10.report.ncp).toBeGreaterThanOrEqual(k5.report.ncp);
  });
});

describe('writers', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\rhere', '"cr\rhere"'],
    ['', ''],
  ])('CSV field %j is written %j', (input, out) => {
    expect(csvField(input)).toBe(out);
  });

  it('CSV lines end with CRLF, the header first', () => {
    expect(tableToCsv({ header: ['a', 'b'], rows: [['1', 'x,y']] })).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('NDJSON writes one object per row keyed by the header', () => {
    const text = tableToNdjson({
      header: ['a', 'b'],
      rows: [
        ['1', '"q"'],
        ['2', 'z'],
      ],
    });
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { a: '1', b: '"q"' },
      { a: '2', b: 'z' },
    ]);
  });
});

describe('hierarchies as data', () => {
  it('a prefix hierarchy generalises ZIP3 to ZIP2, ZIP1 and *', () => {
    expect(prefixHierarchy(['021'])).toEqual({ '021': ['02*', '0**', '*'] });
  });

  it.each([
    ['uneven depth', { a: ['x', '*'], b: ['*'] }],
    ['a node with two parents', { a: ['x', 'p', '*'], b: ['x', 'q', '*'] }],
    ['two roots', { a: ['r1'], b: ['r2'] }],
    ['no leaves', {}],
  ])('refuses %s', (_name, spec) => {
    expect(() => createHierarchy(spec)).toThrow(expect.objectContaining({ code: 'invalid_hierarchy' }));
  });
});
