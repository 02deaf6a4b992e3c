/**
 * The HTML report (`--html FILE`): one self-contained file with uPlot and its CSS inlined from
 * node_modules, the report JSON inlined, throughput and latency charts per second with the faults
 * drawn as vertical markers on both, and tables (percentiles, phases, nodes, faults, sweep, runs,
 * machine, command).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { BenchReport } from './json.js';
import { phaseRows } from './json.js';

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

function table(head: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(String(c ?? '–'))}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

async function uplotAssets(): Promise<{ js: string; css: string }> {
  const require = createRequire(import.meta.url);
  // uplot's main is dist/uPlot.cjs.js: its directory holds the browser build and the CSS.
  const base = dirname(require.resolve('uplot'));
  return {
    js: await readFile(join(base, 'uPlot.iife.min.js'), 'utf8'),
    css: await readFile(join(base, 'uPlot.min.css'), 'utf8'),
  };
}

/** The charting script: reads the inlined report and draws both charts with fault markers. */
const CHART_JS = `
const R = JSON.parse(document.getElementById('bench-data').textContent);
const faults = R.faults || [];
const markers = {
  hooks: { draw: [u => {
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#d62728'; ctx.fillStyle = '#d62728'; ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
    ctx.font = (12 * devicePixelRatio) + 'px sans-serif';
    for (const f of faults) {
      const x = u.valToPos(f.t, 'x', true);
      ctx.beginPath(); ctx.moveTo(x, bbox.top); ctx.lineTo(x, bbox.top + bbox.height); ctx.stroke();
      ctx.fillText(f.kind + (f.node ? ' ' + f.node : ''), x + 4, bbox.top + 14 * devicePixelRatio);
      if (f.healed_t !== undefined) {
        const h = u.valToPos(f.healed_t, 'x', true);
        ctx.beginPath(); ctx.moveTo(h, bbox.top); ctx.lineTo(h, bbox.top + bbox.height); ctx.stroke();
        ctx.fillText('healed', h + 4, bbox.top + 28 * devicePixelRatio);
      }
    }
    const e = u.valToPos(R.duration_s, 'x', true);
    ctx.strokeStyle = '#888'; ctx.fillStyle = '#888';
    ctx.beginPath(); ctx.moveTo(e, bbox.top); ctx.lineTo(e, bbox.top + bbox.height); ctx.stroke();
    ctx.fillText('load stopped (drain)', e + 4, bbox.top + 42 * devicePixelRatio);
    ctx.restore();
  }] },
};
function chart(el, title, unit, series) {
  const xs = R.series.map(p => p.t);
  const data = [xs, ...series.map(s => s.data)];
  new uPlot({
    title, width: Math.min(1100, window.innerWidth - 40), height: 320, plugins: [markers],
    scales: { x: { time: false } },
    axes: [{ label: 'seconds since start' }, { label: unit, size: 70 }],
    series: [{ label: 't (s)' }, ...series.map(s => ({ label: s.label, stroke: s.color, width: 2 }))],
  }, data, document.getElementById(el));
}
const B = R.baseline;
const pad = (arr) => R.series.map((_, i) => (arr[i] === undefined ? null : arr[i]));
chart('tps', 'Throughput per second', 'tx/s', [
  { label: 'committed/s', color: '#1f77b4', data: R.series.map(p => p.committed_tps) },
  { label: 'submitted/s', color: '#aaa', data: R.series.map(p => p.submitted) },
  ...(B ? [{ label: B.system + ' committed/s', color: '#2ca02c', data: pad(B.series.map(p => p.committed_tps)) }] : []),
]);
chart('lat', 'Latency of txs committed in each second', 'ms', [
  { label: 'p50', color: '#1f77b4', data: R.series.map(p => (p.committed_tps > 0 ? p.p50 : null)) },
  { label: 'p99', color: '#ff7f0e', data: R.series.map(p => (p.committed_tps > 0 ? p.p99 : null)) },
  ...(B ? [{ label: B.system + ' p99', color: '#2ca02c', data: pad(B.series.map(p => (p.committed_tps > 0 ? p.p99 : null))) }] : []),
]);
`;

function summaryRows(r: BenchReport): (string | number | null)[][] {
  return [
    [
      r.system,
      r.committed_tps,
      r.latency_ms.p50,
      r.latency_ms.p95,
      r.latency_ms.p99,
      r.latency_ms.max,
      r.submitted,
      r.committed,
      r.rejected,
      r.failed,
      r.validators?.cpu_us_per_tx ?? null,
      r.validators?.rss_max_mb ?? null,
    ],
  ];
}

/** Renders the report as one self-contained HTML page. */
export async function renderHtml(r: BenchReport): Promise<string> {
  const { js, css } = await uplotAssets();
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  const head = [
    'system',
    'committed tx/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'submitted',
    'committed',
    'rejected',
    'failed',
    'validator CPU µs/tx (mean)',
    'validator RSS max MB',
  ];
  const sections: string[] = [];
  sections.push(
    `<h2>Results</h2>${table(head, [...summaryRows(r), ...(r.baseline ? summaryRows(r.baseline) : [])])}`,
  );
  const v = r.vs_baseline;
  if (v !== undefined) {
    sections.push(
      `<h3>Same-run ratio to ${esc(v.baseline)} (this / baseline)</h3>${table(
        ['committed tx/s', 'p50', 'p99', 'validator CPU µs/tx', 'RSS max'],
        [[v.committed_tps, v.p50, v.p99, v.cpu_us_per_tx, v.rss_max_mb]],
      )}`,
    );
  }
  sections.push('<div id="tps"></div><div id="lat"></div>');
  sections.push(
    `<h2>Phases (client-observed, ms)</h2>${table(
      ['phase', 'count', 'mean', 'p50', 'p95', 'p99', 'max'],
      phaseRows(r.phases).map(([n, p]) => [n, p.count, p.mean, p.p50, p.p95, p.p99, p.max]),
    )}<p>Node-side block apply, mean per block: ${esc(String(r.phases.node_apply_ms_mean ?? '–'))} ms</p>`,
  );
  sections.push(
    `<h2>Nodes</h2>${table(
      [
        'node',
        'RSS max MB',
        'CPU %',
        'CPU µs/committed tx',
        'LevelDB MB',
        'blocks',
        'term changes',
        'apply ms/block',
      ],
      r.nodes.map((n) => [
        n.name,
        n.rss_max_mb,
        n.cpu_pct,
        n.cpu_us_per_tx ?? null,
        n.leveldb_mb,
        n.blocks,
        n.term_changes,
        n.apply_ms_mean,
      ]),
    )}`,
  );
  if (r.faults.length > 0) {
    sections.push(
      `<h2>Faults</h2>${table(
        [
          't (s)',
          'kind',
          'node',
          'new leader after (ms)',
          'throughput back after (ms)',
          'healed at (s)',
          'error',
        ],
        r.faults.map((f) => [
          f.t,
          f.kind,
          f.node,
          f.new_leader_ms ?? null,
          f.recovered_ms ?? null,
          f.healed_t ?? null,
          f.error ?? null,
        ]),
      )}`,
    );
  }
  if (r.sweep !== undefined) {
    sections.push(
      `<h2>Sweep (p99 bound ${r.sweep.bound_ms} ms): best ${esc(String(r.sweep.best_rate ?? 'none'))} tx/s</h2>${table(
        ['offered tx/s', 'committed tx/s', 'p50 ms', 'p99 ms', 'rejected', 'failed', 'uncommitted'],
        r.sweep.points.map((p) => [
          p.rate,
          p.committed_tps,
          p.p50,
          p.p99,
          p.rejected,
          p.failed,
          p.uncommitted,
        ]),
      )}`,
    );
  }
  if (r.runs !== undefined) {
    sections.push(
      `<h2>Runs (${r.runs.length}; median run #${(r.median_run ?? 0) + 1} shown above)</h2>${table(
        ['run', 'committed tx/s', 'p50 ms', 'p99 ms', 'load avg start/end'],
        r.runs.map((x, i) => [
          i + 1,
          x.committed_tps,
          x.latency_ms.p50,
          x.latency_ms.p99,
          `${x.loadavg.start} / ${x.loadavg.end}`,
        ]),
      )}`,
    );
  }
  const m = r.machine;
  sections.push(
    `<h2>Machine</h2>${table(
      ['cores', 'memory GB', 'CPU', 'Node.js', 'load avg start/end'],
      [[m.cores, m.mem_gb, m.cpu_model, m.node_version, `${r.loadavg.start} / ${r.loadavg.end}`]],
    )}<p>Load generator (this process, ${r.generator.workers} worker threads): ${r.generator.cpu_pct}% CPU, RSS max ${r.generator.rss_max_mb} MB.</p><h2>Command</h2><pre>${esc(r.command.join(' '))}</pre>`,
  );
  if (r.notes.length > 0)
    sections.push(`<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ehrchain bench: ${esc(r.workload)} ${esc(r.started_at)}</title>
<style>${css}</style>
<style>body{font:14px system-ui,sans-serif;margin:20px;color:#222}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style>
</head><body>
<h1>ehrchain bench — ${esc(r.workload)}, ${r.nodes.length} nodes, ${esc(r.started_at)}</h1>
${sections.join('\n')}
<script id="bench-data" type="application/json">${data}</script>
<script>${js}</script>
<script>${CHART_JS}</script>
</body></html>
`;
}
