/**
 * One flag, in full: who and where, the claim, the flagged message among the messages
 * around it, the model scores and policy decision (for behavior flags the input window and
 * class probabilities), the actions already taken and the player's history. It re-reads the
 * flag whenever the stream says it changed, so two moderators see each other's work.
 */
import { CLAIM_LAPSE_MINUTES, claimHolder, claimLapsed, claimLapsesAt, type FlagDetail, type FlagSummary } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { definitionList, el } from '../designer/dom.js';
import { formatNumber, formatTime } from '../designer/format.js';
import { ActionBar } from './actions.js';
import { ApiError, errorMessage, isAbort, modApi } from './api.js';
import { decisionTag, severityBadge, statusTag } from './badges.js';
import { probabilityBars, renderWindowHeatmap, sentimentBar, toxicityMeter } from './charts.js';
import { placeFlagged } from './context.js';
import { formatAge } from './format.js';
import { auditTable, chatList, renderHistory } from './history.js';

/** Stream events come in bursts (claim, then action): one re-read for the lot. */
const RELOAD_DELAY_MS = 100;

export interface DetailHooks {
  /** Username of the signed-in moderator. */
  me(): string;
  /** A claim or action answered with the flag's new state. */
  applied(flag: FlagSummary): void;
  openPlayer(playerId: string): void;
}

export class DetailPanel {
  private readonly placeholder = byId('detail-placeholder', HTMLParagraphElement);
  private readonly body = byId('detail-body', HTMLDivElement);
  private readonly title = byId('detail-title', HTMLDivElement);
  private readonly meta = byId('detail-meta', HTMLElement);
  private readonly claimButton = byId('claim', HTMLButtonElement);
  private readonly releaseButton = byId('release', HTMLButtonElement);
  private readonly claimStatus = byId('claim-status', HTMLSpanElement);
  private readonly chat = byId('detail-chat', HTMLElement);
  private readonly scores = byId('detail-scores', HTMLElement);
  private readonly behavior = byId('detail-behavior', HTMLElement);
  private readonly taken = byId('detail-actions-taken', HTMLElement);
  private readonly history = byId('detail-history', HTMLElement);
  readonly actions: ActionBar;
  private flagId: string | null = null;
  private shown: FlagDetail | null = null;
  private abort: AbortController | null = null;
  private reloadTimer: number | undefined;
  private lapseTimer: number | undefined;

  constructor(private readonly hooks: DetailHooks) {
    this.actions = new ActionBar({
      me: () => this.hooks.me(),
      done: (result) => {
        for (const flag of [result.flag, ...result.alsoResolved]) this.hooks.applied(flag);
        void this.load();
      },
    });
    this.claimButton.addEventListener('click', () => this.claim());
    this.releaseButton.addEventListener('click', () => void this.release());
  }

  /** Shows a flag (null: none). */
  show(flagId: string | null): void {
    this.flagId = flagId;
    this.shown = null;
    this.actions.setFlag(null);
    window.clearTimeout(this.reloadTimer);
    window.clearTimeout(this.lapseTimer);
    setText(this.claimStatus, '');
    this.placeholder.hidden = flagId !== null;
    this.body.hidden = flagId === null;
    if (flagId === null) {
      this.abort?.abort();
      return;
    }
    this.body.setAttribute('aria-busy', 'true');
    void this.load();
  }

  /** A flag changed somewhere: re-read the one on screen if it, or its player's flags, changed. */
  changed(flag: FlagSummary): void {
    // The flag on screen moved, or its player has a new or changed flag (their history, and
    // what a sanction would resolve along with this one, changed).
    const mine = flag.id === this.flagId ? flag.updatedAt !== this.shown?.updatedAt : flag.playerId === this.shown?.playerId;
    if (!mine) return;
    window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.load(), RELOAD_DELAY_MS);
  }

  /** Claims the flag on screen. Returns whether there was one. */
  claim(): boolean {
    const flag = this.shown;
    if (!flag) return this.flagId !== null;
    // Claiming one's own flag again renews the claim (it lapses CLAIM_LAPSE_MINUTES after it was taken).
    if (claimHolder(flag, this.hooks.me())) {
      this.renderClaim(flag);
      return true;
    }
    void this.sendClaim(flag.id);
    return true;
  }

  /** Gives this moderator's claim on the flag on screen back. */
  private async release(): Promise<void> {
    const flagId = this.shown?.id;
    if (!flagId) return;
    this.releaseButton.disabled = true;
    setText(this.claimStatus, 'Releasing…');
    try {
      this.hooks.applied(await modApi.release(flagId));
      if (flagId !== this.flagId) return;
      setText(this.claimStatus, 'Released: open to every moderator again.');
      await this.load();
    } catch (err) {
      if (flagId !== this.flagId) return;
      setText(this.claimStatus, `Cannot release: ${errorMessage(err)}`);
      await this.load();
    } finally {
      this.releaseButton.disabled = false;
    }
  }

  private async sendClaim(flagId: string): Promise<void> {
    this.claimButton.disabled = true;
    setText(this.claimStatus, 'Claiming…');
    try {
      const flag = await modApi.claim(flagId);
      this.hooks.applied(flag);
      setText(this.claimStatus, '');
      await this.load();
    } catch (err) {
      // The moderator moved on to another flag meanwhile: this answer is not about the one on screen.
      if (flagId !== this.flagId) return;
      if (err instanceof ApiError && err.status === 409) {
        // The re-read names the holder; the server's message stands in if it cannot.
        await this.load();
        const holder = this.shown?.assignee;
        setText(this.claimStatus, holder ? `Held by ${holder}.` : `Held by another moderator: ${err.message}`);
      } else {
        setText(this.claimStatus, `Cannot claim: ${errorMessage(err)}`);
      }
    } finally {
      this.claimButton.disabled = false;
      if (this.shown) this.renderClaim(this.shown);
    }
  }

  private async load(): Promise<void> {
    const flagId = this.flagId;
    if (flagId === null) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    try {
      const detail = await modApi.flag(flagId, abort.signal);
      if (abort.signal.aborted || flagId !== this.flagId) return;
      this.shown = detail;
      this.render(detail);
    } catch (err) {
      if (isAbort(err) || abort.signal.aborted) return;
      this.title.replaceChildren(el('p', { className: 'error-text', text: err instanceof ApiError && err.status === 404
        ? 'This flag no longer exists (the player\'s data may have been deleted).'
        : `Cannot load the flag: ${errorMessage(err)}` }));
    } finally {
      if (!abort.signal.aborted) this.body.removeAttribute('aria-busy');
    }
  }

  private render(d: FlagDetail): void {
    this.body.dataset.flagId = d.id;
    this.body.dataset.status = d.status;
    this.title.replaceChildren(
      el('div', { className: 'detail__tags' }, [severityBadge(d.severity), el('span', { className: 'tag', text: d.kind }), statusTag(d.status)]),
      el('h3', { className: 'detail__reason', text: d.reason }),
    );
    const player = el('button', { className: 'link', text: d.playerName, title: 'Open in player lookup', attrs: { type: 'button' } });
    player.addEventListener('click', () => this.hooks.openPlayer(d.playerId));
    const meta = definitionList([
      ['Player id', d.playerId],
      ['Room', d.roomId],
      ['Raised', `${formatTime(d.createdAt)} (${formatAge(Date.now() - Date.parse(d.createdAt))})`],
      ['Updated', formatTime(d.updatedAt)],
      ['Assignee', d.assignee ?? '—'],
    ], 'knob-list detail__meta');
    meta.prepend(el('dt', { text: 'Player' }), el('dd', {}, [player]));
    this.meta.replaceChildren(...meta.childNodes);
    this.renderClaim(d);
    this.actions.setFlag(d);
    this.renderChat(d);
    this.renderScores(d);
    this.renderBehavior(d);
    this.taken.replaceChildren(el('h4', { text: 'Actions taken' }), auditTable(d.actions));
    this.history.replaceChildren(el('h4', { text: 'Player history' }), renderHistory(d.history));
  }

  private renderClaim(d: FlagDetail): void {
    const mine = d.status === 'claimed' && d.assignee === this.hooks.me();
    const holder = claimHolder(d, this.hooks.me());
    const lapsed = !mine && claimLapsed(d);
    this.claimButton.textContent = d.status === 'resolved' ? 'Resolved' : mine ? 'Renew claim'
      : holder ? `Held by ${holder}` : lapsed ? `Take over from ${d.assignee}` : 'Claim';
    this.claimButton.disabled = holder !== null || d.status === 'resolved';
    this.claimButton.dataset.mine = String(mine);
    this.releaseButton.hidden = !mine;
    window.clearTimeout(this.lapseTimer);
    if (holder) {
      const lapsesAt = claimLapsesAt(d);
      setText(this.claimStatus, `Held by ${holder}; the claim lapses at ${formatTime(new Date(lapsesAt).toISOString())}.`);
      // Then anyone may take it over: say so without waiting for a reload.
      this.lapseTimer = window.setTimeout(() => {
        if (this.shown !== d) return;
        this.renderClaim(d);
        this.actions.setFlag(d);
      }, Math.max(0, lapsesAt - Date.now()) + 100);
    } else if (lapsed) {
      setText(this.claimStatus, `${d.assignee}'s claim has lapsed: claiming takes the flag over.`);
    } else if (mine) {
      setText(this.claimStatus, `Yours until ${formatTime(new Date(claimLapsesAt(d)).toISOString())}; renewing restarts the ${CLAIM_LAPSE_MINUTES} minutes.`);
    }
  }

  private renderChat(d: FlagDetail): void {
    if (d.kind !== 'chat' && !d.message && d.context.length === 0) {
      this.chat.replaceChildren();
      return;
    }
    const view = placeFlagged(d.context, d.message);
    this.chat.replaceChildren(el('h4', { text: 'Message in context' }), chatList(view.lines, view.flagged, 'Message in context'));
  }

  private renderScores(d: FlagDetail): void {
    const parts: HTMLElement[] = [];
    const { toxicity, sentiment, probabilities } = d.scores;
    if (toxicity !== undefined) parts.push(toxicityMeter(toxicity));
    if (sentiment) parts.push(sentimentBar(sentiment));
    if (probabilities && Object.keys(probabilities).length) {
      parts.push(el('h4', { text: 'Class probabilities' }), probabilityBars(probabilities, d.kind === 'behavior' ? 'inhuman' : undefined));
    }
    const hits = el('div', { className: 'chips' }, d.filterHits.length
      ? d.filterHits.map((h) => el('span', { className: 'chip chip--hit', text: h }))
      : [el('span', { className: 'muted', text: 'none' })]);
    parts.push(el('div', { className: 'score' }, [el('span', { className: 'score__label', text: 'Filter hits' }), hits]));
    if (d.decision) {
      parts.push(el('div', { className: 'score' }, [el('span', { className: 'score__label', text: 'Policy' }), decisionTag(d.decision)]));
    }
    this.scores.replaceChildren(el('h4', { text: 'Model scores' }), ...parts);
  }

  private renderBehavior(d: FlagDetail): void {
    if (!d.window?.length && !d.inputs) {
      this.behavior.replaceChildren();
      return;
    }
    const parts: HTMLElement[] = [el('h4', { text: 'Input window' })];
    if (d.window?.length) {
      const chart = el('div', { className: 'chart', data: { chart: 'behavior-window' } });
      renderWindowHeatmap(chart, d.window);
      parts.push(chart, el('p', { className: 'muted chart-note', text: 'One row per feature, one column per frame (20 per second). Blue below zero, amber above.' }));
    }
    if (d.inputs && Object.keys(d.inputs).length) {
      parts.push(el('h4', { text: 'Director inputs at flag time' }),
        definitionList(Object.entries(d.inputs).map(([k, v]) => [k, formatNumber(v ?? NaN, 3)])));
    }
    this.behavior.replaceChildren(...parts);
  }
}
