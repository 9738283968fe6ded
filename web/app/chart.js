// uPlot wrapped for preact: a line chart of (time, value) points, and a
// bar chart of labelled values. Sized to its container, redrawn on resize.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from './ui.js';

function useChart(makeOpts, data, deps) {
  const box = useRef(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const width = () => Math.max(280, el.clientWidth || 600);
    const plot = new uPlot(makeOpts(width()), data, el);
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: plot.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, deps);
  return box;
}

/** points: [[t_seconds, value], ...]. */
export function LineChart({ points, label, title }) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const box = useChart(
    (width) => ({
      width,
      height: 240,
      series: [{}, { label, stroke: '#1f6feb', width: 2, fill: 'rgba(31,111,235,0.08)' }],
      axes: [{ stroke: '#333' }, { stroke: '#333', size: 64 }],
      legend: { show: true },
    }),
    [xs, ys],
    [JSON.stringify(points)],
  );
  return html`<figure class="chart"><div ref=${box} role="img" aria-label=${title}></div><figcaption>${title}</figcaption></figure>`;
}

/** bars: [[label, value], ...]; negative values are red. */
export function BarChart({ bars, label, title }) {
  const xs = bars.map((_, i) => i);
  const ys = bars.map((b) => b[1]);
  const labels = bars.map((b) => String(b[0]));
  const box = useChart(
    (width) => ({
      width,
      height: 220,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, bars.length - 0.5)] } },
      series: [
        {},
        {
          label,
          stroke: '#1f6feb',
          fill: 'rgba(31,111,235,0.5)',
          paths: uPlot.paths.bars({ size: [0.7, 60] }),
          points: { show: false },
        },
      ],
      axes: [
        { stroke: '#333', values: (u, splits) => splits.map((i) => labels[i] ?? ''), splits: () => xs },
        { stroke: '#333', size: 64 },
      ],
    }),
    [xs, ys],
    [JSON.stringify(bars)],
  );
  return html`<figure class="chart"><div ref=${box} role="img" aria-label=${title}></div><figcaption>${title}</figcaption></figure>`;
}

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bf8700', '#0a7a8a', '#cf222e', '#57606a'];

/** Several lines over time on one chart (the Backtest page's equity
 * curves): lines [{label, points: [[t_seconds, value], ...]}]. The times
 * are merged; a line has a gap where it has no point. */
export function MultiLineChart({ lines, title }) {
  const xs = [...new Set(lines.flatMap((l) => l.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ys = lines.map((l) => {
    const at = new Map(l.points.map((p) => [p[0], p[1]]));
    return xs.map((x) => (at.has(x) ? at.get(x) : null));
  });
  const box = useChart(
    (width) => ({
      width,
      height: 260,
      series: [{}, ...lines.map((l, i) => ({ label: l.label, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true }))],
      axes: [{ stroke: '#333' }, { stroke: '#333', size: 64 }],
      legend: { show: true },
    }),
    [xs, ...ys],
    [JSON.stringify(lines)],
  );
  return html`<figure class="chart"><div ref=${box} role="img" aria-label=${title}></div><figcaption>${title}</figcaption></figure>`;
}
