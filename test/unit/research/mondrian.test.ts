import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAnonymity, checkTruthful } from '../../../research/anonymity/check.js';
import { createHierarchy } from '../../../research/anonymity/hierarchy.js';
import { informationLoss } from '../../../research/anonymity/metrics.js';
import { mondrian } from '../../../research/anonymity/mondrian.js';
import { createRelease } from '../../../research/anonymity/release.js';
import type { AnonTable } from '../../../research/anonymity/table.js';
import { isResearchError } from '../../../research/errors.js';
import { allCuts, blockNcp, LEAVES, optimalNcp, SPEC, type TinyRow, validBlock } from './naive.js';

const H = createHierarchy(SPEC);
const toTable = (rows: readonly TinyRow[]): AnonTable => ({
  qis: [
    { name: 'x', kind: 'numeric' },
    { name: 'c', kind: 'categorical', hierarchy: H },
  ],
  sensitiveName: 's',
  rows: rows.map((r) => ({ qi: [r.x, r.c], sensitive: r.s })),
});
const TRUTHS = [{ kind: 'numeric' }, { kind: 'categorical', spec: SPEC }] as const;

const rowArb = fc.record({
  x: fc.integer({ min: 0, max: 9 }),
  c: fc.constantFrom(...LEAVES),
  s: fc.constantFrom('s1', 's2', 's3', 's4'),
});

/** The naive checker: group released rows by their quasi-identifier text, count rows and values. */
function naiveCheck(rows: readonly (readonly string[])[], k: number, l: number): boolean {
  const groups = new Map<string, string[]>();
  for (const r of rows)
    groups.set(`${r[0]}|${r[1]}`, [...(groups.get(`${r[0]}|${r[1]}`) ?? []), r[2] as string]);
  return [...groups.values()].every((g) => g.length >= k && new Set(g).size >= l);
}

describe('Mondrian: every released class is k-anonymous and l-diverse (property, naive checker)', () => {
  it('holds for random tables, k, l and suppression caps', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 80 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(0, 0.05, 0.2),
        (rows, k, l, cap) => {
          const t = toTable(rows);
          const res = mondrian(t, { k, l, suppressionCap: cap });
          const rel = createRelease(t, res);
          expect(naiveCheck(rel.table.rows, k, l)).toBe(true);
          const check = checkAnonymity(rel.table, 2);
          if (rel.table.rows.length > 0) {
            expect(check.kAchieved).toBeGreaterThanOrEqual(k);
            expect(check.lAchieved).toBeGreaterThanOrEqual(l);
          }
          expect(checkTruthful(t.rows, rel.table, rel.source, TRUTHS)).toBe(true);
          // Every row is released or suppressed, exactly once.
          expect([...rel.source, ...res.suppressed].sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
          if (validBlock(rows, k, l))
            expect(res.suppressed.length).toBeLessThanOrEqual(Math.floor(cap * rows.length));
          else expect(res.suppressed.length).toBe(rows.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('Mondrian against brute force on tiny tables (no suppression)', () => {
  const tiny = fc.tuple(
    fc.array(rowArb, { minLength: 1, maxLength: 7 }),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 2 }),
  );

  it('no released class admits any strict cut that keeps k and l on every side (Mondrian ran to the end)', () => {
    fc.assert(
      fc.property(tiny, ([rows, k, l]) => {
        const res = mondrian(toTable(rows), { k, l, suppressionCap: 0 });
        for (const cls of res.classes) {
          const block = cls.rows.map((i) => rows[i] as TinyRow);
          for (const cut of allCuts(block)) expect(cut.every((part) => validBlock(part, k, l))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("Mondrian's NCP equals the naive NCP of its classes and is never below the optimum over all set partitions", () => {
    fc.assert(
      fc.property(tiny, ([rows, k, l]) => {
        fc.pre(validBlock(rows, k, l));
        const t = toTable(rows);
        const res = mondrian(t, { k, l, suppressionCap: 0 });
        const xs = rows.map((r) => r.x);
        const range = Math.max(...xs) - Math.min(...xs);
        const naive = res.classes.reduce(
          (acc, c) =>
            acc +
            blockNcp(
              c.rows.map((i) => rows[i] as TinyRow),
              range,
            ),
          0,
        );
        expect(informationLoss(t, res).ncp * rows.length * 2).toBeCloseTo(naive, 9);
        expect(naive).toBeGreaterThanOrEqual(optimalNcp(rows, k, l) - 1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('suppresses nothing exactly when some full-domain generalisation is valid', () => {
    // k-anonymity and distinct l-diversity are monotone under generalisation: some full-domain
    // generalisation is valid iff the fully generalised table (one class) is, i.e. iff validBlock(rows).
    fc.assert(
      fc.property(tiny, ([rows, k, l]) => {
        const res = mondrian(toTable(rows), { k, l, suppressionCap: 0 });
        expect(res.suppressed.length === 0).toBe(validBlock(rows, k, l));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Mondrian: cuts, suppression, determinism', () => {
  const rowsOf = (spec: [number, string, string][]): TinyRow[] => spec.map(([x, c, s]) => ({ x, c, s }));

  it('cuts a numeric column at the median', () => {
    const rows = rowsOf([0, 1, 2, 3, 4, 5, 6, 7].map((x) => [x, 'a1', `s${x}`]));
    const res = mondrian(toTable(rows), { k: 2, l: 1, suppressionCap: 0 });
    expect(res.classes.map((c) => c.cells[0])).toEqual([
      { kind: 'numeric', min: 0, max: 1 },
      { kind: 'numeric', min: 2, max: 3 },
      { kind: 'numeric', min: 4, max: 5 },
      { kind: 'numeric', min: 6, max: 7 },
    ]);
  });

  it('refuses a cut that would leave a side with fewer than l sensitive values', () => {
    const rows = rowsOf([
      [0, 'a1', 'flu'],
      [1, 'a1', 'flu'],
      [2, 'a1', 'hiv'],
      [3, 'a1', 'hiv'],
    ]);
    const res = mondrian(toTable(rows), { k: 2, l: 2, suppressionCap: 0 });
    // The median cut {0,1} | {2,3} is 2-anonymous but each side holds one value.
    expect(res.classes).toHaveLength(1);
  });

  it('with a budget, suppresses a rare category instead of generalising everyone', () => {
    const rows = rowsOf([
      ...[0, 1, 2, 3, 4, 5].map((x): [number, string, string] => [x, 'a1', `s${x % 2}`]),
      ...[0, 1, 2, 3, 4, 5].map((x): [number, string, string] => [x, 'a2', `s${x % 2}`]),
      [9, 'b1', 's0'],
    ]);
    const without = mondrian(toTable(rows), { k: 3, l: 1, suppressionCap: 0 });
    const withCap = mondrian(toTable(rows), { k: 3, l: 1, suppressionCap: 0.1 });
    expect(without.suppressed).toEqual([]);
    expect(withCap.suppressed).toEqual([12]);
    const t = toTable(rows);
    expect(informationLoss(t, withCap).ncpReleased).toBeLessThan(informationLoss(t, without).ncpReleased);
  });

  it('suppresses every row when the whole table has fewer than k rows', () => {
    const rows = rowsOf([
      [1, 'a1', 's1'],
      [2, 'b1', 's2'],
    ]);
    expect(mondrian(toTable(rows), { k: 3, l: 1, suppressionCap: 1 })).toEqual({
      classes: [],
      suppressed: [0, 1],
    });
  });

  it('the same table and options give the same classes', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), (rows) => {
        const a = mondrian(toTable(rows), { k: 3, l: 2, suppressionCap: 0.05 });
        const b = mondrian(toTable(rows), { k: 3, l: 2, suppressionCap: 0.05 });
        expect(b).toEqual(a);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    [{ k: 0, l: 1, suppressionCap: 0 }],
    [{ k: 2, l: 0, suppressionCap: 0 }],
    [{ k: 2, l: 1, suppressionCap: 1.5 }],
    [{ k: 2.5, l: 1, suppressionCap: 0 }],
  ])('refuses options %j', (o) => {
    expect(() => mondrian(toTable([]), o)).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('refuses a value outside the hierarchy', () => {
    try {
      mondrian(toTable([{ x: 1, c: 'zz', s: 's' }]), { k: 1, l: 1, suppressionCap: 0 });
      expect.unreachable();
    } catch (e) {
      expect(isResearchError(e, 'value_not_in_hierarchy')).toBe(true);
    }
  });
});
