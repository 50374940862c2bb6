/**
 * The chat box: Enter focuses it, Enter sends, Escape leaves it. Lines are rendered as
 * text nodes only (never HTML), since they come from other players. Server errors for
 * this client (rate limits, refused messages) appear in the same log.
 */
import { MAX_CHAT_LENGTH, type ChatAck, type ChatBroadcast, type ErrorMessage, type ModerationNotice } from '@pulse-arena/shared';
import { byId } from '../dom.js';

/** Lines kept on screen; older ones scroll away for good. */
const MAX_LINES = 100;
/** The same error again within this window (ms) is not repeated: a held key must not flood the log. */
const ERROR_REPEAT_MS = 3000;

export interface ChatEntry {
  name: string;
  text: string;
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

  constructor(private readonly send: (text: string) => void) {
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
    this.append('chat__line', name, document.createTextNode(msg.text));
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

  private append(className: string, ...parts: Node[]): void {
    const li = document.createElement('li');
    li.className = className;
    li.append(...parts);
    this.log.append(li);
    while (this.log.childElementCount > MAX_LINES) this.log.firstElementChild?.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }
}
