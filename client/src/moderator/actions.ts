/**
 * The action bar under a flag: pick an action (button or shortcut), it asks once — with
 * who, what and for how long — and Enter sends it. Warn, mute and ban need a note; the
 * answer's `effect` says what happened live (message delivered, player muted in room …).
 * A warning, mute or ban also resolves the player's other open flags it answers, unless
 * the moderator unticks that in the confirm bar.
 */
import {
  MODERATION_ACTIONS, flagsCoveredBy, formatDuration, type FlagDetail, type FlagSummary, type ModerationActionKind, type ModerationActionResult,
} from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { el } from '../designer/dom.js';
import { ApiError, errorMessage, modApi } from './api.js';
import {
  ACTION_LABELS, DEFAULT_MUTE_SECONDS, MUTE_PRESETS, NOTE_REQUIRED, buildRequest, customSeconds, unavailableReason,
  type CustomUnit,
} from './actionRules.js';
import { formatEffect } from './format.js';

export interface ActionHooks {
  /** The signed-in moderator (flags they hold are theirs to resolve along). */
  me(): string;
  done(result: ModerationActionResult): void;
}

export class ActionBar {
  private readonly form = byId('actions', HTMLFormElement);
  private readonly note = byId('action-note', HTMLInputElement);
  private readonly duration = byId('mute-duration', HTMLSelectElement);
  private readonly custom = byId('mute-custom', HTMLSpanElement);
  private readonly customAmount = byId('mute-custom-amount', HTMLInputElement);
  private readonly customUnit = byId('mute-custom-unit', HTMLSelectElement);
  private readonly confirmBox = byId('action-confirm', HTMLDivElement);
  private readonly confirmText = byId('action-confirm-text', HTMLParagraphElement);
  private readonly confirmOk = byId('action-confirm-ok', HTMLButtonElement);
  private readonly othersRow = byId('action-others-row', HTMLLabelElement);
  private readonly others = byId('action-others', HTMLInputElement);
  private readonly othersText = byId('action-others-text', HTMLSpanElement);
  private readonly status = byId('action-status', HTMLParagraphElement);
  private readonly buttons = new Map<ModerationActionKind, HTMLButtonElement>();
  private flag: FlagDetail | null = null;
  private armed: ModerationActionKind | null = null;
  private busy = false;

  constructor(private readonly hooks: ActionHooks) {
    this.duration.replaceChildren(
      ...MUTE_PRESETS.map((p) => el('option', { text: p.label, attrs: { value: String(p.seconds) } })),
      el('option', { text: 'Custom…', attrs: { value: 'custom' } }),
    );
    this.duration.value = String(DEFAULT_MUTE_SECONDS);
    for (const action of MODERATION_ACTIONS) {
      const button = this.form.querySelector<HTMLButtonElement>(`[data-action="${action}"]`);
      if (!button) throw new Error(`moderator.html: no button for ${action}`);
      button.addEventListener('click', () => this.arm(action));
      this.buttons.set(action, button);
    }
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.confirm();
    });
    // Enter in the note sends the chosen action (the form's own submit would too, but not while the bar is hidden).
    this.note.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.isComposing) return;
      e.preventDefault();
      this.confirm();
    });
    byId('action-confirm-cancel', HTMLButtonElement).addEventListener('click', () => this.cancel());
    this.duration.addEventListener('change', () => {
      this.custom.hidden = this.duration.value !== 'custom';
      this.describe();
    });
    for (const input of [this.customAmount, this.customUnit]) input.addEventListener('input', () => this.describe());
  }

  /** The flag on screen (null: none). A different flag starts clean; the same one keeps the note being typed. */
  setFlag(flag: FlagDetail | null): void {
    const other = flag?.id !== this.flag?.id;
    this.flag = flag;
    if (other) {
      this.note.value = '';
      this.say('', 'info');
      this.cancel();
    }
    this.updateButtons();
    if (this.armed && flag && unavailableReason(this.armed, flag, this.hooks.me())) this.cancel();
    this.describe();
  }

  /** Chooses an action; it is sent on confirm. Returns whether there was a flag to act on. */
  arm(action: ModerationActionKind): boolean {
    if (!this.flag || this.busy) return this.flag !== null;
    const why = unavailableReason(action, this.flag, this.hooks.me());
    if (why) {
      this.say(`${ACTION_LABELS[action]}: ${why}`, 'bad');
      return true;
    }
    this.armed = action;
    this.others.checked = true;
    for (const [kind, button] of this.buttons) button.setAttribute('aria-pressed', String(kind === action));
    this.confirmBox.hidden = false;
    this.describe();
    if (NOTE_REQUIRED.has(action) && !this.note.value.trim()) {
      this.say('Add a note (why), then press Enter.', 'info');
      this.note.focus();
    } else {
      this.say('', 'info');
      this.confirmOk.focus();
    }
    return true;
  }

  /** Sends the chosen action. Returns false when none is chosen (the key is then not ours). */
  confirm(): boolean {
    if (!this.armed || !this.flag) return false;
    if (this.busy) return true;
    const built = buildRequest(this.armed, this.note.value, this.muteSeconds());
    if (!built.ok) {
      this.say(built.error, 'bad');
      if (NOTE_REQUIRED.has(this.armed) && !this.note.value.trim()) this.note.focus();
      return true;
    }
    const covered = this.covered().length > 0;
    void this.send(this.flag.id, built.request.action, { ...built.request, ...(covered && { resolveOthers: this.others.checked }) });
    return true;
  }

  cancel(): boolean {
    const had = this.armed !== null;
    this.armed = null;
    this.confirmBox.hidden = true;
    for (const button of this.buttons.values()) button.setAttribute('aria-pressed', 'false');
    return had;
  }

  private async send(flagId: string, action: ModerationActionKind, body: Parameters<typeof modApi.act>[1]): Promise<void> {
    this.busy = true;
    this.updateButtons();
    this.say(`${ACTION_LABELS[action]}…`, 'info');
    try {
      const result = await modApi.act(flagId, body);
      this.cancel();
      this.note.value = '';
      // Out of the note, so the next key (j for the next flag) is a shortcut again.
      this.note.blur();
      this.say(result.effect ? formatEffect(result.effect, result.audit.details) : `${ACTION_LABELS[action]}: done.`, 'good');
      this.hooks.done(result);
    } catch (err) {
      const conflict = err instanceof ApiError && err.status === 409;
      this.say(`${ACTION_LABELS[action]} failed${conflict ? ' (someone else acted on it)' : ''}: ${errorMessage(err)}`, 'bad');
    } finally {
      this.busy = false;
      this.updateButtons();
    }
  }

  private muteSeconds(): number | null {
    if (this.duration.value !== 'custom') return Number(this.duration.value);
    return customSeconds(this.customAmount.value, this.customUnit.value as CustomUnit);
  }

  /** The player's other flags the armed action would resolve with it (as the server picks them). */
  private covered(): FlagSummary[] {
    return this.armed && this.flag ? flagsCoveredBy(this.armed, this.flag, this.hooks.me(), this.flag.history.flags) : [];
  }

  /** The question in the confirm bar: who, what, and for mutes how long; and what else it resolves. */
  private describe(): void {
    if (!this.armed || !this.flag) return;
    const who = this.flag.playerName;
    const covered = this.covered();
    this.othersRow.hidden = covered.length === 0;
    const kinds = [...new Set(covered.map((f) => f.kind))].join(', ');
    setText(this.othersText, `Also resolve ${who}'s ${covered.length} other open flag${covered.length === 1 ? '' : 's'} (${kinds})`);
    const seconds = this.muteSeconds();
    const text: Record<ModerationActionKind, string> = {
      dismiss: 'Dismiss this flag (no action against the player)?',
      approve: `Approve: deliver the held message from ${who} to the room?`,
      warn: `Warn ${who}?`,
      mute: `Mute ${who} for ${seconds === null ? '…' : formatDuration(seconds)}?`,
      ban: `Ban ${who}? A guest's network is also closed to new guests for a day.`,
      escalate: 'Escalate this flag to senior staff?',
    };
    setText(this.confirmText, text[this.armed]);
  }

  private updateButtons(): void {
    for (const [action, button] of this.buttons) {
      const why = this.flag ? unavailableReason(action, this.flag, this.hooks.me()) : 'No flag selected.';
      button.disabled = this.busy || why !== null;
      button.title = `${ACTION_LABELS[action]} (${action[0]})${why ? ` — ${why}` : ''}`;
    }
    this.confirmOk.disabled = this.busy;
  }

  private say(text: string, tone: 'good' | 'bad' | 'info'): void {
    this.status.dataset.tone = tone;
    setText(this.status, text);
  }
}
