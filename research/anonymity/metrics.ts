/**
 * Information loss and re-identification risk of a partition.
 *
 * Normalised certainty penalty (NCP, Xu et al. 2006): for a numeric cell, (max - min) / the column's
 * range over the whole input; for a categorical cell, 0 at a leaf, else the leaves under its node / all
 * leaves. A table's NCP is the mean over rows and quasi-identifiers, a suppressed row counting 1 for
 * every column (it tells nothing). 0 is the raw table, 1 tells nothing at all.
 *
 * Prosecutor risk: an attacker who knows the target is in the release re-identifies them with
 * probability 1 / |their class|.
 */
import type { EquivalenceClass, MondrianResult } from './mondrian.js';
import type { AnonTable } from './table.js';

/** Information loss of a partition. */
export interface InformationLoss {
  /** Over every input row, suppressed rows counting 1. */
  readonly ncp: number;
  /** Over released rows only. */
  readonly ncpReleased: number;
  /** Per quasi-identifier, over every input row. */
  readonly ncpByQi: Readonly<Record<string, number>>;
}

/** The NCP of one class's cell in column q. */
function cellNcp(t: AnonTable, cls: EquivalenceClass, q: number, ranges: readonly number[]): number {
  const cell = cls.cells[q];
  const col = t.qis[q];
  if (!cell || !col) return 1;
  if (cell.kind === 'numeric') {
    const range = ranges[q] as number;
    return range === 0 ? 0 : (cell.max - cell.min) / range;
  }
  if (col.kind !== 'categorical') return 1;
  const h = col.hierarchy;
  return h.level[cell.node] === 0 ? 0 : (h.leafCount[cell.node] as number) / h.leaves.length;
}

/** NCP of a partition of `t`. */
export function informationLoss(t: AnonTable, result: MondrianResult): InformationLoss {
  const n = t.rows.length;
  const ranges = t.qis.map((c, q) => {
    if (c.kind !== 'numeric') return 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of t.rows) {
      const v = r.qi[q] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return n === 0 ? 0 : hi - lo;
  });
  const byQi = t.qis.map(() => result.suppressed.length);
  let released = 0;
  for (const cls of result.classes) {
    released += cls.rows.length;
    t.qis.forEach((_, q) => {
      byQi[q] = (byQi[q] as number) + cls.rows.length * cellNcp(t, cls, q, ranges);
    });
  }
  const m = t.qis.length;
  const total = byQi.reduce((a, b) => a + b, 0);
  const suppressedPenalty = result.suppressed.length * m;
  return {
    ncp: n === 0 || m === 0 ? 0 : total / (n * m),
    ncpReleased: released === 0 || m === 0 ? 0 : (total - suppressedPenalty) / (released * m),
    ncpByQi: Object.fromEntries(t.qis.map((c, q) => [c.name, n === 0 ? 0 : (byQi[q] as number) / n])),
  };
}

/** Prosecutor-model risk from class sizes (as the checker measured them). */
export interface ProsecutorRisk {
  /** 1 / the smallest class. */
  readonly max: number;
  /** Mean over released rows of 1 / their class size = classes / released rows. */
  readonly average: number;
}

/** Prosecutor risk of a release with these class sizes; 0 when nothing is released. */
export function prosecutorRisk(classSizes: readonly number[]): ProsecutorRisk {
  const rows = classSizes.reduce((a, b) => a + b, 0);
  if (rows === 0) return { max: 0, average: 0 };
  return {
    max: 1 / classSizes.reduce((a, b) => Math.min(a, b), Infinity),
    average: classSizes.length / rows,
  };
}

/** How many classes have each size, ascending by size. */
export function classSizeHistogram(classSizes: readonly number[]): { size: number; classes: number }[] {
  const h = new Map<number, number>();
  for (const s of classSizes) h.set(s, (h.get(s) ?? 0) + 1);
  return [...h.entries()].sort((a, b) => a[0] - b[0]).map(([size, classes]) => ({ size, classes }));
}
