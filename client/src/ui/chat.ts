/**
 * The chat box: Enter focuses it, Enter sends, Escape leaves it. Lines are rendered as
 * text nodes only (never HTML), since they come from other players. Server errors for
 * this client (rate limits, refused messages) appear in the same log.
 */
import {
  MAX_CHAT_LENGTH, REPORT_REASONS, type ChatAck, type ChatBroadcast, type ErrorMessage, type ModerationNotice, type ReportAck,
  type ReportReason,
} from '@pulse-arena/shared';
import { button, byId } from '../dom.js';

/** Lines kept on screen; older ones scroll away for good. */
const MAX_LINES = 100;
/** The same error again within this window (ms) is not repeated: a held key must not flood the log. */
const ERROR_REPEAT_MS = 3000;

export interface ChatEntry {
  name: string;
  text: string;
}

/** Reporting other players' lines to the moderators. */
export interface ChatReports {
  /** This client's session id: its own lines get no report button. */
  ownSessionId(): string;
  send(messageId: string, reason: ReportReason): void;
}

export class ChatBox {
  /** Every chat line received this session, oldest first. */
  readonly entries: ChatEntry[] = [];
  private readonly log = byId('chat-log', HTMLUListElement);
  private readonly input = byId('chat-input', HTMLInputElement);
  private readonly lastErrorAt = new Map<string, number>();

  private readonly onWindowKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Enter' || e.target instanceof HTMLInputElement) return;
    e.preventDefault();
    this.input.focus();
  };

  private readonly onInputKeyDown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') {
      this.input.blur();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const text = this.input.value.trim();
      if (text) this.send(text);
      this.input.value = '';
      this.input.blur();
    }
  };

  constructor(private readonly send: (text: string) => void, private readonly reports?: ChatReports) {
    this.log.replaceChildren();
    this.input.value = '';
    this.input.maxLength = MAX_CHAT_LENGTH;
    window.addEventListener('keydown', this.onWindowKeyDown);
    this.input.addEventListener('keydown', this.onInputKeyDown);
  }

  showMessage(msg: ChatBroadcast): void {
    this.entries.push({ name: msg.name, text: msg.text });
    const name = document.createElement('span');
    name.className = 'chat__name';
    name.textContent = msg.name;
    const li = this.append('chat__line', name, document.createTextNode(msg.text));
    li.dataset.messageId = msg.id;
    if (this.reports && msg.sessionId !== this.reports.ownSessionId()) li.append(this.reportButton(li, msg.id));
  }

  /** The report was stored: the moderators will see the line. */
  showReportAck(ack: ReportAck): void {
    const li = this.log.querySelector<HTMLElement>(`li[data-message-id="${CSS.escape(ack.messageId)}"]`);
    if (li) {
      li.dataset.reported = 'true';
      li.querySelector('.chat__report')?.remove();
    }
    this.showNotice('Reported to the moderators. Thank you.');
  }

  /** ⚑ opens the reasons; picking one sends the report. */
  private reportButton(li: HTMLElement, messageId: string): HTMLElement {
    const box = document.createElement('span');
    box.className = 'chat__report';
    const open = button('⚑', 'chat__report-open', () => {
      const reasons = REPORT_REASONS.map((reason) => {
        const b = button(reason, 'chat__report-reason', () => {
          this.reports?.send(messageId, reason);
          box.replaceChildren(document.createTextNode('reporting…'));
        });
        b.dataset.reason = reason;
        return b;
      });
      const cancel = button('cancel', 'chat__report-reason', () => box.replaceChildren(open));
      box.replaceChildren(document.createTextNode('report as: '), ...reasons, cancel);
      li.scrollIntoView({ block: 'nearest' });
    });
    open.title = 'Report this line to the moderators';
    open.setAttribute('aria-label', 'Report this line to the moderators');
    box.append(open);
    return box;
  }

  showError(err: ErrorMessage): void {
    const key = `${err.code}:${err.type}`;
    const now = performance.now();
    if (now - (this.lastErrorAt.get(key) ?? -Infinity) < ERROR_REPEAT_MS) return;
    this.lastErrorAt.set(key, now);
    const reason = err.code === 'rate_limited' ? 'Slow down: too many messages.' : err.message;
    this.append('chat__line chat__line--error', document.createTextNode(`⚠ ${reason}`));
  }

  /** The server's word on the player's own line: held for a moderator, or not sent at all. */
  showAck(ack: ChatAck): void {
    if (ack.status === 'held') this.append('chat__line chat__line--system', document.createTextNode(`Your message waits for a moderator (${ack.reason ?? 'held'}).`));
    else if (ack.status === 'blocked') this.append('chat__line chat__line--error', document.createTextNode(`⚠ Not sent: ${ack.reason ?? 'refused'}`));
  }

  /** A moderator's warning, mute (or its end) or ban, shown where the player is looking when they chat. */
  showModeration(notice: ModerationNotice): void {
    const text = notice.kind === 'warning' ? `A moderator warned you: ${notice.message}`
      : notice.kind === 'muted' ? `You are muted until ${new Date(notice.until ?? Date.now()).toLocaleTimeString()}: ${notice.message}`
        : notice.kind === 'unmuted' ? `A moderator lifted your mute: you can chat again (${notice.message})`
          : `You were banned: ${notice.message}`;
    this.append('chat__line chat__line--moderation', document.createTextNode(text));
  }

  showNotice(text: string): void {
    this.append('chat__line chat__line--system', document.createTextNode(text));
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onWindowKeyDown);
    this.input.removeEventListener('keydown', this.onInputKeyDown);
  }

  private append(className: string, ...parts: Node[]): HTMLLIElement {
    const li = document.createElement('li');
    li.className = className;
    li.append(...parts);
    this.log.append(li);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
    return li;
  }
}
