/**
 * Strict multidimensional Mondrian (LeFevre, DeWitt, Ramakrishnan 2006) with distinct l-diversity as a
 * split constraint. Starting from the whole table, a partition is cut on the quasi-identifier with the
 * widest normalised range: numeric columns at the allowable boundary between distinct values closest to
 * the median (so the halves never overlap), categorical columns into the children of the values' lowest
 * common ancestor in the hierarchy. A cut is allowable when every part keeps >= k rows and >= l
 * distinct sensitive values. A partition with no allowable cut on any column becomes an equivalence
 * class, generalised to the tightest range / lowest common ancestor of its values.
 *
 * Suppression: when the whole table is not k-anonymous and l-diverse no partition exists and every row
 * is suppressed. Within a budget (cap x rows), a categorical cut may also drop the children too small or
 * not diverse enough to stand alone (rare ZIP areas, say) instead of refusing the cut. Partitions are
 * processed breadth first, so the budget goes to the coarsest cuts first. Pure and deterministic.
 */
import { ResearchError, ResearchErrorCode } from '../errors.js';
import type { AnonTable, QiCell } from './table.js';

/** Privacy parameters of a run. */
export interface MondrianOptions {
  /** Every class has at least k rows (k >= 1). */
  readonly k: number;
  /** Every class has at least l distinct sensitive values (l >= 1). */
  readonly l: number;
  /** The fraction of rows that may be suppressed, in [0, 1]. */
  readonly suppressionCap: number;
}

/** An equivalence class: its rows (indices into the table) and one generalised cell per QI. */
export interface EquivalenceClass {
  readonly rows: readonly number[];
  readonly cells: readonly QiCell[];
}

/** Classes in a data-determined order, and the suppressed rows (ascending). */
export interface MondrianResult {
  readonly classes: readonly EquivalenceClass[];
  readonly suppressed: readonly number[];
}

/** Checks k, l and the cap. */
export function validateMondrianOptions(o: MondrianOptions): void {
  if (!Number.isInteger(o.k) || o.k < 1)
    throw new ResearchError(ResearchErrorCode.InvalidOption, `k = ${o.k}`);
  if (!Number.isInteger(o.l) || o.l < 1)
    throw new ResearchError(ResearchErrorCode.InvalidOption, `l = ${o.l}`);
  if (!(o.suppressionCap >= 0 && o.suppressionCap <= 1)) {
    throw new ResearchError(ResearchErrorCode.InvalidOption, `suppression cap = ${o.suppressionCap}`);
  }
}

interface Encoded {
  readonly n: number;
  /** numeric[q] for numeric columns, categorical leaf ids for categorical ones. */
  readonly cols: (Float64Array | Int32Array)[];
  readonly sensitive: Int32Array;
  readonly sensitiveCount: number;
}

function encode(t: AnonTable): Encoded {
  const n = t.rows.length;
  const cols = t.qis.map((c, q) => {
    if (c.kind === 'numeric') {
      const a = new Float64Array(n);
      t.rows.forEach((r, i) => {
        const v = r.qi[q];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ResearchError(ResearchErrorCode.InvalidOption, `row ${i}: ${c.name} is not a number`);
        }
        a[i] = v;
      });
      return a;
    }
    const a = new Int32Array(n);
    t.rows.forEach((r, i) => {
      const leaf = c.hierarchy.leafIndex.get(String(r.qi[q]));
      if (leaf === undefined) {
        throw new ResearchError(ResearchErrorCode.ValueNotInHierarchy, `row ${i}: ${c.name} = ${r.qi[q]}`);
      }
      a[i] = leaf;
    });
    return a;
  });
  const codes = new Map<string, number>();
  const sensitive = new Int32Array(n);
  t.rows.forEach((r, i) => {
    let c = codes.get(r.sensitive);
    if (c === undefined) {
      c = codes.size;
      codes.set(r.sensitive, c);
    }
    sensitive[i] = c;
  });
  return { n, cols, sensitive, sensitiveCount: codes.size };
}

/** Partitions `table` into k-anonymous, l-diverse equivalence classes. */
export function mondrian(table: AnonTable, opts: MondrianOptions): MondrianResult {
  validateMondrianOptions(opts);
  return new Partitioner(table, encode(table), opts).run();
}

class Partitioner {
  private readonly counts: Int32Array;
  private budget: number;
  private readonly suppressed: number[] = [];
  private readonly classes: EquivalenceClass[] = [];
  /** Numeric domain widths, for normalising ranges. */
  private readonly widths: number[];

  constructor(
    private readonly t: AnonTable,
    private readonly e: Encoded,
    private readonly o: MondrianOptions,
  ) {
    this.counts = new Int32Array(e.sensitiveCount);
    this.budget = Math.floor(o.suppressionCap * e.n);
    this.widths = t.qis.map((c, q) => {
      if (c.kind !== 'numeric') return 0;
      const col = e.cols[q] as Float64Array;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of col) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      return hi - lo;
    });
  }

  run(): MondrianResult {
    const all = Array.from({ length: this.e.n }, (_, i) => i);
    if (this.e.n === 0) return { classes: [], suppressed: [] };
    if (!this.valid(all)) return { classes: [], suppressed: all };
    const queue: number[][] = [all];
    for (let head = 0; head < queue.length; head++) {
      const part = queue[head] as number[];
      queue[head] = []; // let it go
      const parts = this.cut(part);
      if (parts) queue.push(...parts);
      else this.classes.push({ rows: part, cells: this.t.qis.map((_, q) => this.cell(part, q)) });
    }
    this.suppressed.sort((a, b) => a - b);
    return { classes: this.classes, suppressed: this.suppressed };
  }

  /** Counts row r's sensitive value; true when it is the first of its value since the last reset. */
  private bump(r: number): boolean {
    const s = this.e.sensitive[r] as number;
    const c = this.counts[s] as number;
    this.counts[s] = c + 1;
    return c === 0;
  }

  /** Distinct sensitive values among `rows`. */
  private distinct(rows: readonly number[]): number {
    let d = 0;
    for (const r of rows) if (this.bump(r)) d++;
    for (const r of rows) this.counts[this.e.sensitive[r] as number] = 0;
    return d;
  }

  private valid(rows: readonly number[]): boolean {
    return rows.length >= this.o.k && (this.o.l <= 1 || this.distinct(rows) >= this.o.l);
  }

  /** The tightest generalisation of column q over rows. */
  private cell(rows: readonly number[], q: number): QiCell {
    const c = this.t.qis[q];
    if (c?.kind === 'numeric') {
      const col = this.e.cols[q] as Float64Array;
      let min = Infinity;
      let max = -Infinity;
      for (const r of rows) {
        const v = col[r] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { kind: 'numeric', min, max };
    }
    const h = c!.hierarchy;
    const node = this.lca(rows, q);
    return { kind: 'categorical', node, label: h.labels[node] as string };
  }

  /** The lowest common ancestor in column q's hierarchy of the rows' values. */
  private lca(rows: readonly number[], q: number): number {
    const c = this.t.qis[q];
    if (c?.kind !== 'categorical') throw new Error('unreachable: lca of a numeric column');
    const h = c.hierarchy;
    const col = this.e.cols[q] as Int32Array;
    const stride = h.height + 1;
    for (let lvl = 0; lvl <= h.height; lvl++) {
      const first = h.ancestor[(col[rows[0] as number] as number) * stride + lvl] as number;
      let same = true;
      for (const r of rows) {
        if (h.ancestor[(col[r] as number) * stride + lvl] !== first) {
          same = false;
          break;
        }
      }
      if (same) return first;
    }
    throw new Error('unreachable: a hierarchy has one root');
  }

  /** The normalised width of column q over rows, in [0, 1]. */
  private width(rows: readonly number[], q: number): number {
    const c = this.t.qis[q];
    if (c?.kind === 'numeric') {
      const cell = this.cell(rows, q) as { min: number; max: number };
      const w = this.widths[q] as number;
      return w === 0 ? 0 : (cell.max - cell.min) / w;
    }
    const h = c!.hierarchy;
    const node = this.lca(rows, q);
    return h.level[node] === 0 ? 0 : (h.leafCount[node] as number) / h.leaves.length;
  }

  /** The parts of the first allowable cut, widest column first; undefined when none is allowable. */
  private cut(rows: number[]): number[][] | undefined {
    if (rows.length < 2 * this.o.k) {
      // No cut can leave k rows on both sides; only a suppressing categorical cut might narrow it.
      if (this.budget === 0) return undefined;
    }
    const order = this.t.qis
      .map((_, q) => [q, this.width(rows, q)] as const)
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [q] of order) {
      const parts =
        this.t.qis[q]?.kind === 'numeric' ? this.cutNumeric(rows, q) : this.cutCategorical(rows, q);
      if (parts) return parts;
    }
    return undefined;
  }

  private cutNumeric(rows: readonly number[], q: number): number[][] | undefined {
    const { k, l } = this.o;
    const n = rows.length;
    if (n < 2 * k) return undefined;
    const col = this.e.cols[q] as Float64Array;
    // Counting sort by distinct value: rows grouped in value order.
    const rank = new Map<number, number>();
    for (const r of rows) rank.set(col[r] as number, 0);
    const keys = [...rank.keys()].sort((a, b) => a - b);
    keys.forEach((v, i) => {
      rank.set(v, i);
    });
    const start = new Int32Array(keys.length + 1);
    for (const r of rows) {
      const g = (rank.get(col[r] as number) as number) + 1;
      start[g] = (start[g] as number) + 1;
    }
    for (let i = 0; i < keys.length; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
    const sorted = new Array<number>(n);
    const fill = start.slice(0, keys.length);
    for (const r of rows) {
      const g = rank.get(col[r] as number) as number;
      const at = fill[g] as number;
      sorted[at] = r;
      fill[g] = at + 1;
    }
    // Distinct sensitive values left of each boundary, and right of it.
    const D = keys.length;
    const leftD = new Int32Array(D + 1);
    const rightD = new Int32Array(D + 1);
    if (l > 1) {
      let d = 0;
      for (let g = 0; g < D; g++) {
        for (let i = start[g] as number; i < (start[g + 1] as number); i++) {
          if (this.bump(sorted[i] as number)) d++;
        }
        leftD[g + 1] = d;
      }
      this.counts.fill(0);
      d = 0;
      for (let g = D - 1; g >= 0; g--) {
        for (let i = start[g] as number; i < (start[g + 1] as number); i++) {
          if (this.bump(sorted[i] as number)) d++;
        }
        rightD[g] = d;
      }
      this.counts.fill(0);
    }
    // Boundary b: left = groups [0, b), right = groups [b, D). Closest allowable one to the median.
    let best = -1;
    let bestGap = Infinity;
    for (let b = 1; b < D; b++) {
      const left = start[b] as number;
      if (left < k || n - left < k) continue;
      if (l > 1 && ((leftD[b] as number) < l || (rightD[b] as number) < l)) continue;
      const gap = Math.abs(2 * left - n);
      if (gap < bestGap) {
        bestGap = gap;
        best = b;
      }
    }
    if (best < 0) return undefined;
    const at = start[best] as number;
    return [sorted.slice(0, at), sorted.slice(at)];
  }

  private cutCategorical(rows: readonly number[], q: number): number[][] | undefined {
    const c = this.t.qis[q];
    if (c?.kind !== 'categorical') return undefined;
    const h = c.hierarchy;
    const node = this.lca(rows, q);
    const childLevel = (h.level[node] as number) - 1;
    const col = this.e.cols[q] as Int32Array;
    const stride = h.height + 1;
    const groups = new Map<number, number[]>();
    for (const r of rows) {
      const child = h.ancestor[(col[r] as number) * stride + childLevel] as number;
      let g = groups.get(child);
      if (!g) {
        g = [];
        groups.set(child, g);
      }
      g.push(r);
    }
    const kept: number[][] = [];
    const dropped: number[][] = [];
    let droppedRows = 0;
    for (const child of [...groups.keys()].sort((a, b) => a - b)) {
      const g = groups.get(child) as number[];
      if (this.valid(g)) kept.push(g);
      else {
        dropped.push(g);
        droppedRows += g.length;
      }
    }
    if (droppedRows === 0) return kept;
    if (kept.length === 0 || droppedRows > this.budget) return undefined;
    this.budget -= droppedRows;
    for (const g of dropped) this.suppressed.push(...g);
    return kept;
  }
}
