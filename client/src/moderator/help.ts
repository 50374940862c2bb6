/** The shortcut help overlay ("?"), listing {@link SHORTCUTS} so it can never disagree with the keys. */
import { byId } from '../dom.js';
import { el } from '../designer/dom.js';
import { SHORTCUTS } from './shortcuts.js';

const KEY_NAMES: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', Enter: 'Enter', Escape: 'Esc' };

export class ShortcutHelp {
  private readonly root = byId('shortcut-help', HTMLDivElement);
  private returnFocus: HTMLElement | null = null;

  constructor() {
    byId('shortcut-list', HTMLElement).replaceChildren(...SHORTCUTS.flatMap((s) => [
      el('dt', {}, s.keys.map((k) => el('kbd', { text: KEY_NAMES[k] ?? k }))),
      el('dd', { text: s.label }),
    ]));
    byId('shortcut-help-open', HTMLButtonElement).addEventListener('click', () => this.toggle());
    byId('shortcut-help-close', HTMLButtonElement).addEventListener('click', () => this.close());
    this.root.addEventListener('click', (e) => { if (e.target === this.root) this.close(); });
  }

  get isOpen(): boolean {
    return !this.root.hidden;
  }

  toggle(): void {
    if (this.isOpen) {
      this.close();
      return;
    }
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.root.hidden = false;
    byId('shortcut-help-close', HTMLButtonElement).focus();
  }

  close(): void {
    if (!this.isOpen) return;
    this.root.hidden = true;
    this.returnFocus?.focus();
    this.returnFocus = null;
  }
}
