/**
 * The rule editor: a plain textarea with line numbers, validated as the designer types
 * (debounced), and the Publish button, which stays disabled while the text is invalid or
 * unchanged. The server validates again on publish; its errors show in the same list.
 */
import type { RuleSetVersionDetail } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { api, ApiError, errorMessage } from './api.js';
import { el } from './dom.js';
import { pretty } from './format.js';
import { inReadingOrder } from './ruleOrder.js';
import type { TabPanel } from './tabs.js';
import { locate, validateRuleText, type Problem, type Validation } from './validation.js';

const VALIDATE_AFTER_MS = 250;
/** How long the "really discard?" state of the reload button lasts. */
const CONFIRM_MS = 4000;

type Tone = 'good' | 'bad' | 'info';

export class RuleEditor implements TabPanel {
  private readonly textarea = byId('rules-editor', HTMLTextAreaElement);
  private readonly gutter = byId('editor-gutter', HTMLPreElement);
  private readonly status = byId('editor-status', HTMLSpanElement);
  private readonly summary = byId('validation-summary', HTMLParagraphElement);
  private readonly errorList = byId('rules-errors', HTMLUListElement);
  private readonly note = byId('publish-note', HTMLInputElement);
  private readonly publishButton = byId('publish', HTMLButtonElement);
  private readonly publishStatus = byId('publish-status', HTMLParagraphElement);
  private readonly reloadButton = byId('editor-revert', HTMLButtonElement);

  /** The stored version the text started from, and its text then. */
  private base: { version: number; text: string } | null = null;
  private liveVersion: number | null = null;
  private validation: Validation | null = null;
  private validateTimer: number | undefined;
  private reloadArmed: number | undefined;
  private publishing = false;
  private lines = 0;
  private errorLines = new Set<number>();
  /** The last version this editor published (the dry run's default). */
  lastPublished: number | null = null;

  constructor(private readonly onPublished: (version: number) => void) {
    this.textarea.addEventListener('input', () => {
      window.clearTimeout(this.validateTimer);
      this.validateTimer = window.setTimeout(() => this.validate(), VALIDATE_AFTER_MS);
      this.renderGutter();
      this.renderStatus();
    });
    this.textarea.addEventListener('scroll', () => { this.gutter.scrollTop = this.textarea.scrollTop; });
    byId('editor-format', HTMLButtonElement).addEventListener('click', () => this.format());
    this.reloadButton.addEventListener('click', () => this.reload());
    this.publishButton.addEventListener('click', () => void this.publish());
    // Closing the tab would lose unpublished edits: let the browser ask first.
    window.addEventListener('beforeunload', (e) => { if (this.dirty) e.preventDefault(); });
  }

  get text(): string {
    return this.textarea.value;
  }

  get dirty(): boolean {
    return this.base !== null && this.textarea.value !== this.base.text;
  }

  shown(): void {
    this.renderStatus();
  }

  async loadLive(): Promise<void> {
    setText(this.status, 'Loading the live version…');
    try {
      this.load(await api.liveVersion());
    } catch (err) {
      setText(this.status, `Could not load the live version: ${errorMessage(err)}`);
    }
  }

  load(detail: RuleSetVersionDetail): void {
    const text = pretty(inReadingOrder(detail.ruleSet));
    this.textarea.value = text;
    this.base = { version: detail.version, text };
    if (detail.live) this.liveVersion = detail.version;
    this.textarea.scrollTop = 0;
    this.say('', 'info');
    this.validate();
  }

  /** The versions list knows which version is live now (after a rollback, say). */
  setLiveVersion(version: number | null): void {
    this.liveVersion = version;
    this.renderStatus();
  }

  private validate(): void {
    window.clearTimeout(this.validateTimer);
    this.validation = validateRuleText(this.textarea.value);
    if (this.validation.ok) {
      const { rules, enabled } = this.validation;
      this.showProblems([], `Valid: ${rules} rule${rules === 1 ? '' : 's'}, ${enabled} enabled.`);
    } else {
      const n = this.validation.problems.length;
      this.showProblems(this.validation.problems, this.validation.syntax ? 'The text is not valid JSON.' : `${n} problem${n === 1 ? '' : 's'} in the rule set:`);
    }
  }

  private showProblems(problems: readonly Problem[], summary: string): void {
    const valid = problems.length === 0;
    this.textarea.dataset.valid = String(valid);
    this.textarea.setAttribute('aria-invalid', String(!valid));
    this.summary.dataset.valid = String(valid);
    setText(this.summary, summary);
    this.errorList.replaceChildren(...problems.map((p) => this.problemItem(p)));
    this.errorLines = new Set(problems.flatMap((p) => (p.line === null ? [] : [p.line])));
    this.renderGutter(true);
    this.renderStatus();
  }

  private problemItem(problem: Problem): HTMLLIElement {
    const button = el('button', { className: 'errors__item', attrs: { type: 'button' } }, [
      el('code', { text: problem.where }), `: ${problem.message}`,
    ]);
    if (problem.offset === null) button.disabled = true;
    else {
      const offset = problem.offset;
      button.title = `Go to line ${problem.line}`;
      button.addEventListener('click', () => this.jumpTo(offset));
    }
    return el('li', { data: { path: problem.where } }, [button]);
  }

  /** Selects the rest of the line at `offset` and scrolls it into view. */
  private jumpTo(offset: number): void {
    const text = this.textarea.value;
    const end = text.indexOf('\n', offset);
    this.textarea.focus();
    this.textarea.setSelectionRange(offset, end === -1 ? text.length : end);
    const line = text.slice(0, offset).split('\n').length;
    const lineHeight = parseFloat(getComputedStyle(this.textarea).lineHeight) || 20;
    this.textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  /** Line numbers, redrawn when the count changes (or, forced, when the error marks do). */
  private renderGutter(force = false): void {
    const lines = this.textarea.value.split('\n').length;
    if (lines === this.lines && !force) return;
    this.lines = lines;
    const numbers: HTMLSpanElement[] = [];
    for (let i = 1; i <= lines; i++) numbers.push(el('span', { className: this.errorLines.has(i) ? 'is-error' : '', text: `${i}\n` }));
    this.gutter.replaceChildren(...numbers);
    this.gutter.scrollTop = this.textarea.scrollTop;
  }

  private renderStatus(): void {
    if (!this.base) return;
    const { version } = this.base;
    const live = this.liveVersion === version ? ' (live)' : this.liveVersion === null ? '' : ` · live is version ${this.liveVersion}`;
    setText(this.status, `Based on version ${version}${live}${this.dirty ? ' · unsaved changes' : ''}`);
    const valid = this.validation?.ok === true && this.textarea.dataset.valid === 'true';
    this.publishButton.disabled = this.publishing || !valid || !this.dirty;
    this.publishButton.title = !valid ? 'Fix the problems first'
      : !this.dirty ? `No changes since version ${version}` : 'Publish as a new version and make it live';
  }

  private format(): void {
    const v = validateRuleText(this.textarea.value);
    if (v.ok || !v.syntax) this.textarea.value = pretty(JSON.parse(this.textarea.value));
    this.validate();
  }

  private reload(): void {
    if (this.dirty && this.reloadArmed === undefined) {
      this.reloadButton.textContent = 'Discard edits and reload?';
      this.reloadArmed = window.setTimeout(() => this.disarmReload(), CONFIRM_MS);
      return;
    }
    this.disarmReload();
    void this.loadLive();
  }

  private disarmReload(): void {
    window.clearTimeout(this.reloadArmed);
    this.reloadArmed = undefined;
    this.reloadButton.textContent = 'Reload live version';
  }

  private async publish(): Promise<void> {
    this.validate();
    const v = this.validation;
    if (!v?.ok || this.publishing || !this.dirty) return;
    const text = this.textarea.value;
    this.publishing = true;
    this.renderStatus();
    this.say('Publishing…', 'info');
    try {
      const { version } = await api.publish(v.ruleSet, this.note.value.trim());
      this.base = { version, text };
      this.liveVersion = version;
      this.lastPublished = version;
      this.note.value = '';
      this.say(`Published version ${version}`, 'good');
      this.onPublished(version);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.errors.length) {
        this.showProblems(locate(text, err.errors), 'The server rejected the rule set:');
        this.say(`Not published: ${err.message}`, 'bad');
      } else {
        this.say(`Not published: ${errorMessage(err)}`, 'bad');
      }
    } finally {
      this.publishing = false;
      this.renderStatus();
    }
  }

  private say(message: string, tone: Tone): void {
    this.publishStatus.dataset.tone = tone;
    setText(this.publishStatus, message);
  }
}
