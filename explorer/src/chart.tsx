/** A uPlot line/bar chart that follows its container's width and takes new data without re-creating. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface SeriesSpec {
  readonly label: string;
  readonly color: string;
  readonly bars?: boolean;
  readonly dash?: number[];
}

export interface ChartProps {
  readonly title: string;
  /** x values then one array per series (null = gap). */
  readonly data: readonly (readonly (number | null)[])[];
  readonly series: readonly SeriesSpec[];
  /** x is a Unix time in seconds (time axis) unless false. */
  readonly time?: boolean;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly height?: number;
  /** x positions of vertical markers (fault timeline), with labels. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  /** Text summary for screen readers (the canvas itself is not readable). */
  readonly summary: string;
}

function markersPlugin(getMarkers: () => ChartProps['markers']): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ms = getMarkers();
        if (ms === undefined || ms.length === 0) return;
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.strokeStyle = '#c2410c';
        ctx.fillStyle = '#c2410c';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        for (const m of ms) {
          const x = Math.round(u.valToPos(m.x, 'x', true));
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          const w = ctx.measureText(m.label).width;
          const ty = top + 14 * devicePixelRatio;
          ctx.fillStyle = 'rgba(255,255,255,0.85)';
          ctx.fillRect(
            x + 2 * devicePixelRatio,
            ty - 11 * devicePixelRatio,
            w + 4 * devicePixelRatio,
            14 * devicePixelRatio,
          );
          ctx.fillStyle = '#c2410c';
          ctx.fillText(m.label, x + 4 * devicePixelRatio, ty);
        }
        ctx.restore();
      },
    },
  };
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markers = useRef(props.markers);
  markers.current = props.markers;
  const height = props.height ?? 180;
  const points = props.data[0]?.length ?? 0;

  // Created once per series layout; data updates go through setData below.
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: props.time !== false } },
      axes: [
        { label: props.xLabel, stroke: '#555', grid: { stroke: '#eee' } },
        { label: props.yLabel, stroke: '#555', grid: { stroke: '#eee' }, size: 50 },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(s.dash === undefined ? {} : { dash: s.dash }),
          ...(s.bars === true
            ? { fill: `${s.color}55`, paths: uPlot.paths.bars?.({ size: [0.7, 40] }) }
            : {}),
          points: { show: false },
          spanGaps: false,
        })),
      ],
      plugins: [markersPlugin(() => markers.current)],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [props.series.map((s) => s.label).join('|'), height, props.time]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return (
    <figure class="chart" aria-label={props.title} data-points={points}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-canvas" style={{ minHeight: `${height + 30}px` }} aria-hidden="true" />
      <p class="sr-only">{props.summary}</p>
    </figure>
  );
}
