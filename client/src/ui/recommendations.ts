/**
 * Recommendation toasts: what the director suggests (a mode, a weapon, a room with other
 * players, a break), with Accept / Dismiss and a countdown; unanswered ones go away when
 * the server says they expired. Text from the server is inserted as text only.
 */
import type { RecommendationMessage, RecommendationResult } from '@pulse-arena/shared';
import { button, byId } from '../dom.js';

const KIND_TITLE: Record<RecommendationMessage['kind'], string> = {
  mode: 'Try a different mode', loadout: 'Try a different weapon', room: 'Join other players', break: 'Take a break?',
};
const ACCEPT_LABEL: Record<RecommendationMessage['kind'], (r: RecommendationMessage) => string> = {
  mode: (r) => `Switch to ${r.value ?? ''}`,
  loadout: (r) => `Take ${r.value ?? ''}`,
  room: (r) => `Join ${r.roomName ?? 'room'}`,
  break: () => 'Take a break',
};

export interface ToastView {
  id: string;
  kind: RecommendationMessage['kind'];
  value?: string;
  message: string;
  why: string;
}

export class RecommendationToasts {
  private readonly root = byId('toasts', HTMLDivElement);
  private readonly toasts = new Map<string, { el: HTMLElement; view: ToastView; timer: number }>();
  /** Every recommendation shown this session and what became of it (for the test hook). */
  readonly history: Array<ToastView & { outcome?: RecommendationResult['outcome'] }> = [];

  constructor(private readonly answer: (id: string, action: 'accept' | 'dismiss') => void) {
    this.root.replaceChildren();
  }

  show(r: RecommendationMessage): void {
    const view: ToastView = { id: r.id, kind: r.kind, ...(r.value !== undefined && { value: r.value }), message: r.message, why: r.why };
    this.history.push({ ...view });
    const el = document.createElement('section');
    el.className = 'toast';
    el.dataset.kind = r.kind;
    el.dataset.id = r.id;
    const title = document.createElement('h3');
    title.textContent = KIND_TITLE[r.kind];
    const body = document.createElement('p');
    body.textContent = r.message;
    const why = document.createElement('p');
    why.className = 'toast__why';
    why.textContent = `Why: ${r.why}`;
    const actions = document.createElement('div');
    actions.className = 'toast__actions';
    const send = (action: 'accept' | 'dismiss') => {
      accept.disabled = dismiss.disabled = true;
      this.answer(r.id, action);
    };
    const accept = button(ACCEPT_LABEL[r.kind](r), 'button button--small button--primary', () => send('accept'));
    accept.dataset.action = 'accept';
    const dismiss = button('Dismiss', 'button button--small', () => send('dismiss'));
    dismiss.dataset.action = 'dismiss';
    const countdown = document.createElement('span');
    countdown.className = 'toast__countdown';
    actions.append(accept, dismiss, countdown);
    el.append(title, body, why, actions);
    let left = r.expiresInSeconds;
    countdown.textContent = `${left}s`;
    const timer = window.setInterval(() => { countdown.textContent = `${Math.max(0, --left)}s`; }, 1000);
    this.toasts.set(r.id, { el, view, timer });
    this.root.append(el);
  }

  /** The server's word on a recommendation: it was applied, dismissed or expired. */
  resolve(result: RecommendationResult): void {
    const entry = this.history.find((h) => h.id === result.id);
    if (entry) entry.outcome = result.outcome;
    const toast = this.toasts.get(result.id);
    if (!toast) return;
    window.clearInterval(toast.timer);
    toast.el.remove();
    this.toasts.delete(result.id);
  }

  /** Recommendations on screen now. */
  visible(): ToastView[] {
    return [...this.toasts.values()].map((t) => ({ ...t.view }));
  }

  dispose(): void {
    for (const t of this.toasts.values()) window.clearInterval(t.timer);
    this.toasts.clear();
    this.root.replaceChildren();
  }
}
