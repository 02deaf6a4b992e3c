/**
 * The independent checker: it knows nothing of how the partition was made. It groups the released rows
 * by their quasi-identifier text (what a reader of the file sees) and measures k and l on those groups,
 * and it checks that every released cell is true of the input row it came from (a range holding the
 * value, a hierarchy node above the leaf, read from the hierarchy's data).
 */
import type { HierarchySpec } from './hierarchy.js';
import type { ReleasedTable } from './release.js';
import type { TableRow } from './table.js';

/** What the checker found on a released table. */
export interface AnonymityCheck {
  /** Equivalence classes as a reader sees them (rows with equal quasi-identifier text). */
  readonly classes: number;
  /** The smallest class: the k achieved (0 when nothing is released). */
  readonly kAchieved: number;
  /** The fewest distinct sensitive values in a class: the l achieved (0 when nothing is released). */
  readonly lAchieved: number;
  /** Size of each class, in the order first seen. */
  readonly classSizes: readonly number[];
}

/** Measures k and distinct l of a released table whose first `qiCount` columns are the quasi-identifiers. */
export function checkAnonymity(t: ReleasedTable, qiCount: number): AnonymityCheck {
  const groups = new Map<string, { size: number; values: Set<string> }>();
  for (const row of t.rows) {
    const key = JSON.stringify(row.slice(0, qiCount));
    let g = groups.get(key);
    if (!g) {
      g = { size: 0, values: new Set() };
      groups.set(key, g);
    }
    g.size++;
    g.values.add(row[qiCount] as string);
  }
  const sizes = [...groups.values()].map((g) => g.size);
  const distinct = [...groups.values()].map((g) => g.values.size);
  return {
    classes: groups.size,
    kAchieved: sizes.reduce((a, b) => Math.min(a, b), sizes.length === 0 ? 0 : Infinity),
    lAchieved: distinct.reduce((a, b) => Math.min(a, b), distinct.length === 0 ? 0 : Infinity),
    classSizes: sizes,
  };
}

/** How to read a column back: a number range, or a value under a hierarchy (its data). */
export type ColumnTruth =
  | { readonly kind: 'numeric' }
  | { readonly kind: 'categorical'; readonly spec: HierarchySpec };

/** True when `label` is a true generalisation of `value`. */
function isCoveredBy(value: number | string, label: string, truth: ColumnTruth): boolean {
  if (truth.kind === 'categorical') {
    return label === String(value) || (truth.spec[String(value)] ?? []).includes(label);
  }
  const num = '-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?';
  const m = new RegExp(`^(${num})(?:\\.\\.(${num}))?$`).exec(label);
  if (!m || typeof value !== 'number') return false;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= value && value <= hi;
}

/**
 * True when each released row's cells generalise its input row (`source[i]` is row i's input row), its
 * sensitive value is unchanged, and no input row is released twice.
 */
export function checkTruthful(
  input: readonly TableRow[],
  t: ReleasedTable,
  source: readonly number[],
  truths: readonly ColumnTruth[],
): boolean {
  if (source.length !== t.rows.length || new Set(source).size !== source.length) return false;
  return t.rows.every((row, i) => {
    const orig = input[source[i] as number];
    if (!orig || row[truths.length] !== orig.sensitive) return false;
    return truths.every((truth, q) => isCoveredBy(orig.qi[q] as number | string, row[q] as string, truth));
  });
}
