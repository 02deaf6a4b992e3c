/**
 * Export pseudonyms: the i-th patient of an export gets a 32-bit bijective scramble of i under the
 * export's secret seed. Unique within the export, not derived from any identifier (HIPAA 164.514(c)),
 * computable while streaming, and unlinkable across exports with different seeds by anyone without them.
 */

/** A bijection of 32-bit integers keyed by `seed` (every step is invertible). */
function scramble32(x: number, seed: number): number {
  let h = (x ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = (h + seed * 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The pseudonym of the index-th patient of an export: `r` and 8 hex digits. */
export function pseudonymFor(index: number, seed: number): string {
  return `r${scramble32(index, seed).toString(16).padStart(8, '0')}`;
}
