/**
 * The detail's small charts: the behavior window as a heatmap (features × frames, SVG),
 * probability bars, and the chat scores (toxicity meter, sentiment split).
 */
import { FRAME_FEATURE_NAMES } from '@pulse-arena/shared';
import { frame, markDrawn, svg } from '../charts/svg.js';
import { el } from '../designer/dom.js';
import { formatNumber, formatPercent } from '../designer/format.js';

const CELL_W = 6, CELL_H = 9, LABEL_W = 96, AXIS_H = 14;
/** `scores.sentiment` order, as the server sends it (server/src/inference/types.ts SENTIMENT_CLASSES). */
const SENTIMENT = [['negative', '#ff4d6d'], ['neutral', '#8a96bd'], ['positive', '#4ade80']] as const;

/** Features are scaled to about [-1, 1]: blue below zero, amber above, stronger the further out. */
function cellColor(v: number): string {
  const a = Math.min(1, Math.abs(v));
  return v >= 0 ? `rgba(250, 204, 21, ${a.toFixed(2)})` : `rgba(57, 213, 255, ${a.toFixed(2)})`;
}

/** `window` is frames × features (64 × F); drawn with a row per feature so a snap in aim shows as a streak. */
export function renderWindowHeatmap(container: HTMLElement, window: readonly (readonly number[])[]): void {
  const frames = window.length;
  const features = Math.max(0, ...window.map((f) => f.length));
  const width = LABEL_W + frames * CELL_W + 4, height = features * CELL_H + AXIS_H;
  const root = frame(container, width, height, `Input window: ${frames} frames × ${features} features`);
  for (let f = 0; f < features; f++) {
    const name = FRAME_FEATURE_NAMES[f] ?? `feature ${f}`;
    root.append(svg('text', { x: LABEL_W - 4, y: f * CELL_H + CELL_H - 1, 'text-anchor': 'end', class: 'chart__label' }, name));
    for (let t = 0; t < frames; t++) {
      const v = window[t]?.[f] ?? 0;
      const cell = svg('rect', { x: LABEL_W + t * CELL_W, y: f * CELL_H, width: CELL_W - 0.5, height: CELL_H - 0.5, fill: cellColor(v) });
      cell.append(svg('title', {}, `${name} · frame ${t + 1}: ${formatNumber(v, 3)}`));
      root.append(cell);
    }
  }
  root.append(
    svg('text', { x: LABEL_W, y: height - 3, class: 'chart__label' }, 'frame 1'),
    svg('text', { x: LABEL_W + frames * CELL_W, y: height - 3, 'text-anchor': 'end', class: 'chart__label' }, `frame ${frames}`),
  );
  markDrawn(container, frames * features);
}

/** Horizontal bars, largest first; `highlight` names the class the flag is about. */
export function probabilityBars(probabilities: Record<string, number>, highlight?: string): HTMLElement {
  const entries = Object.entries(probabilities).sort((a, b) => b[1] - a[1]);
  return el('ul', { className: 'probs', data: { chart: 'probabilities', points: String(entries.length) } }, entries.map(([name, p]) => {
    const fill = el('span', { className: 'meter__fill' });
    fill.style.width = formatPercent(Math.max(0, Math.min(1, p)));
    return el('li', { className: `probs__row${name === highlight ? ' probs__row--hit' : ''}`, data: { class: name } }, [
      el('span', { className: 'probs__name', text: name }),
      el('span', { className: 'meter' }, [fill]),
      el('span', { className: 'probs__value', text: formatPercent(p) }),
    ]);
  }));
}

export function toxicityMeter(toxicity: number): HTMLElement {
  const fill = el('span', { className: 'meter__fill meter__fill--toxic' });
  fill.style.width = formatPercent(Math.max(0, Math.min(1, toxicity)));
  return el('div', { className: 'score', data: { score: 'toxicity' } }, [
    el('span', { className: 'score__label', text: 'Toxicity' }),
    el('span', { className: 'meter', attrs: { role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '1', 'aria-valuenow': String(toxicity), 'aria-label': 'Toxicity' } }, [fill]),
    el('span', { className: 'score__value', text: formatNumber(toxicity, 3) }),
  ]);
}

/** One bar split into negative / neutral / positive. */
export function sentimentBar(sentiment: readonly [number, number, number]): HTMLElement {
  const total = sentiment.reduce((a, b) => a + b, 0) || 1;
  const bar = el('span', { className: 'split', attrs: { role: 'img', 'aria-label': SENTIMENT.map(([n], i) => `${n} ${formatPercent(sentiment[i]! / total)}`).join(', ') } });
  SENTIMENT.forEach(([name, color], i) => {
    const part = el('span', { className: 'split__part', title: `${name} ${formatPercent(sentiment[i]! / total)}` });
    part.style.width = `${(sentiment[i]! / total) * 100}%`;
    part.style.background = color;
    bar.append(part);
  });
  return el('div', { className: 'score', data: { score: 'sentiment' } }, [
    el('span', { className: 'score__label', text: 'Sentiment' }),
    bar,
    el('span', { className: 'score__value', text: SENTIMENT.map(([n], i) => `${n} ${formatPercent(sentiment[i]! / total)}`).join(' · ') }),
  ]);
}
