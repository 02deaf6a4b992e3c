/** The export report: what was asked, what the independent checker measured, loss and risk. */
import type { ProsecutorRisk } from './anonymity/metrics.js';

/** Every field of an export's report (documented in docs/research.md). */
export interface ExportReport {
  /** Requested k and l. */
  readonly k: number;
  readonly l: number;
  /** Smallest class and fewest distinct sensitive values in a class, measured on the released rows. */
  readonly kAchieved: number;
  readonly lAchieved: number;
  /** Every released cell generalises its input value, sensitive values unchanged, no row twice. */
  readonly truthful: boolean;
  /** Patients read. */
  readonly patients: number;
  readonly rowsReleased: number;
  /** Rows not released: suppressed by the partitioner, missing a quasi-identifier, or all when refused. */
  readonly rowsSuppressed: number;
  /** Of those, rows without a numeric quasi-identifier (e.g. no birth date). */
  readonly rowsMissingQi: number;
  readonly suppressionCap: number;
  readonly suppressionCapRows: number;
  /** Equivalence classes as a reader sees them. */
  readonly classes: number;
  /** Normalised certainty penalty over all rows (suppressed = 1), over released rows, per column. */
  readonly ncp: number;
  readonly ncpReleased: number;
  readonly ncpByQi: Readonly<Record<string, number>>;
  /** Prosecutor-model re-identification risk. */
  readonly risk: ProsecutorRisk;
  readonly classSizeHistogram: readonly { readonly size: number; readonly classes: number }[];
  /** What the Safe Harbor engine did: element counts per action, and paths removed for having no rule. */
  readonly safeHarbor: {
    readonly byAction: Readonly<Record<string, number>>;
    readonly defaultRemoved: readonly string[];
  };
}
