/**
 * Generalisation hierarchies for categorical quasi-identifiers, given as data: each leaf value maps to
 * its generalisations from the first level up to the root, e.g. `'021' -> ['02*', '0**', '*']`. Every
 * list has the same length and ends at the same root; a node has one parent. Compiled to integer ids
 * for the partitioner.
 */
import { ResearchError, ResearchErrorCode } from '../errors.js';

/** leaf -> [level 1, level 2, ..., root]. */
export type HierarchySpec = Readonly<Record<string, readonly string[]>>;

/** A compiled hierarchy: node 0..leaves-1 are the leaves (level 0), then the inner nodes. */
export interface Hierarchy {
  readonly spec: HierarchySpec;
  readonly leaves: readonly string[];
  readonly leafIndex: ReadonlyMap<string, number>;
  /** Levels above the leaves; the root is at level `height`. */
  readonly height: number;
  readonly labels: readonly string[];
  readonly leafCount: Int32Array;
  readonly level: Int32Array;
  /** ancestor[leaf * (height + 1) + level]: the node above `leaf` at `level` (level 0: the leaf). */
  readonly ancestor: Int32Array;
}

/** Compiles and checks a hierarchy spec. */
export function createHierarchy(spec: HierarchySpec): Hierarchy {
  const leaves = Object.keys(spec).sort();
  if (leaves.length === 0) throw new ResearchError(ResearchErrorCode.InvalidHierarchy, 'no leaves');
  const height = (spec[leaves[0] as string] as readonly string[]).length;
  if (height === 0) throw new ResearchError(ResearchErrorCode.InvalidHierarchy, 'no root above the leaves');
  const labels: string[] = [...leaves];
  const level: number[] = leaves.map(() => 0);
  const leafCount: number[] = leaves.map(() => 1);
  const ids = new Map<string, number>(); // `${level}\u0000${label}` -> node
  const parent = new Map<number, number>();
  const ancestor = new Int32Array(leaves.length * (height + 1));
  leaves.forEach((leaf, li) => {
    const path = spec[leaf] as readonly string[];
    if (path.length !== height) {
      throw new ResearchError(
        ResearchErrorCode.InvalidHierarchy,
        `${leaf}: ${path.length} levels, expected ${height}`,
      );
    }
    ancestor[li * (height + 1)] = li;
    let below = li;
    path.forEach((label, i) => {
      const key = `${i + 1}\u0000${label}`;
      let node = ids.get(key);
      if (node === undefined) {
        node = labels.length;
        ids.set(key, node);
        labels.push(label);
        level.push(i + 1);
        leafCount.push(0);
      }
      const p = parent.get(below);
      if (p !== undefined && p !== node) {
        throw new ResearchError(ResearchErrorCode.InvalidHierarchy, `${labels[below]} has two parents`);
      }
      parent.set(below, node);
      leafCount[node] = (leafCount[node] as number) + 1;
      ancestor[li * (height + 1) + i + 1] = node;
      below = node;
    });
  });
  const roots = new Set(leaves.map((_, li) => ancestor[li * (height + 1) + height]));
  if (roots.size !== 1) throw new ResearchError(ResearchErrorCode.InvalidHierarchy, `${roots.size} roots`);
  return {
    spec,
    leaves,
    leafIndex: new Map(leaves.map((l, i) => [l, i])),
    height,
    labels,
    leafCount: Int32Array.from(leafCount),
    level: Int32Array.from(level),
    ancestor,
  };
}

/** A prefix hierarchy (ZIP3 -> ZIP2 -> ZIP1 -> *): `'021' -> ['02*', '0**', '*']`. All values one length. */
export function prefixHierarchy(values: Iterable<string>): HierarchySpec {
  const spec: Record<string, string[]> = {};
  for (const v of values) {
    const path: string[] = [];
    for (let keep = v.length - 1; keep >= 1; keep--)
      path.push(v.slice(0, keep) + '*'.repeat(v.length - keep));
    path.push('*');
    spec[v] = path;
  }
  return spec;
}

/** A one-level hierarchy: every value generalises straight to `*`. */
export function flatHierarchy(values: Iterable<string>): HierarchySpec {
  const spec: Record<string, string[]> = {};
  for (const v of values) spec[v] = ['*'];
  return spec;
}
