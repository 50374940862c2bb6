/**
 * The console's tabs. The open tab is kept in the URL hash, so a reload or a shared link
 * opens the same one; a panel is told when it is shown and hidden (live panels poll only
 * while shown).
 */
export interface TabPanel {
  shown?(): void;
  hidden?(): void;
}

export class Tabs {
  private readonly buttons: HTMLButtonElement[];
  private current: string | null = null;
  private active = false;

  constructor(private readonly root: HTMLElement, private readonly panels: Record<string, TabPanel>) {
    this.buttons = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    for (const button of this.buttons) button.addEventListener('click', () => this.show(button.dataset.tab ?? ''));
    root.querySelector('[role="tablist"]')?.addEventListener('keydown', (e) => this.arrowKeys(e as KeyboardEvent));
    window.addEventListener('hashchange', () => { if (this.active) this.show(this.fromHash()); });
  }

  /** Shows the tab named in the URL (or the first). */
  open(): void {
    this.active = true;
    this.show(this.fromHash());
  }

  /** Hides everything, e.g. on logout: no panel keeps polling. */
  close(): void {
    this.active = false;
    if (this.current) this.panels[this.current]?.hidden?.();
    this.current = null;
  }

  show(name: string): void {
    if (!(name in this.panels)) name = this.buttons[0]?.dataset.tab ?? '';
    if (name === this.current) return;
    if (this.current) this.panels[this.current]?.hidden?.();
    this.current = name;
    for (const button of this.buttons) {
      const selected = button.dataset.tab === name;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(button.getAttribute('aria-controls') ?? '');
      if (panel) panel.hidden = !selected;
    }
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    this.panels[name]?.shown?.();
  }

  private fromHash(): string {
    return decodeURIComponent(location.hash.slice(1));
  }

  private arrowKeys(e: KeyboardEvent): void {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = this.buttons.findIndex((b) => b.dataset.tab === this.current);
    const next = this.buttons[(i + (e.key === 'ArrowRight' ? 1 : this.buttons.length - 1)) % this.buttons.length];
    if (!next) return;
    this.show(next.dataset.tab ?? '');
    next.focus();
  }
}

