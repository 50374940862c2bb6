/**
 * Stored rule-set versions: the list (newest first, the live one marked), a line diff
 * between any two (or one and the editor's text), loading one into the editor, and rolling
 * back, which asks first because it changes every live room within a second.
 */
import { parseRuleSet, type RuleSetVersionDetail, type RuleSetVersionSummary } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { api, errorMessage } from './api.js';
import { countChanges, diffLines, hunks } from './diff.js';
import { el } from './dom.js';
import { formatTime, pretty } from './format.js';
import { inReadingOrder } from './ruleOrder.js';
import type { TabPanel } from './tabs.js';

const EDITOR = 'editor';

export interface VersionsHooks {
  editorText(): string;
  editorDirty(): boolean;
  /** Puts a version into the editor (and shows it). */
  load(detail: RuleSetVersionDetail): void;
  /** After every refresh of the list. */
  listed(versions: readonly RuleSetVersionSummary[]): void;
}

export class VersionsPanel implements TabPanel {
  private readonly body = byId('versions-body', HTMLTableSectionElement);
  private readonly status = byId('versions-status', HTMLParagraphElement);
  private readonly from = byId('diff-from', HTMLSelectElement);
  private readonly to = byId('diff-to', HTMLSelectElement);
  private readonly diffView = byId('diff-view', HTMLDivElement);
  private readonly diffSummary = byId('diff-summary', HTMLSpanElement);
  private readonly confirm = new ConfirmBar();
  private versions: RuleSetVersionSummary[] = [];
  /** Stored versions never change, so each is fetched once. */
  private readonly details = new Map<number, Promise<RuleSetVersionDetail>>();
  /** Only the newest diff request may render. */
  private diffRequest = 0;
  private visible = false;
  /** Whether the designer chose what to compare (until then, the two newest versions). */
  private picked = false;

  constructor(private readonly hooks: VersionsHooks) {
    for (const select of [this.from, this.to]) {
      select.addEventListener('change', () => {
        this.picked = true;
        void this.renderDiff();
      });
    }
  }

  shown(): void {
    this.visible = true;
    void this.refresh();
  }

  hidden(): void {
    this.visible = false;
    this.confirm.close();
  }

  async refresh(): Promise<void> {
    try {
      this.versions = await api.versions();
    } catch (err) {
      this.say(`Could not load the versions: ${errorMessage(err)}`, 'bad');
      return;
    }
    this.renderTable();
    this.fillSelects();
    this.hooks.listed(this.versions);
    if (this.visible) await this.renderDiff();
  }

  private renderTable(): void {
    const liveVersion = this.versions.find((v) => v.live)?.version ?? null;
    this.body.replaceChildren(...this.versions.map((v) => {
      const actions = el('td', { className: 'versions__actions' });
      const load = el('button', { className: 'button button--small', text: 'Load into editor', attrs: { type: 'button' } });
      load.addEventListener('click', () => this.load(v.version));
      actions.append(load);
      if (!v.live) {
        const rollback = liveVersion !== null && v.version < liveVersion;
        const publish = el('button', {
          className: 'button button--small', attrs: { type: 'button' },
          text: rollback ? 'Roll back to this version' : 'Publish this version',
        });
        publish.addEventListener('click', () => this.askPublish(v.version, rollback));
        actions.append(publish);
      }
      return el('tr', { data: { version: String(v.version), live: String(v.live) } }, [
        el('td', { className: 'num' }, [`v${v.version}`, ...(v.live ? [' ', el('span', { className: 'tag tag--live', text: 'live' })] : [])]),
        el('td', { text: v.name }),
        el('td', { className: 'num', text: String(v.rules) }),
        el('td', { text: v.author }),
        el('td', { className: 'versions__note', text: v.note || '—' }),
        el('td', { className: 'nowrap', text: formatTime(v.createdAt) }),
        el('td', { className: 'nowrap', text: formatTime(v.publishedAt) }),
        actions,
      ]);
    }));
    if (this.versions.length === 0) this.say('No versions stored yet.', 'info');
  }

  /** Keeps the designer's picks while they exist; otherwise compares the two newest (or the only one with the editor). */
  private fillSelects(): void {
    const options = (withEditor: boolean) => [
      ...this.versions.map((v) => el('option', { text: `v${v.version}${v.live ? ' (live)' : ''} · ${v.name}`, attrs: { value: String(v.version) } })),
      ...(withEditor ? [el('option', { text: 'Editor (current text)', attrs: { value: EDITOR } })] : []),
    ];
    const keep = (select: HTMLSelectElement, fallback: string) => {
      const previous = select.value;
      select.replaceChildren(...options(select === this.to));
      const exists = [...select.options].some((o) => o.value === previous);
      select.value = this.picked && previous && exists ? previous : fallback;
    };
    const newest = this.versions[0], older = this.versions[1];
    keep(this.from, String((older ?? newest)?.version ?? ''));
    keep(this.to, older ? String(newest!.version) : EDITOR);
  }

  private detail(version: number): Promise<RuleSetVersionDetail> {
    let detail = this.details.get(version);
    if (!detail) {
      detail = api.version(version);
      detail.catch(() => this.details.delete(version));
      this.details.set(version, detail);
    }
    return detail;
  }

  /**
   * A side of the diff. Valid rule sets are compared with every default filled in (as the
   * director runs them) and in one key order, so only changes in behavior show; anything
   * else (the editor mid-edit) is compared as text.
   */
  private async textOf(choice: string): Promise<string> {
    let value: unknown;
    if (choice !== EDITOR) value = (await this.detail(Number(choice))).ruleSet;
    else {
      try { value = JSON.parse(this.hooks.editorText()); } catch { return this.hooks.editorText(); }
    }
    const parsed = parseRuleSet(value);
    return pretty(parsed.ok ? inReadingOrder(parsed.ruleSet) : value);
  }

  private async renderDiff(): Promise<void> {
    const request = ++this.diffRequest;
    if (!this.from.value || !this.to.value) {
      this.diffView.replaceChildren();
      setText(this.diffSummary, '');
      return;
    }
    let a: string, b: string;
    try {
      [a, b] = await Promise.all([this.textOf(this.from.value), this.textOf(this.to.value)]);
    } catch (err) {
      if (request === this.diffRequest) setText(this.diffSummary, `Could not load: ${errorMessage(err)}`);
      return;
    }
    if (request !== this.diffRequest) return;
    const lines = diffLines(a.split('\n'), b.split('\n'));
    const { added, removed } = countChanges(lines);
    setText(this.diffSummary, added + removed === 0 ? 'No differences.' : `+${added} −${removed} lines`);
    this.diffView.dataset.added = String(added);
    this.diffView.dataset.removed = String(removed);
    this.diffView.replaceChildren(...hunks(lines).map((line) => {
      if (line.kind === 'gap') return el('div', { className: 'diff__gap', text: `⋯ ${line.count} unchanged line${line.count === 1 ? '' : 's'}` });
      const sign = line.kind === 'add' ? '+' : line.kind === 'del' ? '−' : ' ';
      return el('div', { className: `diff__line diff__line--${line.kind}`, data: { kind: line.kind } }, [
        el('span', { className: 'diff__num', text: line.kind === 'add' ? '' : String(line.oldLine) }),
        el('span', { className: 'diff__num', text: line.kind === 'del' ? '' : String(line.newLine) }),
        el('span', { className: 'diff__sign', text: sign }),
        el('span', { className: 'diff__text', text: line.text }),
      ]);
    }));
  }

  private load(version: number): void {
    const go = async () => {
      try {
        this.hooks.load(await this.detail(version));
      } catch (err) {
        this.say(`Could not load version ${version}: ${errorMessage(err)}`, 'bad');
      }
    };
    if (!this.hooks.editorDirty()) { void go(); return; }
    this.confirm.ask(`The editor has unsaved edits. Replace them with version ${version}?`, 'Replace edits', false, go);
  }

  private askPublish(version: number, rollback: boolean): void {
    const question = `${rollback ? 'Roll back to' : 'Publish'} version ${version}? Every running room switches to it within a second.`;
    this.confirm.ask(question, rollback ? `Roll back to v${version}` : `Publish v${version}`, true, async (note) => {
      try {
        await api.republish(version, note);
        this.say(`Version ${version} is live.`, 'good');
      } catch (err) {
        this.say(`Version ${version} was not published: ${errorMessage(err)}`, 'bad');
      }
      await this.refresh();
    });
  }

  private say(message: string, tone: 'good' | 'bad' | 'info'): void {
    this.status.dataset.tone = tone;
    setText(this.status, message);
  }
}

/** The panel's one confirmation prompt (in the page: browser dialogs block tests and look foreign). */
class ConfirmBar {
  private readonly root = byId('versions-confirm', HTMLDivElement);
  private readonly text = byId('versions-confirm-text', HTMLParagraphElement);
  private readonly note = byId('versions-confirm-note', HTMLInputElement);
  private readonly ok = byId('versions-confirm-ok', HTMLButtonElement);
  private action: ((note: string) => Promise<void>) | null = null;

  constructor() {
    this.ok.addEventListener('click', () => void this.run());
    byId('versions-confirm-cancel', HTMLButtonElement).addEventListener('click', () => this.close());
  }

  ask(question: string, okLabel: string, withNote: boolean, action: (note: string) => Promise<void>): void {
    this.action = action;
    setText(this.text, question);
    this.ok.textContent = okLabel;
    this.note.hidden = !withNote;
    this.note.value = '';
    this.root.hidden = false;
    this.ok.disabled = false;
    this.ok.focus();
  }

  close(): void {
    this.root.hidden = true;
    this.action = null;
  }

  private async run(): Promise<void> {
    const action = this.action;
    if (!action) return;
    this.ok.disabled = true;
    await action(this.note.value.trim());
    this.close();
  }
}
