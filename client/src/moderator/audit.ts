/** The audit log tab: every moderator action, newest first, optionally for one player. Read when shown. */
import { byId, setText } from '../dom.js';
import { el } from '../designer/dom.js';
import type { TabPanel } from '../designer/tabs.js';
import { errorMessage, isAbort, LIST_LIMIT, modApi } from './api.js';
import { auditRows } from './history.js';

export class AuditPanel implements TabPanel {
  private readonly player = byId('audit-player', HTMLInputElement);
  private readonly body = byId('audit-body', HTMLTableSectionElement);
  private readonly status = byId('audit-status', HTMLParagraphElement);
  private abort: AbortController | null = null;

  constructor() {
    byId('audit-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.refresh();
    });
    byId('audit-clear', HTMLButtonElement).addEventListener('click', () => {
      this.player.value = '';
      void this.refresh();
    });
  }

  shown(): void {
    void this.refresh();
  }

  hidden(): void {
    this.abort?.abort();
  }

  /** Forgets the filter and the rows (on sign-out: the next user starts with the whole log). */
  clear(): void {
    this.abort?.abort();
    this.player.value = '';
    this.body.replaceChildren();
    this.say('', 'info');
  }

  private async refresh(): Promise<void> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const playerId = this.player.value.trim();
    this.say('Loading…', 'info');
    try {
      const entries = await modApi.audit(playerId ? { playerId } : {}, abort.signal);
      this.body.replaceChildren(...auditRows(entries, true));
      if (entries.length === 0) this.body.append(el('tr', {}, [el('td', { className: 'muted', text: 'No entries.', attrs: { colspan: '7' } })]));
      this.say(`${entries.length}${entries.length >= LIST_LIMIT ? '+' : ''} entries${playerId ? ` for player ${playerId}` : ''}, newest first.`, 'info');
    } catch (err) {
      if (!isAbort(err)) this.say(`Cannot load the audit log: ${errorMessage(err)}`, 'bad');
    }
  }

  private say(text: string, tone: 'info' | 'bad'): void {
    this.status.dataset.tone = tone;
    setText(this.status, text);
  }
}
