/**
 * Naive models for the anonymiser's tests, written apart from research/anonymity: tiny tables, every
 * strict cut of a class, every set partition of a table, and NCP from the hierarchy's data.
 */
import type { HierarchySpec } from '../../../research/anonymity/hierarchy.js';

/** A tiny table: one numeric QI `x`, one categorical QI `c` (over SPEC), a sensitive `s`. */
export interface TinyRow {
  readonly x: number;
  readonly c: string;
  readonly s: string;
}

export const SPEC: HierarchySpec = {
  a1: ['a*', '*'],
  a2: ['a*', '*'],
  b1: ['b*', '*'],
  b2: ['b*', '*'],
};
export const LEAVES = Object.keys(SPEC);

/** The lowest common generalisation, in SPEC, of some leaves. */
function lcaOf(values: readonly string[]): string {
  const uniq = [...new Set(values)];
  if (uniq.length === 1) return uniq[0] as string;
  const parents = new Set(uniq.map((v) => SPEC[v]?.[0]));
  return parents.size === 1 ? ([...parents][0] as string) : '*';
}

const leavesUnder = (label: string): number =>
  LEAVES.filter((l) => l === label || (SPEC[l] ?? []).includes(label)).length;

/** NCP of a block of rows (its tightest generalisation), summed over rows and both QIs. */
export function blockNcp(block: readonly TinyRow[], xRange: number): number {
  const xs = block.map((r) => r.x);
  const nx = xRange === 0 ? 0 : (Math.max(...xs) - Math.min(...xs)) / xRange;
  const label = lcaOf(block.map((r) => r.c));
  const nc = LEAVES.includes(label) ? 0 : leavesUnder(label) / LEAVES.length;
  return block.length * (nx + nc);
}

export const validBlock = (block: readonly TinyRow[], k: number, l: number): boolean =>
  block.length >= k && new Set(block.map((r) => r.s)).size >= l;

/** Every strict single cut of a block: each threshold on x, and the split of c below its common node. */
export function allCuts(block: readonly TinyRow[]): TinyRow[][][] {
  const cuts: TinyRow[][][] = [];
  const xs = [...new Set(block.map((r) => r.x))].sort((a, b) => a - b);
  for (let i = 0; i < xs.length - 1; i++) {
    const t = xs[i] as number;
    cuts.push([block.filter((r) => r.x <= t), block.filter((r) => r.x > t)]);
  }
  const label = lcaOf(block.map((r) => r.c));
  if (!LEAVES.includes(label)) {
    // Children of `label`: the generalisation one level below it of each value.
    const childOf = (v: string): string => {
      const path = [v, ...(SPEC[v] ?? [])];
      return path[path.indexOf(label) - 1] as string;
    };
    const groups = new Map<string, TinyRow[]>();
    for (const r of block) groups.set(childOf(r.c), [...(groups.get(childOf(r.c)) ?? []), r]);
    if (groups.size > 1) cuts.push([...groups.values()]);
  }
  return cuts;
}

/** Every partition of 0..n-1 into blocks (restricted growth strings). */
export function* setPartitions(n: number): Generator<number[][]> {
  const a = new Array<number>(n).fill(0);
  function* rec(i: number, max: number): Generator<number[][]> {
    if (i === n) {
      const blocks: number[][] = Array.from({ length: max + 1 }, () => []);
      a.forEach((b, j) => {
        blocks[b]?.push(j);
      });
      yield blocks;
      return;
    }
    for (let b = 0; b <= max + 1; b++) {
      a[i] = b;
      yield* rec(i + 1, Math.max(max, b));
    }
  }
  if (n === 0) yield [];
  else {
    a[0] = 0;
    yield* rec(1, 0);
  }
}

/** The least total NCP of any partition of `rows` into valid blocks; Infinity when there is none. */
export function optimalNcp(rows: readonly TinyRow[], k: number, l: number): number {
  const xs = rows.map((r) => r.x);
  const range = Math.max(...xs) - Math.min(...xs);
  let best = Infinity;
  for (const blocks of setPartitions(rows.length)) {
    const bs = blocks.map((b) => b.map((i) => rows[i] as TinyRow));
    if (!bs.every((b) => validBlock(b, k, l))) continue;
    const ncp = bs.reduce((acc, b) => acc + blockNcp(b, range), 0);
    if (ncp < best) best = ncp;
  }
  return best;
}
