/**
 * `ehrchain bench`: runs the measurement the options ask for (one run, `--repeat K` runs on fresh
 * networks, or a `--sweep` of offered rates on one network), optionally the etcd baseline with the
 * same harness, then writes the JSON and HTML reports and prints a summary.
 */
import { writeFile } from 'node:fs/promises';
import { EtcdCluster, findEtcd } from './network/etcd.js';
import type { LocalNetwork } from './network/network.js';
import type { BenchOptions } from './options.js';
import { renderHtml } from './report/html.js';
import { type BenchReport, buildReport } from './report/json.js';
import { baselineRatios } from './report/validators.js';
import { createLocalNetwork, type RunResult, type RunTarget, runOnce, startNetwork } from './run.js';
import { type SweepPoint, type SweepResult, selectSweep, sweepRates } from './sweep.js';

const PREGEN_NOTE =
  'Keys and signed txs were pre-generated in the worker threads before the clock started; the timed ' +
  'loop only sends bytes.';

/** What must be stopped if the bench is interrupted (validators, etcd members). */
const cleanups = new Set<() => Promise<void>>();
let interrupted = false;
function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) return;
  interrupted = true;
  console.error(`\n${signal}: stopping the processes the bench started...`);
  void Promise.allSettled([...cleanups].map((c) => c())).finally(() => process.exit(130));
}

/** Runs `f` with `stop` registered for interruption; always calls `stop` afterwards. */
async function guarded<T>(stop: () => Promise<void>, f: () => Promise<T>): Promise<T> {
  cleanups.add(stop);
  if (cleanups.size === 1) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    return await f();
  } finally {
    cleanups.delete(stop);
    if (cleanups.size === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await stop();
  }
}

async function withTarget<T>(
  o: BenchOptions,
  f: (t: RunTarget, net: LocalNetwork | null) => Promise<T>,
): Promise<T> {
  if (o.targets.length > 0) return f({ kind: 'remote', urls: o.targets }, null);
  const net = await createLocalNetwork(o);
  let stopped = false;
  let started = false;
  // A network that failed to start is kept: its node.log files explain why.
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await net.stop(o.keep || !started);
    if (o.keep) console.error(`network kept in ${net.dir}`);
  };
  return guarded(stop, async () => {
    await startNetwork(net);
    started = true;
    return f({ kind: 'local', net }, net);
  });
}

async function runSweep(o: BenchOptions): Promise<{ runs: RunResult[]; sweep: SweepResult; top: number }> {
  if (o.sweep === null) throw new Error('no sweep');
  const rates = sweepRates(o.sweep);
  const runs: RunResult[] = [];
  await withTarget(o, async (t) => {
    for (const rate of rates) runs.push(await runOnce(o, t, rate, `sweep ${rate}/s`));
  });
  const points: SweepPoint[] = runs.map((r, i) => ({
    rate: rates[i] ?? 0,
    sent_tps: Math.round((r.submitted / (o.durationMs / 1000)) * 100) / 100,
    submitted: r.submitted,
    committed_tps: r.committed_tps,
    p50: r.latency_ms.p50,
    p99: r.latency_ms.p99,
    rejected: r.rejected,
    failed: r.failed,
    uncommitted: r.uncommitted,
  }));
  const sweep = selectSweep(points, o.p99BoundMs);
  const top = sweep.best_rate === null ? runs.length - 1 : rates.indexOf(sweep.best_rate);
  return { runs, sweep, top };
}

async function runEtcd(o: BenchOptions, notes: string[]): Promise<BenchReport | undefined> {
  const etcd = findEtcd();
  if (etcd === null) {
    notes.push(
      '--baseline etcd: etcd is not installed on this machine (apt-get install etcd-server etcd-client); no baseline.',
    );
    return undefined;
  }
  const cluster = await EtcdCluster.start(3);
  return guarded(
    () => cluster.stop(),
    async () => {
      const eo: BenchOptions = { ...o, faults: [], repeat: 1 };
      const r = await runOnce(
        eo,
        { kind: 'etcd', urls: cluster.urls, sampled: cluster.sampled() },
        o.rate,
        'etcd',
      );
      return buildReport(eo, [r], `etcd ${cluster.version}`, [
        'etcd: 3 members on 127.0.0.1, puts via the v3 HTTP/JSON gateway; latency = put round-trip (answered after commit and apply).',
      ]);
    },
  );
}

/** Runs the bench and writes the reports; returns the report. */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const notes: string[] = [PREGEN_NOTE];
  let report: BenchReport;
  if (o.sweep !== null) {
    const { runs, sweep, top } = await runSweep(o);
    const best = runs[top];
    if (best === undefined) throw new Error('sweep produced no runs');
    notes.push(
      `Sweep: top-level figures are those of the ${sweep.best_rate === null ? 'last' : 'best'} step.`,
    );
    report = buildReport({ ...o, rate: sweep.points[top]?.rate ?? null }, [best], 'ehrchain', notes, {
      sweep,
    });
  } else {
    const runs: RunResult[] = [];
    for (let i = 0; i < o.repeat; i++) {
      runs.push(
        await withTarget(o, (t) =>
          runOnce(o, t, o.rate, o.repeat > 1 ? `run ${i + 1}/${o.repeat}` : 'bench'),
        ),
      );
    }
    if (o.repeat > 1)
      notes.push(
        `${o.repeat} runs on fresh networks; top-level figures are the median run by committed_tps.`,
      );
    report = buildReport(o, runs, 'ehrchain', notes);
  }
  if (report.exhausted && o.count === null) {
    notes.push('A worker ran out of pre-signed txs before the duration ended: raise --pregen-rate.');
  }
  if (o.baseline === 'etcd') {
    const baseline = await runEtcd(o, notes);
    if (baseline !== undefined)
      report = { ...report, baseline, vs_baseline: baselineRatios(report, baseline, baseline.system) };
  }
  if (o.json !== null) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
  if (o.html !== null) await writeFile(o.html, await renderHtml(report));
  return report;
}

/** A few lines for the terminal. */
export function summaryText(r: BenchReport): string {
  const l = r.latency_ms;
  const lines = [
    `${r.system} ${r.workload}: ${r.committed_tps} committed tx/s  latency p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms`,
    `  submitted ${r.submitted}  committed ${r.committed}  rejected ${r.rejected}  failed ${r.failed}  uncommitted ${r.uncommitted}  (load avg ${r.loadavg.start} -> ${r.loadavg.end})`,
    `  generator: ${r.generator.workers} worker threads, ${r.generator.cpu_pct}% CPU, rss max ${r.generator.rss_max_mb} MB (same machine)`,
    ...r.nodes.map(
      (n) =>
        `  ${n.name.padEnd(8)} rss max ${n.rss_max_mb} MB  cpu ${n.cpu_pct}% (${n.cpu_us_per_tx ?? '–'} µs/tx)  data ${n.leveldb_mb ?? '–'} MB  blocks ${n.blocks}  term +${n.term_changes}`,
    ),
    `  validators: cpu ${r.validators.cpu_us_per_tx ?? '–'} µs per committed tx (mean; max ${r.validators.cpu_us_per_tx_max ?? '–'}), rss max ${r.validators.rss_max_mb} MB`,
    ...r.faults.map(
      (f) =>
        `  fault ${f.kind} ${f.node ?? ''} at ${f.t}s: new leader after ${f.new_leader_ms ?? '–'} ms${f.new_leader_node_ms === undefined ? '' : ` (${f.new_leader_node_ms} ms by the nodes' stamps)`}, throughput back after ${f.recovered_ms ?? '–'} ms${f.error ? ` (${f.error})` : ''}`,
    ),
  ];
  if (r.sweep !== undefined)
    lines.push(`  sweep: best rate ${r.sweep.best_rate ?? 'none'} tx/s under p99 ${r.sweep.bound_ms} ms`);
  if (r.spread !== undefined) {
    lines.push(
      `  ${r.runs?.length} runs, median #${(r.median_run ?? 0) + 1}: tx/s min ${r.spread.committed_tps.min} max ${r.spread.committed_tps.max} sd ${r.spread.committed_tps.stdev}`,
    );
  }
  if (r.baseline !== undefined) lines.push(summaryText(r.baseline));
  const v = r.vs_baseline;
  if (v !== undefined)
    lines.push(
      `  vs ${v.baseline} (same run): tx/s ${v.committed_tps ?? '–'}x  p50 ${v.p50 ?? '–'}x  p99 ${v.p99 ?? '–'}x  cpu/tx ${v.cpu_us_per_tx ?? '–'}x  rss ${v.rss_max_mb ?? '–'}x`,
    );
  for (const n of r.notes.slice(1)) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
