/**
 * The pieces every chart shares: SVG element creation, round axis ticks, the HTML legend,
 * and the `data-points` count that tests (and curious designers) read off a chart.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Record<string, string | number> = {}, text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * Empties `container` and puts a fresh SVG in it, drawn at one user unit per pixel: it may
 * shrink to fit a narrow container, but never grows (labels would grow with it).
 */
export function frame(container: HTMLElement, width: number, height: number, label: string): SVGSVGElement {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart__svg' });
  root.style.width = `${width}px`;
  root.setAttribute('aria-label', label);
  container.replaceChildren(root);
  return root;
}

/** Marks a drawn chart with how many data points it shows. */
export function markDrawn(container: HTMLElement, points: number): void {
  container.dataset.points = String(points);
}

/**
 * About `count` evenly spaced round values (1, 2 or 5 × 10ⁿ apart, at least `minStep`)
 * covering [min, max]. Counts pass minStep 1, so a small maximum does not read "0, 0.5, 1".
 */
export function niceTicks(min: number, max: number, count = 4, minStep = 0): number[] {
  if (!(max > min)) max = min + 1;
  const raw = Math.max((max - min) / count, minStep);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const f = raw / magnitude;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t < max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export interface LegendItem {
  name: string;
  color: string;
  /** Shown after the name, e.g. the latest value. */
  value?: string;
}

export function legend(items: readonly LegendItem[]): HTMLUListElement {
  const list = document.createElement('ul');
  list.className = 'legend';
  for (const item of items) {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'legend__swatch';
    swatch.style.background = item.color;
    li.append(swatch, item.name);
    if (item.value !== undefined) {
      const value = document.createElement('span');
      value.className = 'legend__value';
      value.textContent = item.value;
      li.append(value);
    }
    list.append(li);
  }
  return list;
}

/** Horizontal grid lines with their labels on the left. */
export function yAxis(
  root: SVGSVGElement, ticks: readonly number[], y: (v: number) => number, left: number, right: number,
  format: (v: number) => string,
): void {
  for (const t of ticks) {
    const py = y(t);
    root.append(
      svg('line', { x1: left, x2: right, y1: py, y2: py, class: 'chart__grid' }),
      svg('text', { x: left - 4, y: py + 3, 'text-anchor': 'end', class: 'chart__label' }, format(t)),
    );
  }
}
