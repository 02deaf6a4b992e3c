/** The released table: one row per released patient, generalised quasi-identifiers then the sensitive value. */
import type { MondrianResult } from './mondrian.js';
import { type AnonTable, cellLabel } from './table.js';

/** A released table of strings: `header` names the columns, the sensitive column last. */
export interface ReleasedTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** The released table and, kept apart for checking and never released, the input row of each row. */
export interface Release {
  readonly table: ReleasedTable;
  readonly source: readonly number[];
}

/**
 * The release of a partition: classes in the partitioner's order, rows within a class sorted by their
 * sensitive value, so the input order (which may follow record numbers) does not show through.
 */
export function createRelease(t: AnonTable, result: MondrianResult): Release {
  const header = [...t.qis.map((c) => c.name), t.sensitiveName];
  const rows: string[][] = [];
  const source: number[] = [];
  for (const cls of result.classes) {
    const labels = cls.cells.map(cellLabel);
    const members = [...cls.rows].sort((a, b) => {
      const sa = t.rows[a]?.sensitive as string;
      const sb = t.rows[b]?.sensitive as string;
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    });
    for (const r of members) {
      rows.push([...labels, t.rows[r]?.sensitive as string]);
      source.push(r);
    }
  }
  return { table: { header, rows }, source };
}
