/** Benchmarks: open a bench result JSON (file input or drag and drop) and chart it. */
import { useState } from 'preact/hooks';
import { type Bench, nodeColumns, parseBench } from './bench-data.js';
import { Chart } from './chart.js';
import { num } from './format.js';
import { Fields, Page } from './ui.js';

/** The last file opened, kept while the app runs so navigating away and back keeps it. */
let kept: { name: string; bench: Bench } | null = null;

function Percentiles({ lat }: { lat: NonNullable<Bench['latency_ms']> }) {
  const rows = (['p50', 'p95', 'p99', 'max'] as const).filter((k) => lat[k] !== null);
  const top = Math.max(1, ...rows.map((k) => lat[k] ?? 0));
  return (
    <figure class="bars" aria-label="Commit latency percentiles">
      <figcaption>Commit latency percentiles (ms)</figcaption>
      {rows.map((k) => (
        <div class="bar-row" key={k}>
          <span class="bar-label">{k}</span>
          <span class="bar-track">
            <span class="bar" style={{ width: `${((lat[k] ?? 0) / top) * 100}%` }} />
          </span>
          <span class="bar-value">{num(lat[k], 1)} ms</span>
        </div>
      ))}
    </figure>
  );
}

function BenchView({ b }: { b: Bench }) {
  const markers = b.faults.map((f) => ({ x: f.t, label: `${f.kind}${f.node === null ? '' : ` ${f.node}`}` }));
  const xs = b.series.map((p) => p.t);
  const cols = nodeColumns(b.nodes);
  const summary: [string, string][] = [];
  if (b.committed_tps !== null) summary.push(['Committed tx/s', num(b.committed_tps, 1)]);
  if (b.submitted !== null) summary.push(['Submitted', num(b.submitted)]);
  if (b.committed !== null) summary.push(['Committed', num(b.committed)]);
  if (b.failed !== null) summary.push(['Failed', num(b.failed)]);
  for (const [k, v] of b.extra) summary.push([k, typeof v === 'number' ? num(v, 3) : String(v)]);
  if (b.machine !== null) summary.push(['Machine', b.machine]);
  if (b.command !== null) summary.push(['Command', b.command]);
  return (
    <div class="bench">
      {summary.length > 0 && <Fields label="Summary" rows={summary} />}
      {b.latency_ms !== null && <Percentiles lat={b.latency_ms} />}
      {b.series.length > 0 && (
        <div class="charts">
          <Chart
            title="Throughput per second"
            time={false}
            xLabel="s"
            yLabel="tx/s"
            data={[xs, b.series.map((p) => p.committed_tps)]}
            series={[{ label: 'committed tx/s', color: '#2563eb' }]}
            markers={markers}
            summary={`${b.series.length} seconds of throughput, ${b.faults.length} faults marked.`}
          />
          <Chart
            title="Commit latency per second"
            time={false}
            xLabel="s"
            yLabel="ms"
            data={[xs, b.series.map((p) => p.p50), b.series.map((p) => p.p99)]}
            series={[
              { label: 'p50 ms', color: '#059669' },
              { label: 'p99 ms', color: '#dc2626', dash: [6, 4] },
            ]}
            markers={markers}
            summary="Median and 99th percentile commit latency per second."
          />
        </div>
      )}
      {b.faults.length > 0 && (
        <>
          <h2>Faults</h2>
          <ol class="faults" aria-label="Fault timeline">
            {b.faults.map((f, i) => (
              <li key={i}>
                <strong>t = {num(f.t, 1)} s</strong>: {f.kind}
                {f.node !== null && <> on {f.node}</>}
              </li>
            ))}
          </ol>
        </>
      )}
      {b.nodes.length > 0 && (
        <>
          <h2>Nodes</h2>
          <table class="stack" aria-label="Per-node figures">
            <thead>
              <tr>
                {cols.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {b.nodes.map((nd) => {
                const f = new Map(nd.fields);
                return (
                  <tr key={nd.name}>
                    {cols.map((c) => {
                      const v = c === 'name' ? nd.name : f.get(c);
                      return (
                        <td data-label={c} key={c}>
                          {v === undefined || v === null
                            ? '—'
                            : typeof v === 'number'
                              ? num(v, 2)
                              : String(v)}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function BenchPage() {
  const [loaded, setLoaded] = useState(kept);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const open = (f: File | undefined) => {
    if (f === undefined) return;
    f.text().then(
      (t) => {
        try {
          kept = { name: f.name, bench: parseBench(t) };
          setLoaded(kept);
          setError(null);
        } catch (e) {
          setError(`${f.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
      (e: unknown) => setError(String(e)),
    );
  };
  return (
    <Page
      title="Benchmarks"
      sub="Open a bench result (JSON written by the benchmark harness); nothing leaves your browser."
    >
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the file input is the accessible control */}
      <div
        class={`drop${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          open(e.dataTransfer?.files[0]);
        }}
      >
        <label for="bench-file">Bench JSON file</label>
        <input
          id="bench-file"
          type="file"
          accept=".json,application/json"
          onChange={(e) => open(e.currentTarget.files?.[0])}
        />
        <p class="muted small">or drop the file here</p>
      </div>
      {error !== null && (
        <p class="banner bad" role="alert">
          {error}
        </p>
      )}
      {loaded === null ? (
        <p class="state empty">No bench file open.</p>
      ) : (
        <>
          <h2>{loaded.name}</h2>
          <BenchView b={loaded.bench} />
        </>
      )}
    </Page>
  );
}
