/**
 * `ehrchain bench` options: their shape, defaults, and the parsing of compound flag values
 * (durations, faults, sweeps). The CLI (cli/main.ts) maps flags to `RawBenchFlags` in one place;
 * `parseBenchOptions` validates them all and throws `BenchOptionError` with the flag at fault.
 */

import { CONSENT_OPS, DEFAULT_CONSENT_MIX, parseMix } from './consent/plan.js';

/** Records workload ops. */
const RECORDS_OPS = ['put', 'get'] as const;
const DEFAULT_RECORDS_MIX = { put: 20, get: 80 } as const;

/** A fault kind the harness can inject. */
export type FaultKind = 'kill-leader' | 'kill' | 'restart' | 'partition';

/** One scheduled fault: `kill-leader@10s`, `kill@5s:node2`, `restart@15s:node2`, `partition@20s:node3:5s`. */
export interface FaultSpec {
  readonly atMs: number;
  readonly kind: FaultKind;
  /** Validator name (`node2`); absent for `kill-leader`, which picks the leader when it fires. */
  readonly node?: string;
  /** How long a partition lasts. */
  readonly durationMs?: number;
}

/** `--sweep FROM:TO:STEP` in offered tx/s. */
export interface SweepSpec {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

/** How the load generator talks HTTP. */
export type HttpImpl = 'undici' | 'node' | 'fetch';

/** Everything one `ehrchain bench` invocation needs. */
export interface BenchOptions {
  /** Validators to start (ignored with `targets`). */
  readonly nodes: number;
  /** Running nodes to drive instead of a fresh local network. */
  readonly targets: readonly string[];
  readonly workload: string;
  readonly durationMs: number;
  /** Stop after this many submitted txs (whichever of duration and count comes first). */
  readonly count: number | null;
  /** Offered tx/s; null: as fast as the network takes them (bounded by `inflight`). */
  readonly rate: number | null;
  readonly workers: number;
  /** Distinct sender accounts, over all workers. */
  readonly accounts: number;
  /** Concurrent HTTP requests per worker. */
  readonly concurrency: number;
  /** Flat out: at most this many submitted-but-uncommitted txs, over all workers. */
  readonly inflight: number;
  /** Txs per HTTP request: 1 posts each to /v1/tx, more posts batches to /v1/txs (noop, kv, consent-mix). */
  readonly batch: number;
  /** Flat out without --count: pre-sign this many txs per second of duration. */
  readonly pregenRate: number;
  readonly valueBytes: number;
  readonly faults: readonly FaultSpec[];
  readonly sweep: SweepSpec | null;
  readonly p99BoundMs: number;
  readonly repeat: number;
  readonly baseline: 'etcd' | null;
  readonly http: HttpImpl;
  /** After the load stops, wait this long for outstanding txs to commit. */
  readonly drainMs: number;
  /** Put a fault-injecting TCP proxy between validators (on by default when a partition is scheduled). */
  readonly proxy: boolean;
  readonly json: string | null;
  readonly html: string | null;
  /** Keep the temporary network directory (logs, data, profiles). */
  readonly keep: boolean;
  /** Where to create the local network (default: a fresh temp dir). */
  readonly dir: string | null;
  /** Extra `node` flags for the validator processes (space-separated), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  readonly nodeArgs: string | null;
  /** The `ehrchain` binary that runs `init` and the validators; null: this checkout's bin/ehrchain.mjs. */
  readonly nodeBin: string | null;
  readonly blockIntervalMs: number | null;
  readonly progress: boolean;
  /** consent-mix / records: weights per op (`grant=40,revoke=10,...`; `put=20,get=80`). */
  readonly mix: Readonly<Record<string, number>>;
  /** consent-mix / records: patients and doctors registered per hospital in setup. */
  readonly patients: number;
  readonly doctors: number;
  /** consent-mix / records with --target: the hospitals' first admin key files, in hospital order. */
  readonly adminKeys: readonly string[];
  /** The exact argv of this invocation, for the report. */
  readonly command: readonly string[];
}

/** The flags as the CLI hands them over (strings where the value is compound). */
export interface RawBenchFlags {
  readonly nodes?: number;
  readonly target?: readonly string[];
  readonly workload?: string;
  readonly duration?: string;
  readonly count?: number;
  readonly rate?: number;
  readonly workers?: number;
  readonly accounts?: number;
  readonly concurrency?: number;
  readonly inflight?: number;
  readonly batch?: number;
  readonly pregenRate?: number;
  readonly valueBytes?: number;
  readonly fault?: readonly string[];
  readonly sweep?: string;
  readonly p99Bound?: number;
  readonly repeat?: number;
  readonly baseline?: string;
  readonly http?: string;
  readonly drain?: string;
  readonly proxy?: boolean;
  readonly json?: string;
  readonly html?: string;
  readonly keep?: boolean;
  readonly dir?: string;
  readonly nodeArgs?: string;
  readonly nodeBin?: string;
  readonly blockInterval?: number;
  readonly progress?: boolean;
  readonly mix?: string;
  readonly patients?: number;
  readonly doctors?: number;
  readonly adminKey?: readonly string[];
}

/** A flag value that cannot be used; `flag` names it. */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
  }
}

/** Workloads the harness knows (some may be unavailable until their contract exists on the node). */
const WORKLOAD_NAMES = ['noop', 'kv', 'consent-mix', 'records'] as const;

/** Parses `30`, `30s`, `1.5s`, `500ms`, `2m` into milliseconds. */
export function parseDurationMs(flag: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (m === null) throw new BenchOptionError(flag, `"${v}" is not a duration (e.g. 30, 30s, 500ms, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000;
  if (!Number.isFinite(ms) || ms > 86_400_000) throw new BenchOptionError(flag, `"${v}" is out of range`);
  return Math.round(ms);
}

const FAULT_KINDS: readonly FaultKind[] = ['kill-leader', 'kill', 'restart', 'partition'];

/** Parses one `--fault` value. */
export function parseFault(v: string): FaultSpec {
  const at = v.indexOf('@');
  if (at < 0) throw new BenchOptionError('--fault', `"${v}": expected KIND@TIME[:NODE[:DURATION]]`);
  const kind = v.slice(0, at) as FaultKind;
  if (!FAULT_KINDS.includes(kind)) {
    throw new BenchOptionError('--fault', `unknown fault "${kind}" (${FAULT_KINDS.join(', ')})`);
  }
  const [time = '', node, dur, ...extra] = v.slice(at + 1).split(':');
  if (extra.length > 0) throw new BenchOptionError('--fault', `"${v}": too many fields`);
  const atMs = parseDurationMs('--fault', time);
  if (node !== undefined && !/^node\d+$/.test(node)) {
    throw new BenchOptionError('--fault', `"${node}" is not a validator name (node1, node2, ...)`);
  }
  if (kind === 'kill-leader') {
    if (node !== undefined) throw new BenchOptionError('--fault', 'kill-leader picks the leader itself');
    return { atMs, kind };
  }
  if (node === undefined) throw new BenchOptionError('--fault', `${kind} needs a node: ${kind}@TIME:nodeN`);
  if (kind === 'partition') {
    if (dur === undefined) throw new BenchOptionError('--fault', 'partition needs a duration: @20s:node3:5s');
    return { atMs, kind, node, durationMs: parseDurationMs('--fault', dur) };
  }
  if (dur !== undefined) throw new BenchOptionError('--fault', `${kind} takes no duration`);
  return { atMs, kind, node };
}

/** Parses `--sweep FROM:TO:STEP`. */
function parseSweep(v: string): SweepSpec {
  const parts = v.split(':').map(Number);
  const [from, to, step] = parts;
  if (parts.length !== 3 || from === undefined || to === undefined || step === undefined) {
    throw new BenchOptionError('--sweep', `"${v}": expected FROM:TO:STEP, e.g. 1000:8000:1000`);
  }
  if (![from, to, step].every((n) => Number.isSafeInteger(n) && n > 0) || from > to) {
    throw new BenchOptionError('--sweep', `"${v}": positive integers with FROM <= TO`);
  }
  if ((to - from) / step > 100) throw new BenchOptionError('--sweep', 'more than 100 steps');
  return { from, to, step };
}

function positive(flag: string, v: number | undefined, dflt: number, max = 1e9): number {
  const n = v ?? dflt;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new BenchOptionError(flag, `must be an integer in 1..${max}`);
  }
  return n;
}

/** Validates the flags and fills in defaults. */
export function parseBenchOptions(raw: RawBenchFlags, command: readonly string[] = []): BenchOptions {
  const targets = (raw.target ?? []).map((t) => t.replace(/\/+$/, ''));
  for (const t of targets) {
    if (!/^https?:\/\/[^/]+$/.test(t)) throw new BenchOptionError('--target', `"${t}" is not a base URL`);
  }
  const workload = raw.workload ?? 'noop';
  if (!(WORKLOAD_NAMES as readonly string[]).includes(workload)) {
    throw new BenchOptionError('--workload', `unknown workload "${workload}" (${WORKLOAD_NAMES.join(', ')})`);
  }
  const faults = (raw.fault ?? []).map(parseFault).sort((a, b) => a.atMs - b.atMs);
  const nodes = positive('--nodes', raw.nodes, 3, 16);
  if (targets.length > 0 && faults.length > 0) {
    throw new BenchOptionError('--fault', 'faults need a network the bench started (not --target)');
  }
  for (const f of faults) {
    if (f.node !== undefined && Number(f.node.slice(4)) > nodes) {
      throw new BenchOptionError('--fault', `${f.node} does not exist in a ${nodes}-node network`);
    }
  }
  const sweep = raw.sweep === undefined ? null : parseSweep(raw.sweep);
  if (sweep !== null && raw.rate !== undefined)
    throw new BenchOptionError('--sweep', 'conflicts with --rate');
  const baseline = raw.baseline ?? null;
  if (baseline !== null && baseline !== 'etcd') {
    throw new BenchOptionError('--baseline', `unknown baseline "${baseline}" (etcd)`);
  }
  const http = raw.http ?? 'undici';
  if (http !== 'undici' && http !== 'node' && http !== 'fetch') {
    throw new BenchOptionError('--http', 'undici, node or fetch');
  }
  const durationMs = parseDurationMs('--duration', raw.duration ?? '30');
  if (durationMs < 100) throw new BenchOptionError('--duration', 'at least 100ms');
  for (const f of faults) {
    if (f.atMs >= durationMs) throw new BenchOptionError('--fault', `at ${f.atMs} ms is after the run ends`);
  }
  const records = workload === 'records';
  const valueBytes = raw.valueBytes ?? (records ? 10_000 : 32);
  const maxValue = records ? 4_000_000 : 65_536;
  if (!Number.isSafeInteger(valueBytes) || valueBytes < 0 || valueBytes > maxValue) {
    throw new BenchOptionError('--value-bytes', `must be an integer in 0..${maxValue}`);
  }
  let mix: Readonly<Record<string, number>> = {};
  try {
    if (workload === 'consent-mix')
      mix = raw.mix === undefined ? DEFAULT_CONSENT_MIX : parseMix(raw.mix, CONSENT_OPS);
    else if (records) mix = raw.mix === undefined ? DEFAULT_RECORDS_MIX : parseMix(raw.mix, RECORDS_OPS);
    else if (raw.mix !== undefined) throw new Error('--mix: only for consent-mix and records');
  } catch (e) {
    throw new BenchOptionError('--mix', e instanceof Error ? e.message.replace(/^--mix: /, '') : String(e));
  }
  const batch = positive('--batch', raw.batch, 1, 1000);
  if (batch > 1 && records) {
    throw new BenchOptionError('--batch', 'batches are for the noop, kv and consent-mix workloads');
  }
  const adminKeys = raw.adminKey ?? [];
  if (targets.length > 0 && (workload === 'consent-mix' || records) && adminKeys.length === 0) {
    throw new BenchOptionError(
      '--admin-key',
      `${workload} with --target needs the hospitals' admin key files`,
    );
  }
  return {
    nodes,
    targets,
    workload,
    durationMs,
    count: raw.count === undefined ? null : positive('--count', raw.count, 1),
    rate: raw.rate === undefined ? null : positive('--rate', raw.rate, 1, 1_000_000),
    workers: positive('--workers', raw.workers, 2, 64),
    accounts: positive('--accounts', raw.accounts, 1000, 1_000_000),
    concurrency: positive('--concurrency', raw.concurrency, 64, 4096),
    inflight: positive('--inflight', raw.inflight, 20_000, 10_000_000),
    batch,
    pregenRate: positive('--pregen-rate', raw.pregenRate, 10_000, 1_000_000),
    valueBytes,
    faults,
    sweep,
    p99BoundMs: positive('--p99-bound', raw.p99Bound, 1000, 3_600_000),
    repeat: positive('--repeat', raw.repeat, 1, 100),
    baseline,
    http,
    drainMs: parseDurationMs('--drain', raw.drain ?? '10s'),
    proxy: raw.proxy === true || faults.some((f) => f.kind === 'partition'),
    json: raw.json ?? null,
    html: raw.html ?? null,
    keep: raw.keep === true,
    dir: raw.dir ?? null,
    nodeArgs: raw.nodeArgs ?? null,
    nodeBin: raw.nodeBin ?? null,
    blockIntervalMs: raw.blockInterval ?? null,
    progress: raw.progress !== false,
    mix,
    patients: positive('--patients', raw.patients, 100, 100_000),
    doctors: positive('--doctors', raw.doctors, 50, 100_000),
    adminKeys,
    command,
  };
}
