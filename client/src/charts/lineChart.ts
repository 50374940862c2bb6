/** Line chart of several series over one shared x axis (time), with a legend showing each series' latest value. */
import { frame, legend, markDrawn, niceTicks, svg, yAxis } from './svg.js';

export interface LineSeries {
  name: string;
  color: string;
  /** One value per x; null where the series has no value (the line breaks there). */
  values: ReadonlyArray<number | null>;
}

export interface LineChartOptions {
  label: string;
  xs: readonly number[];
  series: readonly LineSeries[];
  /** Fixed y range (e.g. 0–1 for probabilities); otherwise from 0 to the data's maximum. */
  yMin?: number;
  yMax?: number;
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  width?: number;
  height?: number;
}

const MARGIN = { left: 36, right: 10, top: 8, bottom: 18 };

export function renderLineChart(container: HTMLElement, opts: LineChartOptions): void {
  const width = opts.width ?? 360, height = opts.height ?? 150;
  const root = frame(container, width, height, opts.label);
  const { xs } = opts;
  const present = opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const yMin = opts.yMin ?? 0;
  const dataMax = Math.max(yMin, ...present);
  const yMax = opts.yMax ?? (dataMax > yMin ? dataMax : yMin + 1);
  const ticks = opts.yMax === undefined ? niceTicks(yMin, yMax) : niceTicks(yMin, yMax).filter((t) => t <= yMax);
  const top = Math.max(yMax, ticks[ticks.length - 1] ?? yMax);
  const left = MARGIN.left, right = width - MARGIN.right, bottom = height - MARGIN.bottom;
  const x0 = xs[0] ?? 0, x1 = xs[xs.length - 1] ?? 0;
  const x = (v: number) => (x1 === x0 ? (left + right) / 2 : left + ((v - x0) / (x1 - x0)) * (right - left));
  const y = (v: number) => bottom - ((v - yMin) / (top - yMin)) * (bottom - MARGIN.top);

  yAxis(root, ticks, y, left, right, opts.formatY);
  if (xs.length) {
    root.append(
      svg('text', { x: left, y: height - 4, class: 'chart__label' }, opts.formatX(x0)),
      svg('text', { x: right, y: height - 4, 'text-anchor': 'end', class: 'chart__label' }, opts.formatX(x1)),
    );
  }

  let points = 0;
  for (const series of opts.series) {
    let d = '';
    let run: Array<[number, number]> = [];
    const flush = () => {
      // A lone point has no line to draw: show it as a dot.
      if (run.length === 1) root.append(svg('circle', { cx: run[0]![0], cy: run[0]![1], r: 2, fill: series.color }));
      else if (run.length > 1) d += run.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
      run = [];
    };
    series.values.forEach((v, i) => {
      const at = xs[i];
      if (v === null || at === undefined) { flush(); return; }
      run.push([x(at), y(v)]);
      points++;
    });
    flush();
    if (d) root.append(svg('path', { d, stroke: series.color, fill: 'none', 'stroke-width': 1.6, class: 'chart__line' }));
  }

  container.append(legend(opts.series.map((s) => {
    const last = [...s.values].reverse().find((v): v is number => v !== null);
    return { name: s.name, color: s.color, value: last === undefined ? '—' : opts.formatY(last) };
  })));
  markDrawn(container, points);
}
