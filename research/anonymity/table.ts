/** The table the anonymiser works on: one row per patient, quasi-identifiers and one sensitive value. */
import type { Hierarchy } from './hierarchy.js';

/** A quasi-identifier column: numeric (cut at medians) or categorical (cut along its hierarchy). */
export type QiColumn =
  | { readonly name: string; readonly kind: 'numeric' }
  | { readonly name: string; readonly kind: 'categorical'; readonly hierarchy: Hierarchy };

/** One row: quasi-identifier values in column order, and the sensitive value. */
export interface TableRow {
  readonly qi: readonly (number | string)[];
  readonly sensitive: string;
}

/** A table of rows over quasi-identifier columns and one sensitive column. */
export interface AnonTable {
  readonly qis: readonly QiColumn[];
  readonly sensitiveName: string;
  readonly rows: readonly TableRow[];
}

/** A generalised value of one quasi-identifier in one equivalence class. */
export type QiCell =
  | { readonly kind: 'numeric'; readonly min: number; readonly max: number }
  | { readonly kind: 'categorical'; readonly node: number; readonly label: string };

/** The text a released row shows for a cell: `1957`, `1950..1959`, `021`, `02*`, `*`. */
export function cellLabel(cell: QiCell): string {
  if (cell.kind === 'categorical') return cell.label;
  return cell.min === cell.max ? String(cell.min) : `${cell.min}..${cell.max}`;
}
