/** Grouped bar chart: one group per category, one bar per series (e.g. dry run next to actual). */
import { frame, legend, markDrawn, niceTicks, svg, yAxis } from './svg.js';

export interface BarSeries {
  name: string;
  color: string;
  /** One value per category. */
  values: readonly number[];
}

export interface BarChartOptions {
  label: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  formatY: (v: number) => string;
  /** Tooltip of one bar; defaults to "category · series: value". */
  describe?: (category: string, series: string, value: number) => string;
  height?: number;
  /** Smallest gap between y ticks (1 for counts). */
  minStep?: number;
  /** Narrowest drawing, px (default 420). */
  minWidth?: number;
  /** Category labels are cut to this many characters (the tooltip has the whole). */
  maxLabel?: number;
}

const MARGIN = { left: 40, right: 8, top: 8 };
/** Narrowest bar before the chart widens instead, the widest it gets, and the gap between groups. */
const BAR = 12, MAX_BAR = 26, GROUP_PAD = 10;

export function renderBarChart(container: HTMLElement, opts: BarChartOptions): void {
  const maxLabel = opts.maxLabel ?? 16;
  const longest = Math.min(maxLabel, Math.max(1, ...opts.categories.map((c) => c.length)));
  // Long labels are drawn slanted; leave room below the axis for them.
  const slanted = longest > 6;
  const bottomMargin = slanted ? 14 + longest * 4.2 : 20;
  const n = Math.max(1, opts.categories.length), perGroup = Math.max(1, opts.series.length);
  const width = Math.max(opts.minWidth ?? 420, MARGIN.left + MARGIN.right + n * (perGroup * BAR + GROUP_PAD));
  // Groups share the width; bars grow with them up to a point, centred in their group.
  const group = (width - MARGIN.left - MARGIN.right) / n;
  const bar = Math.min(MAX_BAR, (group - GROUP_PAD) / perGroup);
  const height = (opts.height ?? 170) + bottomMargin;
  const root = frame(container, width, height, opts.label);
  // Many categories: scroll sideways rather than shrink the labels to nothing.
  if (width > 640) root.style.maxWidth = 'none';

  const max = Math.max(0, ...opts.series.flatMap((s) => s.values));
  const ticks = niceTicks(0, max, 4, opts.minStep);
  const top = Math.max(max, ticks[ticks.length - 1] ?? 1);
  const left = MARGIN.left, bottom = height - bottomMargin;
  const y = (v: number) => bottom - (v / top) * (bottom - MARGIN.top);
  yAxis(root, ticks, y, left, width - MARGIN.right, opts.formatY);

  const describe = opts.describe ?? ((c: string, s: string, v: number) => `${c} · ${s}: ${opts.formatY(v)}`);
  let points = 0;
  opts.categories.forEach((category, ci) => {
    const cx = left + (ci + 0.5) * group;
    const gx = cx - (bar * opts.series.length) / 2;
    opts.series.forEach((series, si) => {
      const value = series.values[ci] ?? 0;
      const rect = svg('rect', {
        x: gx + si * bar, y: y(value), width: Math.max(1, bar - 2), height: Math.max(0, bottom - y(value)), fill: series.color,
        class: 'chart__bar',
      });
      rect.append(svg('title', {}, describe(category, series.name, value)));
      root.append(rect);
      points++;
    });
    const text = category.length > maxLabel ? `${category.slice(0, maxLabel - 1)}…` : category;
    const label = svg('text', {
      x: cx, y: bottom + 12, class: 'chart__label',
      'text-anchor': slanted ? 'end' : 'middle',
      ...(slanted && { transform: `rotate(-40 ${cx} ${bottom + 12})` }),
    }, text);
    label.append(svg('title', {}, category));
    root.append(label);
  });
  root.append(svg('line', { x1: left, x2: width - MARGIN.right, y1: bottom, y2: bottom, class: 'chart__axis' }));
  container.append(legend(opts.series.map((s) => ({ name: s.name, color: s.color }))));
  markDrawn(container, points);
}
