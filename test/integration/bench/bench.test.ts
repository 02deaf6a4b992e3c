/**
 * Real bench runs against real validator processes on 127.0.0.1: a short kv run checks the JSON and
 * HTML reports are produced and consistent; a kill-leader run checks the fault is recorded and the
 * network recovers. Never asserts a speed (the machine may be shared).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../../cli/bench/bench.js';
import { parseBenchOptions } from '../../../cli/bench/options.js';
import type { BenchReport } from '../../../cli/bench/report/json.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function checkConsistent(r: BenchReport): void {
  expect(r.committed).toBeGreaterThan(0);
  expect(r.committed).toBeLessThanOrEqual(r.submitted);
  const l = r.latency_ms;
  expect(l.p50).toBeGreaterThan(0);
  expect(l.p50).toBeLessThanOrEqual(l.p95);
  expect(l.p95).toBeLessThanOrEqual(l.p99);
  expect(l.p99).toBeLessThanOrEqual(l.max);
  expect(r.committed_tps).toBeGreaterThan(0);
  expect(r.series.length).toBeGreaterThan(0);
  expect(r.series.reduce((n, p) => n + p.committed_tps, 0)).toBe(r.committed);
  for (const n of r.nodes) expect(n.rss_max_mb).toBeGreaterThan(0);
  expect(r.machine.cores).toBeGreaterThan(0);
  expect(r.phases.admission.count).toBe(r.submitted);
}

describe('ehrchain bench', () => {
  it('a short kv run writes consistent JSON and a self-contained HTML report', async () => {
    const json = join(dir, 'kv.json');
    const html = join(dir, 'kv.html');
    const o = parseBenchOptions(
      {
        nodes: 3,
        workload: 'kv',
        duration: '3s',
        count: 300,
        rate: 150,
        accounts: 20,
        drain: '20s',
        json,
        html,
        progress: false,
      },
      ['bench', '--workload', 'kv'],
    );
    await runBench(o);
    const r = JSON.parse(await readFile(json, 'utf8')) as BenchReport;
    checkConsistent(r);
    expect(r.submitted).toBeLessThanOrEqual(300);
    expect(r.rejected + r.failed).toBe(0);
    expect(r.nodes.map((n) => n.name)).toEqual(['node1', 'node2', 'node3']);
    expect(r.nodes.some((n) => n.blocks > 0)).toBe(true);
    expect(r.command).toEqual(['bench', '--workload', 'kv']);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('uPlot');
    expect(page).toContain('.uplot');
    expect(page).toContain(`"committed_tps":${r.committed_tps}`);
    expect(page).not.toMatch(/<script[^>]+src=/);
  }, 90_000);

  it('flat out with --batch posts batches to /v1/txs and every tx commits', async () => {
    const json = join(dir, 'batch.json');
    const o = parseBenchOptions({
      nodes: 3,
      workload: 'kv',
      duration: '5s',
      count: 500,
      batch: 25,
      accounts: 40,
      drain: '20s',
      json,
      progress: false,
    });
    await runBench(o);
    const r = JSON.parse(await readFile(json, 'utf8')) as BenchReport;
    checkConsistent(r);
    expect(r.settings.batch).toBe(25);
    expect(r.submitted).toBe(500);
    expect(r.committed).toBe(500);
    expect(r.rejected + r.failed).toBe(0);
  }, 90_000);

  it('kill-leader is recorded and the network recovers', async () => {
    const json = join(dir, 'kill.json');
    const o = parseBenchOptions({
      nodes: 3,
      workload: 'noop',
      duration: '7s',
      rate: 100,
      accounts: 50,
      fault: ['kill-leader@2s'],
      // Txs the killed leader admitted but never gossiped never commit: don't wait long for them.
      drain: '6s',
      json,
      progress: false,
    });
    await runBench(o);
    const r = JSON.parse(await readFile(json, 'utf8')) as BenchReport;
    checkConsistent(r);
    expect(r.faults).toHaveLength(1);
    const f = r.faults[0];
    expect(f?.kind).toBe('kill-leader');
    expect(f?.node).toMatch(/^node[123]$/);
    expect(f?.error).toBeUndefined();
    expect(f?.new_leader_ms).toBeGreaterThan(0);
    // Recovered: txs sent well after the kill were committed.
    const late = r.series.filter((p) => p.t >= Math.ceil((f?.t ?? 0) + (f?.new_leader_ms ?? 0) / 1000) + 1);
    expect(late.reduce((n, p) => n + p.committed_tps, 0)).toBeGreaterThan(0);
    const killed = r.nodes.find((n) => n.name === f?.node);
    const others = r.nodes.filter((n) => n.name !== f?.node);
    expect(killed).toBeDefined();
    expect(others.every((n) => n.blocks > 0)).toBe(true);
  }, 90_000);
});
