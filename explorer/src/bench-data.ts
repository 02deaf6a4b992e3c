/**
 * The benchmark result file (docs/explorer.md, "Benchmark JSON"): parsed leniently, so any subset
 * of the fields renders and unknown fields are ignored.
 */

export interface BenchPoint {
  readonly t: number;
  readonly committed_tps: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface BenchNode {
  readonly name: string;
  /** Every scalar field of the node entry, in file order (name first). */
  readonly fields: readonly [string, string | number | boolean | null][];
}

export interface BenchFault {
  readonly t: number;
  readonly kind: string;
  readonly node: string | null;
}

export interface Bench {
  readonly committed_tps: number | null;
  readonly latency_ms: Readonly<Record<'p50' | 'p95' | 'p99' | 'max', number | null>> | null;
  readonly submitted: number | null;
  readonly committed: number | null;
  readonly failed: number | null;
  readonly nodes: readonly BenchNode[];
  readonly series: readonly BenchPoint[];
  readonly faults: readonly BenchFault[];
  readonly machine: string | null;
  readonly command: string | null;
  /** Other top-level scalar fields (duration, rate, ...), shown as they are. */
  readonly extra: readonly [string, string | number | boolean][];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const s = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A scalar or a short description of an object (machine: {cpu, cores, ...} -> "cpu: x, cores: 2"). */
function describe(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(' ');
  if (isObj(v)) {
    return Object.entries(v)
      .filter(([, x]) => x !== null && typeof x !== 'object')
      .map(([k, x]) => `${k}: ${String(x)}`)
      .join(', ');
  }
  return String(v);
}

const KNOWN = new Set([
  'committed_tps',
  'latency_ms',
  'submitted',
  'committed',
  'failed',
  'nodes',
  'series',
  'faults',
  'machine',
  'command',
]);

/** Parses a bench JSON text; throws a readable Error when it is not a JSON object. */
export function parseBench(textIn: string): Bench {
  let raw: unknown;
  try {
    raw = JSON.parse(textIn);
  } catch (e) {
    throw new Error(`Not a JSON file: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObj(raw)) throw new Error('A bench result is a JSON object (see docs/explorer.md).');
  const lat = isObj(raw.latency_ms) ? raw.latency_ms : null;
  const series = arr(raw.series)
    .filter(isObj)
    .map((p) => ({ t: n(p.t), committed_tps: n(p.committed_tps), p50: n(p.p50), p99: n(p.p99) }))
    .filter((p): p is BenchPoint => p.t !== null)
    .sort((a, b) => a.t - b.t);
  return {
    committed_tps: n(raw.committed_tps),
    latency_ms: lat === null ? null : { p50: n(lat.p50), p95: n(lat.p95), p99: n(lat.p99), max: n(lat.max) },
    submitted: n(raw.submitted),
    committed: n(raw.committed),
    failed: n(raw.failed),
    nodes: arr(raw.nodes)
      .filter(isObj)
      .map((o, i) => ({
        name: s(o.name) ?? `node ${i + 1}`,
        fields: Object.entries(o)
          .filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
          .map(
            ([k, v]) =>
              [k, v as string | number | boolean | null] as [string, string | number | boolean | null],
          ),
      })),
    series,
    faults: arr(raw.faults)
      .filter(isObj)
      .map((f) => ({ t: n(f.t), kind: s(f.kind) ?? 'fault', node: s(f.node) }))
      .filter((f): f is BenchFault => f.t !== null),
    machine: describe(raw.machine),
    command: describe(raw.command),
    extra: Object.entries(raw)
      .filter(([k, v]) => !KNOWN.has(k) && ['string', 'number', 'boolean'].includes(typeof v))
      .map(([k, v]) => [k, v as string | number | boolean]),
  };
}

/** The columns of the per-node table: the union of the nodes' fields, `name` first. */
export function nodeColumns(nodes: readonly BenchNode[]): string[] {
  const cols: string[] = [];
  for (const nd of nodes) for (const [k] of nd.fields) if (!cols.includes(k)) cols.push(k);
  return ['name', ...cols.filter((c) => c !== 'name')];
}
