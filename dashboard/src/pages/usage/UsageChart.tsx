import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: number[];
}

const PALETTE = ['#2f6fde', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0c8599', '#c2255c', '#5c940d'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/**
 * A line chart of per-minute counts (x: seconds since the epoch). The canvas is decorative for
 * screen readers: the figure's caption and the totals table beside it carry the numbers.
 */
export function UsageChart({ title, xs, series }: { title: string; xs: number[]; series: ChartSeries[] }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const text = cssVar('--text');
    const grid = cssVar('--border');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 280),
        height: 220,
        series: [
          {},
          ...series.map((entry, index) => ({
            label: entry.label,
            stroke: PALETTE[index % PALETTE.length],
            width: 2,
            points: { show: false },
          })),
        ],
        axes: [axis, { ...axis, size: 50 }],
        scales: { y: { range: (_self, _min, max) => [0, Math.max(max, 1)] } },
        legend: { show: series.length > 0 },
      },
      [xs, ...series.map((entry) => entry.values)],
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 280), height: 220 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [xs, series]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} aria-hidden="true" />
    </figure>
  );
}
