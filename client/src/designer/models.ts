/**
 * Model status, refreshed every 2 s while shown: the inference backend, each model's
 * version and state, requests per second (with the last two minutes kept here, since the
 * server reports only the current rate), worker restarts and the queue. Below it, every
 * 30 s, the chat model against the moderators: how often they upheld its calls, by what
 * raised the flag and by the model's toxicity.
 */
import type { ChatModelReviews, ChatReviewSource, ModelStatusReport } from '@pulse-arena/shared';
import { renderLineChart } from '../charts/lineChart.js';
import { byId, setText } from '../dom.js';
import { api, errorMessage } from './api.js';
import { el, statPairs } from './dom.js';
import { formatNumber, formatPercent } from './format.js';
import { Poller } from './poller.js';
import type { TabPanel } from './tabs.js';

const REFRESH_MS = 2000;
const HISTORY = 60;
const SERIES_COLORS = ['#39d5ff', '#facc15', '#4ade80', '#c084fc', '#ff4d6d', '#8a96bd'];
const REVIEWS_REFRESH_MS = 30_000;
const REVIEWS_WINDOW_MS = 7 * 24 * 3600_000;
const SOURCE_LABELS: Record<ChatReviewSource, string> = {
  block: 'the model blocked the line', hold: 'the model held the line', mask: 'the model masked the line',
  review: 'it names a group (delivered, for review)', report: 'a player reported it',
};

export class ModelsPanel implements TabPanel {
  private readonly status = byId('models-status', HTMLParagraphElement);
  private readonly summary = byId('models-summary', HTMLDListElement);
  private readonly body = byId('models-body', HTMLTableSectionElement);
  private readonly chart = byId('models-throughput', HTMLDivElement);
  /** Poll times and each model's rate at them, oldest first. */
  private readonly times: number[] = [];
  private readonly rates = new Map<string, Array<number | null>>();
  private readonly poller = new Poller(REFRESH_MS, (signal) => this.refresh(signal), (err) => {
    this.status.dataset.tone = 'bad';
    setText(this.status, `Cannot load model status: ${errorMessage(err)} (retrying)`);
  });
  private readonly reviewsStatus = byId('reviews-status', HTMLParagraphElement);
  private readonly reviewsBody = byId('reviews-body', HTMLTableSectionElement);
  private readonly reviewsPoller = new Poller(REVIEWS_REFRESH_MS, (signal) => this.refreshReviews(signal), (err) => {
    this.reviewsStatus.dataset.tone = 'bad';
    setText(this.reviewsStatus, `Cannot load the moderators' verdicts: ${errorMessage(err)} (retrying)`);
  });

  shown(): void {
    this.poller.start();
    this.reviewsPoller.start();
  }

  hidden(): void {
    this.poller.stop();
    this.reviewsPoller.stop();
  }

  private async refreshReviews(signal: AbortSignal): Promise<void> {
    const until = new Date();
    const report = await api.chatReviews(new Date(until.getTime() - REVIEWS_WINDOW_MS), until, signal);
    this.reviewsStatus.dataset.tone = 'info';
    setText(this.reviewsStatus, `Updated ${new Date().toLocaleTimeString()}`);
    this.renderReviews(report);
  }

  private renderReviews(report: ChatModelReviews): void {
    this.reviewsBody.replaceChildren(...report.bySource.map((s) => el('tr', { data: { source: s.source } }, [
      el('td', { text: SOURCE_LABELS[s.source] }),
      el('td', { className: 'num', text: String(s.upheld) }),
      el('td', { className: 'num', text: String(s.dismissed) }),
      el('td', { className: 'num', data: { field: 'upheld-rate' }, text: s.upheldRate === null ? '—' : formatPercent(s.upheldRate) }),
      el('td', {
        className: 'muted',
        text: report.rows.filter((r) => r.source === s.source)
          .map((r) => `${r.toxicityFrom === null ? 'not scored' : `${r.toxicityFrom.toFixed(1)}–${(r.toxicityFrom + 0.1).toFixed(1)}`}: ${r.upheld}/${r.upheld + r.dismissed}`)
          .join(' · '),
      }),
    ])));
    if (report.bySource.length === 0) {
      this.reviewsBody.append(el('tr', {}, [el('td', { className: 'muted', text: 'No chat flags resolved by a moderator in the last 7 days.', attrs: { colspan: '5' } })]));
    }
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    const report = await api.models(signal);
    this.status.dataset.tone = 'info';
    setText(this.status, `Updated ${new Date().toLocaleTimeString()}`);
    this.summary.replaceChildren(...statPairs([
      ['Backend', report.backend ?? 'none (models off)'],
      ['Worker restarts', String(report.restarts)],
      ['Queued requests', String(report.queued)],
    ]));
    this.body.replaceChildren(...report.models.map((m) => el('tr', { data: { model: m.name } }, [
      el('td', {}, [el('code', { text: m.name })]),
      el('td', { text: m.version }),
      el('td', {}, [el('span', { className: `state state--${stateTone(m.state)}`, text: m.state })]),
      el('td', { className: 'num', text: `${formatNumber(report.throughput[m.name] ?? 0, 1)} req/s` }),
      el('td', { className: 'error-text', text: m.error ?? '' }),
    ])));
    if (report.models.length === 0) {
      this.body.append(el('tr', {}, [el('td', { className: 'muted', text: 'No models loaded.', attrs: { colspan: '5' } })]));
    }
    this.record(report);
  }

  private record(report: ModelStatusReport): void {
    this.times.push(Date.now());
    for (const name of new Set([...this.rates.keys(), ...Object.keys(report.throughput)])) {
      // A model first seen now has no earlier rates: pad so every series lines up with `times`.
      const rates = this.rates.get(name) ?? Array<number | null>(this.times.length - 1).fill(null);
      rates.push(report.throughput[name] ?? null);
      this.rates.set(name, rates);
    }
    if (this.times.length > HISTORY) {
      this.times.shift();
      for (const rates of this.rates.values()) rates.shift();
    }
    const last = this.times[this.times.length - 1] ?? 0;
    renderLineChart(this.chart, {
      label: 'Requests per second per model',
      xs: this.times,
      series: [...this.rates].map(([name, values], i) => ({ name, color: SERIES_COLORS[i % SERIES_COLORS.length]!, values })),
      formatX: (t) => (t === last ? 'now' : `−${Math.round((last - t) / 1000)} s`),
      formatY: (v) => formatNumber(v, 1),
      width: 720,
      height: 180,
    });
  }
}

/** Colors a state the server names freely: healthy words green, failures red, the rest amber. */
function stateTone(state: string): 'good' | 'bad' | 'warn' {
  const s = state.toLowerCase();
  if (/(fail|error|crash|dead|down)/.test(s)) return 'bad';
  if (/(ready|loaded|serving|running|ok)/.test(s)) return 'good';
  return 'warn';
}
