/**
 * Per-node resource figures. For validators the bench started: /proc/<pid>/stat (CPU ticks) and
 * /proc/<pid>/status (VmRSS) every 250 ms. For `--target` nodes: their Prometheus `/metrics`
 * (process_cpu_seconds_total, process_resident_memory_bytes). Both: block height and term from
 * `/v1/status` at start and end, and the node-side block apply time from the
 * `ehrchain_block_apply_seconds` histogram.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What the report says about one node. */
export interface NodeFigures {
  readonly name: string;
  readonly rss_max_mb: number;
  /** Mean CPU over the run, percent of one core. */
  readonly cpu_pct: number;
  /** CPU seconds (user + system) the process spent over the measured window (t0 to end of drain). */
  readonly cpu_s: number;
  /** `cpu_s` per tx the run committed, in µs (null when nothing committed); set by the run. */
  readonly cpu_us_per_tx: number | null;
  /** Size of its data directory at the end (null in --target mode). */
  readonly leveldb_mb: number | null;
  /** Blocks committed during the run (as seen by this node). */
  readonly blocks: number;
  /** Raft term increase during the run. */
  readonly term_changes: number;
  /** Mean node-side time to verify, execute and persist one block (ms), from its metrics. */
  readonly apply_ms_mean: number | null;
}

/** How to observe one node. */
export interface SampledNode {
  readonly name: string;
  readonly url: string;
  /** Current pid (validators the bench started), or null to read /metrics. */
  readonly pid: () => number | null;
  readonly dataDir: string | null;
}

interface Acc {
  rssMax: number;
  cpuTicks: number;
  lastTicks: Map<number, number>;
  cpuSeconds0: number | null;
  cpuSeconds1: number;
  height0: number;
  term0: number;
  apply0: [number, number];
}

const TICKS = 100; // USER_HZ on Linux

async function procSample(pid: number): Promise<{ ticks: number; rss: number } | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const st = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(st);
    return { ticks, rss: m === null ? 0 : Number(m[1]) * 1024 };
  } catch {
    return null;
  }
}

/** Reads one sample (sum over labels) of a Prometheus metric from exposition text. */
export function metricValue(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : null;
}

async function text(url: string): Promise<string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return r.ok ? await r.text() : '';
  } catch {
    return '';
  }
}

async function statusOf(url: string): Promise<{ height: number; term: number } | null> {
  const t = await text(`${url}/v1/status`);
  if (t === '') return null;
  const s = JSON.parse(t) as { height: number; term: number };
  return { height: s.height, term: s.term };
}

/** Total size of a directory tree in bytes. */
async function duBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await duBytes(p);
    else
      total += await stat(p)
        .then((s) => s.size)
        .catch(() => 0);
  }
  return total;
}

const mb = (b: number) => Math.round((b / 1048576) * 10) / 10;
const apply = (t: string): [number, number] => [
  metricValue(t, 'ehrchain_block_apply_seconds_sum') ?? 0,
  metricValue(t, 'ehrchain_block_apply_seconds_count') ?? 0,
];

/** Samples nodes from `start()` to `stop()`. */
export class Sampler {
  readonly #acc: Acc[];
  #timer: NodeJS.Timeout | null = null;
  #t0 = 0;
  #busy = false;

  constructor(
    private readonly nodes: readonly SampledNode[],
    private readonly intervalMs = 250,
  ) {
    this.#acc = nodes.map(() => ({
      rssMax: 0,
      cpuTicks: 0,
      lastTicks: new Map(),
      cpuSeconds0: null,
      cpuSeconds1: 0,
      height0: 0,
      term0: 0,
      apply0: [0, 0],
    }));
  }

  async start(): Promise<void> {
    this.#t0 = performance.now();
    await Promise.all(
      this.nodes.map(async (n, i) => {
        const a = this.#acc[i] as Acc;
        const s = await statusOf(n.url);
        a.height0 = s?.height ?? 0;
        a.term0 = s?.term ?? 0;
        a.apply0 = apply(await text(`${n.url}/metrics`));
      }),
    );
    await this.#sample();
    this.#timer = setInterval(() => void this.#sample(), this.intervalMs);
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    await Promise.all(
      this.nodes.map(async (n, i) => {
        const a = this.#acc[i] as Acc;
        const pid = n.pid();
        if (pid !== null) {
          const p = pid > 0 ? await procSample(pid) : null;
          if (p === null) return;
          a.rssMax = Math.max(a.rssMax, p.rss);
          const last = a.lastTicks.get(pid);
          if (last !== undefined) a.cpuTicks += p.ticks - last;
          a.lastTicks.set(pid, p.ticks);
          return;
        }
        const t = await text(`${n.url}/metrics`);
        const rss = metricValue(t, 'process_resident_memory_bytes');
        const cpu = metricValue(t, 'process_cpu_seconds_total');
        if (rss !== null) a.rssMax = Math.max(a.rssMax, rss);
        if (cpu !== null) {
          a.cpuSeconds0 ??= cpu;
          a.cpuSeconds1 = cpu;
        }
      }),
    );
    this.#busy = false;
  }

  /** Stops sampling and returns the per-node figures. */
  async stop(): Promise<NodeFigures[]> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#sample();
    const seconds = Math.max(0.001, (performance.now() - this.#t0) / 1000);
    return Promise.all(
      this.nodes.map(async (n, i) => {
        const a = this.#acc[i] as Acc;
        const s = await statusOf(n.url);
        const ap = apply(await text(`${n.url}/metrics`));
        // A restarted node's counters start again from zero.
        const base = ap[1] >= a.apply0[1] ? a.apply0 : [0, 0];
        const blocks = ap[1] - (base[1] ?? 0);
        const cpu =
          n.pid() !== null ? a.cpuTicks / TICKS : a.cpuSeconds0 === null ? 0 : a.cpuSeconds1 - a.cpuSeconds0;
        return {
          name: n.name,
          rss_max_mb: mb(a.rssMax),
          cpu_pct: Math.round((cpu / seconds) * 1000) / 10,
          cpu_s: Math.round(cpu * 1000) / 1000,
          cpu_us_per_tx: null,
          leveldb_mb: n.dataDir === null ? null : mb(await duBytes(n.dataDir)),
          blocks: s === null ? Math.max(0, blocks) : s.height - a.height0,
          term_changes: s === null ? 0 : s.term - a.term0,
          apply_ms_mean: blocks > 0 ? Math.round(((ap[0] - (base[0] ?? 0)) / blocks) * 1e5) / 100 : null,
        };
      }),
    );
  }
}
