/**
 * Recommendation outcomes: for each rule and kind of advice (and the lobby's suggestions,
 * taken or not at join), how often players accepted, dismissed or ignored it over the last
 * hour, day or week — so a designer sees which recommendations players take before
 * rewording or retiring them. Refreshed every 10 s while shown.
 */
import type { RecommendationOutcomes } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { api, errorMessage } from './api.js';
import { el, statPairs } from './dom.js';
import { formatPercent } from './format.js';
import { Poller } from './poller.js';
import type { TabPanel } from './tabs.js';

const REFRESH_MS = 10_000;
const COLUMNS = 9;

export class OutcomesPanel implements TabPanel {
  private readonly window = byId('outcomes-window', HTMLSelectElement);
  private readonly status = byId('outcomes-status', HTMLParagraphElement);
  private readonly summary = byId('outcomes-summary', HTMLDListElement);
  private readonly body = byId('outcomes-body', HTMLTableSectionElement);
  private readonly poller = new Poller(REFRESH_MS, (signal) => this.refresh(signal), (err) => {
    this.status.dataset.tone = 'bad';
    setText(this.status, `Cannot load recommendation outcomes: ${errorMessage(err)} (retrying)`);
  });

  constructor() {
    this.window.addEventListener('change', () => {
      this.poller.stop();
      this.poller.start();
    });
  }

  shown(): void {
    this.poller.start();
  }

  hidden(): void {
    this.poller.stop();
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    const until = new Date();
    const since = new Date(until.getTime() - Number(this.window.value) * 60_000);
    const report = await api.outcomes(since, until, signal);
    this.status.dataset.tone = 'info';
    setText(this.status, `Updated ${new Date().toLocaleTimeString()}`);
    this.render(report);
  }

  private render(report: RecommendationOutcomes): void {
    const total = report.rows.reduce((t, r) => ({
      shown: t.shown + r.shown, accepted: t.accepted + r.accepted, answered: t.answered + r.accepted + r.dismissed + r.ignored,
    }), { shown: 0, accepted: 0, answered: 0 });
    this.summary.replaceChildren(...statPairs([
      ['Shown', String(total.shown)],
      ['Accepted', String(total.accepted)],
      ['Acceptance', total.answered ? formatPercent(total.accepted / total.answered) : '—'],
    ]));
    this.body.replaceChildren(...report.rows.map((r) => el('tr', { data: { source: r.source, rule: r.ruleId ?? '', kind: r.kind } }, [
      el('td', {}, r.ruleId !== null ? [el('code', { text: r.ruleId })]
        : [el('span', { className: 'muted', text: r.source === 'lobby' ? 'lobby, at join' : 'unknown rule' })]),
      el('td', { text: r.kind }),
      ...[r.shown, r.accepted, r.dismissed, r.ignored, r.withdrawn, r.pending].map((n) => el('td', { className: 'num', text: String(n) })),
      el('td', { className: 'num', data: { field: 'acceptance' }, text: r.acceptance === null ? '—' : formatPercent(r.acceptance) }),
    ])));
    if (report.rows.length === 0) {
      this.body.append(el('tr', {}, [el('td', { className: 'muted', text: 'No recommendations shown in this window.', attrs: { colspan: String(COLUMNS) } })]));
    }
  }
}
