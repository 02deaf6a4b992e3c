/**
 * One measured run: bring up (or reach) the nodes, check the workload's contract is there, start
 * the sampler, the load and the fault schedule on a common clock, show progress, then gather the
 * figures. Networks are created per run unless one is passed in (a sweep reuses one).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { ConsentMix } from './consent/plan.js';
import { type ConsentFigures, consentFigures } from './consent/report.js';
import { type ConsentSetup, consentSetup, readAdminSeeds } from './consent/setup.js';
import { type LoadRun, type LoadTarget, runLoad, txsPerWorker, workerInits } from './load/load.js';
import { type RecordsFigures, runRecords } from './load/records.js';
import { createWorkload } from './load/workloads.js';
import { type FaultRecord, FaultRunner, recoveryTimes } from './network/faults.js';
import { LocalNetwork, nodeStatus } from './network/network.js';
import { type NodeFigures, type SampledNode, Sampler } from './network/sampler.js';
import type { BenchOptions } from './options.js';
import { aggregate, type RunFigures } from './report/aggregate.js';
import { type ValidatorFigures, validatorFigures, withCpuPerTx } from './report/validators.js';

/** A run's figures plus the per-node table and the faults. */
export interface RunResult extends RunFigures {
  readonly nodes: readonly NodeFigures[];
  /** The nodes' CPU per committed tx (mean, max) and max RSS over the measured window. */
  readonly validators: ValidatorFigures;
  readonly faults: readonly FaultRecord[];
  /** 1-minute load average when the run started and ended (the machine may be shared). */
  readonly loadavg: { readonly start: number; readonly end: number };
  readonly started_at: string;
  /** The bench process itself (main thread + load workers), from t0 to the end of the drain. */
  readonly generator: { readonly cpu_pct: number; readonly rss_max_mb: number; readonly workers: number };
  /** consent-mix: setup, per-op outcomes, canAccess queries. */
  readonly consent?: ConsentFigures;
  /** records: put/get latency, reads served per second. */
  readonly records?: RecordsFigures;
}

/** Where a run sends its load. */
export type RunTarget =
  | { readonly kind: 'local'; readonly net: LocalNetwork }
  | { readonly kind: 'remote'; readonly urls: readonly string[] }
  | { readonly kind: 'etcd'; readonly urls: readonly string[]; readonly sampled: readonly SampledNode[] };

const load1 = async () => {
  const { loadavg } = await import('node:os');
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
};

/** Creates (does not start) a fresh local network for `o`. */
export function createLocalNetwork(o: BenchOptions): Promise<LocalNetwork> {
  return LocalNetwork.create({
    nodes: o.nodes,
    dir: o.dir,
    proxy: o.proxy,
    nodeArgs: o.nodeArgs,
    ...(o.nodeBin === null ? {} : { nodeBin: o.nodeBin }),
    blockIntervalMs: o.blockIntervalMs,
  });
}

/** Starts a created network and waits for a leader. */
export async function startNetwork(net: LocalNetwork): Promise<void> {
  await net.start();
}

async function checkWorkload(o: BenchOptions, url: string): Promise<void> {
  const w = createWorkload(o.workload, { valueBytes: o.valueBytes });
  const r = await fetch(`${url}/v1/query/${w.contract}/get?args=00`).catch(() => null);
  if (r === null) throw new Error(`${url} does not answer`);
  const body = (await r.json()) as { error?: { code?: string } };
  if (body.error?.code === 'unknown_contract') {
    throw new Error(`workload ${o.workload} needs contract ${w.contract}, which ${url} does not have`);
  }
}

function progressBar(o: BenchOptions, label: string) {
  if (!o.progress || process.stderr.isTTY !== true) return null;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} s | sent {sent} | committed {committed} | {tps} tx/s`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.ceil(o.durationMs / 1000), 0, { sent: 0, committed: 0, tps: 0 });
  return bar;
}

/** Runs the load once against `target` at `rate` (null: flat out). */
export async function runOnce(
  o: BenchOptions,
  target: RunTarget,
  rate: number | null,
  label = 'bench',
): Promise<RunResult> {
  const started_at = new Date().toISOString();
  const loadStart = await load1();
  let lt: LoadTarget;
  let sampled: readonly SampledNode[];
  if (target.kind === 'local') {
    const net = target.net;
    lt = { mode: 'ehrchain', urls: net.nodes.map((n) => n.url), chainId: net.chainId };
    sampled = net.nodes.map((n) => ({
      name: n.name,
      url: n.url,
      pid: () => n.pid,
      dataDir: `${n.home}/data`,
    }));
  } else if (target.kind === 'remote') {
    const st = await nodeStatus(target.urls[0] ?? '');
    if (st === null) throw new Error(`${target.urls[0]} does not answer /v1/status`);
    lt = { mode: 'ehrchain', urls: target.urls, chainId: st.chainId };
    sampled = await Promise.all(
      target.urls.map(async (url) => ({
        name: (await nodeStatus(url))?.name ?? url,
        url,
        pid: () => null,
        dataDir: null,
      })),
    );
  } else {
    lt = { mode: 'etcd', urls: target.urls, chainId: '' };
    sampled = target.sampled;
  }
  if (lt.mode === 'ehrchain') await checkWorkload(o, lt.urls[0] ?? '');
  // consent-mix and records: the hospitals' first admins (local: the network's key files).
  const needsAdmins = o.workload === 'consent-mix' || o.workload === 'records';
  const adminSeeds = !needsAdmins
    ? []
    : await readAdminSeeds(
        target.kind === 'local'
          ? target.net.nodes.map((_, i) => join(target.net.dir, 'keys', `admin-hospital-${i + 1}.json`))
          : o.adminKeys,
      );
  let setup: ConsentSetup | null = null;
  if (o.workload === 'consent-mix') {
    const shape = {
      hospitals: adminSeeds.length,
      patients: o.patients,
      doctors: o.doctors,
      extraAdmins: 3,
      recordsPerDoctor: 4,
    };
    if (o.progress) console.error(`${label}: consent-mix setup (untimed)...`);
    setup = await consentSetup(
      lt.urls,
      lt.chainId,
      adminSeeds,
      shape,
      o.mix as ConsentMix,
      o.workers,
      txsPerWorker(o, rate),
      randomBytes(8).toString('hex'),
    );
  }
  const sampler = new Sampler(sampled);
  const faults = target.kind === 'local' ? new FaultRunner(target.net, o.faults) : null;
  const bar = progressBar(o, label);
  let t0 = 0;
  let lastCommitted = 0;
  let lastAt = 0;
  let tps = 0;
  let samplerStarted: Promise<void> | null = null;
  let cpu0 = process.cpuUsage();
  let rssMax = 0;
  const onStart = (t: number) => {
    t0 = t;
    lastAt = t;
    samplerStarted = sampler.start();
    cpu0 = process.cpuUsage();
    faults?.start(t);
  };
  const extra: { records: RecordsFigures | null } = { records: null };
  const load = async (): Promise<LoadRun> => {
    if (o.workload !== 'records')
      return runLoad(workerInits(o, lt, rate, setup?.init), { onStart, onProgress });
    const r = await runRecords({
      urls: lt.urls,
      chainId: lt.chainId,
      adminSeeds,
      clients: o.concurrency,
      valueBytes: o.valueBytes,
      mix: o.mix,
      durationMs: o.durationMs,
      onStart,
      onProgress,
    });
    extra.records = r.figures;
    return r.run;
  };
  const onProgress = (p: { committed: number; sent: number }) => {
    const now = Date.now();
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
    if (now - lastAt >= 1000) {
      tps = Math.round(((p.committed - lastCommitted) * 1000) / (now - lastAt));
      lastCommitted = p.committed;
      lastAt = now;
    }
    bar?.update(Math.min(Math.ceil(o.durationMs / 1000), Math.floor((now - t0) / 1000)), {
      sent: p.sent,
      committed: p.committed,
      tps,
    });
  };
  const run = await load().finally(() => bar?.stop());
  const cpu = process.cpuUsage(cpu0);
  const genSeconds = Math.max(0.001, (Date.now() - t0) / 1000);
  const generator = {
    cpu_pct: Math.round(((cpu.user + cpu.system) / 1e6 / genSeconds) * 1000) / 10,
    rss_max_mb: Math.round((rssMax / 1048576) * 10) / 10,
    workers: o.workload === 'records' ? 0 : o.workers,
  };
  await faults?.stop();
  await samplerStarted;
  const figures = aggregate(run, rate);
  const nodes = withCpuPerTx(await sampler.stop(), figures.committed);
  const records = faults?.records ?? [];
  const rec = recoveryTimes(figures.series, records);
  for (const [i, f] of records.entries()) f.recovered_ms = rec[i] ?? null;
  return {
    ...figures,
    nodes,
    validators: validatorFigures(nodes),
    faults: records,
    loadavg: { start: loadStart, end: await load1() },
    started_at,
    generator,
    ...(setup === null ? {} : { consent: consentFigures(run, setup, o.durationMs) }),
    ...(extra.records === null ? {} : { records: extra.records }),
  };
}
