/**
 * Dry run: replays recorded director samples through a stored rule-set version on the
 * server and compares what it would have done with what the live director did, so a
 * designer sees a change's effect before players do.
 */
import {
  KNOB_BOUNDS, type DryRunReport, type KnobDistribution, type KnobName, type RuleSetVersionSummary,
} from '@pulse-arena/shared';
import { renderBarChart } from '../charts/barChart.js';
import { byId, setText } from '../dom.js';
import { api, errorMessage, isAbort } from './api.js';
import { el, statPairs } from './dom.js';
import { formatNumber, formatPercent, toLocalInput } from './format.js';
import type { TabPanel } from './tabs.js';

const MAX_RANGE_MS = 24 * 3600_000;
const DEFAULT_MINUTES = 60;
const DRY_RUN_COLOR = '#39d5ff';
const ACTUAL_COLOR = '#facc15';

export class DryRunPanel implements TabPanel {
  private readonly form = byId('dry-run-form', HTMLFormElement);
  private readonly versionSelect = byId('dry-run-version', HTMLSelectElement);
  private readonly fromInput = byId('dry-run-from', HTMLInputElement);
  private readonly toInput = byId('dry-run-to', HTMLInputElement);
  private readonly submit = byId('dry-run-submit', HTMLButtonElement);
  private readonly status = byId('dry-run-status', HTMLParagraphElement);
  private readonly report = byId('dry-run-report', HTMLDivElement);
  private readonly presets = [...this.form.querySelectorAll<HTMLButtonElement>('.preset')];
  /** Minutes before now, or null once the designer typed their own range. */
  private preset: number | null = DEFAULT_MINUTES;
  /** The designer's explicit pick; otherwise the editor's last publish, otherwise live. */
  private picked: number | null = null;
  private running: AbortController | null = null;

  constructor(private readonly preferredVersion: () => number | null) {
    for (const button of this.presets) {
      button.addEventListener('click', () => this.usePreset(Number(button.dataset.minutes)));
    }
    for (const input of [this.fromInput, this.toInput]) input.addEventListener('input', () => this.usePreset(null));
    this.versionSelect.addEventListener('change', () => { this.picked = Number(this.versionSelect.value); });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.usePreset(DEFAULT_MINUTES);
  }

  shown(): void {
    // "Last hour" means the hour before now, not before the page loaded.
    if (this.preset !== null) this.usePreset(this.preset);
  }

  setVersions(versions: readonly RuleSetVersionSummary[]): void {
    const wanted = this.picked ?? this.preferredVersion() ?? versions.find((v) => v.live)?.version ?? versions[0]?.version;
    this.versionSelect.replaceChildren(...versions.map((v) =>
      el('option', { text: `v${v.version}${v.live ? ' (live)' : ''} · ${v.name}`, attrs: { value: String(v.version) } })));
    if (wanted !== undefined) this.versionSelect.value = String(wanted);
  }

  private usePreset(minutes: number | null): void {
    this.preset = minutes;
    for (const button of this.presets) button.setAttribute('aria-pressed', String(Number(button.dataset.minutes) === minutes));
    if (minutes === null) return;
    const now = Date.now();
    this.fromInput.value = toLocalInput(new Date(now - minutes * 60_000));
    this.toInput.value = toLocalInput(new Date(now));
  }

  private range(): { from: Date; to: Date } | string {
    if (this.preset !== null) this.usePreset(this.preset);
    const from = new Date(this.fromInput.value), to = new Date(this.toInput.value);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return 'Pick both ends of the time range.';
    if (from >= to) return 'The range must end after it starts.';
    if (to.getTime() - from.getTime() > MAX_RANGE_MS) return 'A dry run covers at most 24 hours.';
    return { from, to };
  }

  private async run(): Promise<void> {
    const version = Number(this.versionSelect.value);
    const range = this.range();
    if (!version) return this.say('No version to replay.', 'bad');
    if (typeof range === 'string') return this.say(range, 'bad');
    this.running?.abort();
    const abort = (this.running = new AbortController());
    this.submit.disabled = true;
    this.say(`Replaying version ${version}…`, 'info');
    try {
      const report = await api.dryRun({ version, from: range.from.toISOString(), to: range.to.toISOString() }, abort.signal);
      this.render(report);
      this.say(`Dry run of version ${version} finished.`, 'good');
    } catch (err) {
      if (!isAbort(err)) this.say(`Dry run failed: ${errorMessage(err)}`, 'bad');
    } finally {
      if (this.running === abort) {
        this.running = null;
        this.submit.disabled = false;
      }
    }
  }

  private render(report: DryRunReport): void {
    const series = <T>(rows: readonly T[], dry: (r: T) => number, actual: (r: T) => number) => [
      { name: `dry run v${report.version}`, color: DRY_RUN_COLOR, values: rows.map(dry) },
      { name: 'actual', color: ACTUAL_COLOR, values: rows.map(actual) },
    ];
    const decisions = chartBox('dryrun-decisions');
    renderBarChart(decisions, {
      label: 'Activations per rule, dry run and actual',
      categories: report.decisionsByRule.map((d) => d.ruleId),
      series: series(report.decisionsByRule, (d) => d.dryRun, (d) => d.actual),
      formatY: (v) => formatNumber(v, 0),
      minStep: 1,
      minWidth: 640,
    });
    const recommendations = chartBox('dryrun-recommendations');
    renderBarChart(recommendations, {
      label: 'Recommendations by kind, dry run and actual',
      categories: report.recommendationsByKind.map((r) => r.kind),
      series: series(report.recommendationsByKind, (r) => r.dryRun, (r) => r.actual),
      formatY: (v) => formatNumber(v, 0),
      minStep: 1,
    });

    this.report.replaceChildren(
      el('dl', { className: 'stats' }, statPairs([
        ['Room-seconds replayed', String(report.samples)],
        ['Matches', String(report.matches)],
        ['Players', String(report.players)],
        ['Versions live then', report.recordedVersions.map((v) => `v${v}`).join(', ') || '—'],
        ['Server time', `${formatNumber(report.elapsedMs, 0)} ms`],
      ])),
      ...(report.samples === 0
        ? [el('p', { className: 'notice', text: 'No director samples were recorded in this range, so there was nothing to replay.' })]
        : []),
      card('Rule activations', decisions, report.decisionsByRule.length === 0 ? 'No rules in this version.' : null),
      card('Recommendations', recommendations, null),
      card('Knobs', knobTable(report), null, report.knobs.map((k) => knobChart(report.version, k.knob, k.dryRun, k.actual))),
    );
    this.report.hidden = false;
  }

  private say(message: string, tone: 'good' | 'bad' | 'info'): void {
    this.status.dataset.tone = tone;
    setText(this.status, message);
  }
}

function chartBox(name: string): HTMLDivElement {
  return el('div', { className: 'chart', data: { chart: name } });
}

function card(title: string, body: HTMLElement, empty: string | null, extra: HTMLElement[] = []): HTMLElement {
  return el('section', { className: 'card report__section' }, [
    el('h3', { text: title }), ...(empty ? [el('p', { className: 'muted', text: empty })] : []), body,
    ...(extra.length ? [el('div', { className: 'knob-grid' }, extra)] : []),
  ]);
}

function knobTable(report: DryRunReport): HTMLElement {
  const spread = (d: KnobDistribution) => (d.count ? `${formatNumber(d.p10)} / ${formatNumber(d.p50)} / ${formatNumber(d.p90)}` : '—');
  return el('div', { className: 'table-wrap' }, [el('table', { className: 'table' }, [
    el('thead', {}, [el('tr', {}, [
      'Knob', 'Seconds', 'Dry run p10 / p50 / p90', 'Actual p10 / p50 / p90', 'Median change', 'Dry run mean', 'Actual mean',
    ].map((h, i) => el('th', { text: h, className: i ? 'num' : '' })))]),
    el('tbody', {}, report.knobs.map(({ knob, dryRun, actual }) => {
      const change = dryRun.count && actual.count ? dryRun.p50 - actual.p50 : null;
      return el('tr', { data: { knob } }, [
        el('td', {}, [el('code', { text: knob })]),
        el('td', { className: 'num', text: String(dryRun.count) }),
        el('td', { className: 'num', text: spread(dryRun) }),
        el('td', { className: 'num', text: spread(actual) }),
        el('td', {
          className: `num ${change === null || change === 0 ? '' : change > 0 ? 'up' : 'down'}`,
          text: change === null ? '—' : `${change > 0 ? '+' : ''}${formatNumber(change)}`,
        }),
        el('td', { className: 'num', text: dryRun.count ? formatNumber(dryRun.mean) : '—' }),
        el('td', { className: 'num', text: actual.count ? formatNumber(actual.mean) : '—' }),
      ]);
    })),
  ])]);
}

/** Histogram of one knob as shares of the seconds, so dry run and actual compare even when their counts differ. */
function knobChart(version: number, knob: KnobName, dryRun: KnobDistribution, actual: KnobDistribution): HTMLElement {
  const { min, max } = KNOB_BOUNDS[knob];
  const bins = Math.max(dryRun.histogram.length, actual.histogram.length);
  const width = (max - min) / bins;
  // Enough decimals that neighbouring bins never read the same (accuracy bins are 0.085 wide).
  const digits = width >= 10 ? 0 : width >= 1 ? 1 : 2;
  const categories = Array.from({ length: bins }, (_, i) => formatNumber(min + i * width, digits));
  const share = (d: KnobDistribution) => Array.from({ length: bins }, (_, i) => (d.count ? (d.histogram[i] ?? 0) / d.count : 0));
  const box = el('div', { className: 'chart', data: { chart: 'dryrun-knob', knob } });
  renderBarChart(box, {
    label: `Distribution of ${knob}, dry run and actual`,
    categories,
    series: [
      { name: `dry run v${version}`, color: DRY_RUN_COLOR, values: share(dryRun) },
      { name: 'actual', color: ACTUAL_COLOR, values: share(actual) },
    ],
    formatY: formatPercent,
    describe: (c, s, v) => `${knob} from ${c} · ${s}: ${formatPercent(v)} of the seconds`,
    height: 120,
  });
  return el('figure', { className: 'knob-chart' }, [el('figcaption', {}, [el('code', { text: knob })]), box]);
}
