import { describe, expect, it } from 'vitest';
import { compareReports, formatCompare } from '../../../cli/bench/compare.js';
import { recoveryTimes } from '../../../cli/bench/network/faults.js';
import { leaderName } from '../../../cli/bench/network/network.js';
import { metricValue } from '../../../cli/bench/network/sampler.js';
import {
  BenchOptionError,
  parseBenchOptions,
  parseDurationMs,
  parseFault,
} from '../../../cli/bench/options.js';
import { medianRunIndex, spreadOf } from '../../../cli/bench/report/json.js';
import { percentileSorted, SseParser, summarize } from '../../../cli/bench/report/latency.js';
import { baselineRatios, validatorFigures, withCpuPerTx } from '../../../cli/bench/report/validators.js';
import { type SweepPoint, selectSweep, sweepRates } from '../../../cli/bench/sweep.js';

describe('percentiles', () => {
  it('nearest rank over sorted samples', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(s, 50)).toBe(50);
    expect(percentileSorted(s, 99)).toBe(99);
    expect(percentileSorted(s, 100)).toBe(100);
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 50)).toBe(0);
  });
  it('summaries are ordered and sort unsorted input', () => {
    const xs = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 1000];
    const s = summarize(xs);
    expect(s.p50).toBe(6);
    expect(s.max).toBe(1000);
    expect(s.p50).toBeLessThanOrEqual(s.p95);
    expect(s.p95).toBeLessThanOrEqual(s.p99);
    expect(s.p99).toBeLessThanOrEqual(s.max);
  });
});

describe('SSE parser', () => {
  it('joins events split across chunks', () => {
    const p = new SseParser();
    const got: string[] = [];
    const on = (e: { event: string; data: string }) => got.push(`${e.event}:${e.data}`);
    p.feed('retry: 2000\n\nevent: block\ndata: {"a"', on);
    p.feed(':1}\n\n: keep-alive\n\nevent: receipts\r\ndata: x\r\n\r\n', on);
    expect(got).toEqual(['block:{"a":1}', 'receipts:x']);
  });
});

describe('options', () => {
  it('parses faults', () => {
    expect(parseFault('kill-leader@10s')).toEqual({ atMs: 10_000, kind: 'kill-leader' });
    expect(parseFault('restart@15s:node2')).toEqual({ atMs: 15_000, kind: 'restart', node: 'node2' });
    expect(parseFault('partition@20s:node3:5s')).toEqual({
      atMs: 20_000,
      kind: 'partition',
      node: 'node3',
      durationMs: 5000,
    });
    expect(parseDurationMs('--duration', '500ms')).toBe(500);
    expect(parseDurationMs('--duration', '2m')).toBe(120_000);
  });
  it.each([
    [{ fault: ['explode@1s'] }, '--fault'],
    [{ fault: ['kill-leader@1s:node1'] }, '--fault'],
    [{ fault: ['partition@1s:node2'] }, '--fault'],
    [{ fault: ['restart@1s'] }, '--fault'],
    [{ fault: ['kill@1s:node9'] }, '--fault'],
    [{ fault: ['kill@40s:node1'], duration: '30' }, '--fault'],
    [{ fault: ['kill-leader@1s'], target: ['http://127.0.0.1:1'] }, '--fault'],
    [{ duration: 'soon' }, '--duration'],
    [{ sweep: '1000:500:100' }, '--sweep'],
    [{ sweep: '1000:8000' }, '--sweep'],
    [{ sweep: '1000:2000:100', rate: 5 }, '--sweep'],
    [{ workload: 'mining' }, '--workload'],
    [{ baseline: 'postgres' }, '--baseline'],
    [{ http: 'curl' }, '--http'],
    [{ target: ['localhost:8080'] }, '--target'],
    [{ workers: 0 }, '--workers'],
    [{ batch: 0 }, '--batch'],
    [{ batch: 1001 }, '--batch'],
    [{ batch: 10, workload: 'records' }, '--batch'],
  ])('rejects %j', (raw, flag) => {
    try {
      parseBenchOptions(raw);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BenchOptionError);
      expect((err as BenchOptionError).flag).toBe(flag);
    }
  });
  it('defaults, and a partition implies the proxy', () => {
    const o = parseBenchOptions({ fault: ['partition@2s:node3:1s', 'kill-leader@1s'] }, ['bench']);
    expect(o.proxy).toBe(true);
    expect(o.faults.map((f) => f.kind)).toEqual(['kill-leader', 'partition']);
    expect(o.durationMs).toBe(30_000);
    expect(o.rate).toBeNull();
    expect(o.command).toEqual(['bench']);
  });
});

describe('sweep', () => {
  const pt = (rate: number, tps: number, p99: number, uncommitted = 0): SweepPoint => ({
    rate,
    sent_tps: rate,
    submitted: rate * 10,
    committed_tps: tps,
    p50: p99 / 2,
    p99,
    rejected: 0,
    failed: 0,
    uncommitted,
  });
  it('steps the rate', () => {
    expect(sweepRates({ from: 1000, to: 3000, step: 1000 })).toEqual([1000, 2000, 3000]);
  });
  it('picks the highest rate under the bound that kept up', () => {
    const points = [
      pt(1000, 1000, 100),
      pt(2000, 1990, 400),
      pt(3000, 2990, 1500),
      pt(4000, 2500, 800, 5000),
    ];
    expect(selectSweep(points, 1000).best_rate).toBe(2000);
    expect(selectSweep(points, 2000).best_rate).toBe(3000);
    // 4000: p99 under the bound, but half the txs were left uncommitted.
    expect(selectSweep(points, 5000).best_rate).toBe(3000);
    const slowGenerator = { ...pt(5000, 4000, 100), sent_tps: 4000 };
    expect(selectSweep([...points, slowGenerator], 5000).best_rate).toBe(3000);
    expect(selectSweep(points, 50).best_rate).toBeNull();
  });
});

describe('compare', () => {
  const rep = (tps: number, p99: number, rss: number) => ({
    committed_tps: tps,
    latency_ms: { p50: p99 / 4, p95: p99 / 2, p99, max: p99 * 2 },
    nodes: [
      {
        name: 'node1',
        rss_max_mb: rss,
        cpu_pct: 50,
        cpu_s: 1,
        cpu_us_per_tx: 1000 / tps,
        leveldb_mb: 1,
        blocks: 1,
        term_changes: 0,
        apply_ms_mean: 1,
      },
    ],
    committed: 1,
    failed: 0,
    rejected: 0,
    validators: { cpu_us_per_tx: 1000 / tps, cpu_us_per_tx_max: 1000 / tps, rss_max_mb: rss },
  });
  it('gives B/A ratios and which way is better', () => {
    const rows = compareReports(rep(1000, 200, 100), rep(2000, 100, 150));
    const by = Object.fromEntries(rows.map((r) => [r.figure, r]));
    expect(by.committed_tps?.ratio).toBe(2);
    expect(by['latency p99 ms']?.ratio).toBe(0.5);
    expect(by['rss_max_mb (max node)']?.ratio).toBe(1.5);
    expect(by['validator cpu µs/tx (mean node)']?.ratio).toBe(0.5);
    expect(by.failed?.ratio).toBeNull();
    const text = formatCompare(rows, 'A', 'B');
    expect(text).toMatch(/committed_tps\s+1000\s+2000\s+2x\s+better/);
    expect(text).toMatch(/latency p99 ms\s+200\s+100\s+0.5x\s+better/);
    expect(text).toMatch(/rss_max_mb \(max node\)\s+100\s+150\s+1.5x\s+worse/);
  });
});

describe('validator cost per committed tx', () => {
  const node = (name: string, cpu_s: number, rss_max_mb: number) => ({
    name,
    rss_max_mb,
    cpu_pct: 0,
    cpu_s,
    cpu_us_per_tx: null,
    leveldb_mb: null,
    blocks: 0,
    term_changes: 0,
    apply_ms_mean: null,
  });
  it("is each node's CPU seconds over the committed txs, mean and max over nodes", () => {
    const nodes = withCpuPerTx([node('a', 1, 200), node('b', 3, 250)], 10_000);
    expect(nodes.map((n) => n.cpu_us_per_tx)).toEqual([100, 300]);
    expect(validatorFigures(nodes)).toEqual({ cpu_us_per_tx: 200, cpu_us_per_tx_max: 300, rss_max_mb: 250 });
  });
  it('is null when nothing committed', () => {
    const nodes = withCpuPerTx([node('a', 1, 200)], 0);
    expect(validatorFigures(nodes).cpu_us_per_tx).toBeNull();
  });
  it('compares with the baseline of the same run as this / baseline', () => {
    const us = {
      committed_tps: 900,
      latency_ms: { p50: 40, p99: 300 },
      validators: validatorFigures(withCpuPerTx([node('a', 2, 150)], 10_000)),
    };
    const etcd = {
      committed_tps: 1000,
      latency_ms: { p50: 20, p99: 100 },
      validators: validatorFigures(withCpuPerTx([node('e', 1, 50)], 10_000)),
    };
    expect(baselineRatios(us, etcd, 'etcd 3.4')).toEqual({
      baseline: 'etcd 3.4',
      committed_tps: 0.9,
      p50: 2,
      p99: 3,
      cpu_us_per_tx: 2,
      rss_max_mb: 3,
    });
  });
});

describe('repeat, recovery, metrics, leader', () => {
  it('median run and spread', () => {
    expect(medianRunIndex([{ committed_tps: 5 }, { committed_tps: 1 }, { committed_tps: 3 }])).toBe(2);
    expect(spreadOf([1, 3, 5])).toEqual({ min: 1, median: 3, max: 5, stdev: 1.63 });
  });
  it('recovery time after a dip', () => {
    const s = [100, 100, 100, 100, 10, 0, 50, 95, 100].map((c, t) => ({
      t,
      submitted: 0,
      committed_tps: c,
      p50: 0,
      p99: 0,
    }));
    expect(recoveryTimes(s, [{ t: 4 }])).toEqual([4000]);
    expect(recoveryTimes(s, [{ t: 0.5 }])).toEqual([null]);
    const flat = s.map((p) => ({ ...p, committed_tps: 100 }));
    expect(recoveryTimes(flat, [{ t: 4 }])).toEqual([0]);
  });
  it('reads Prometheus text', () => {
    const text = '# HELP x\nprocess_resident_memory_bytes 1048576\nfoo{a="1"} 2\nfoo{a="2"} 3\nfoo_sum 9\n';
    expect(metricValue(text, 'process_resident_memory_bytes')).toBe(1048576);
    expect(metricValue(text, 'foo')).toBe(5);
    expect(metricValue(text, 'bar')).toBeNull();
  });
  it('leader by majority view', () => {
    const v = [
      { name: 'node1', peerId: 'A' },
      { name: 'node2', peerId: 'B' },
    ];
    const st = (leader: string | null) => ({
      name: 'x',
      role: 'follower',
      leader,
      term: 1,
      height: 1,
      chainId: 'c',
      validators: v,
    });
    expect(leaderName([st('B'), st('B'), st('A'), null])).toBe('node2');
    expect(leaderName([st(null), null])).toBeNull();
  });
});
