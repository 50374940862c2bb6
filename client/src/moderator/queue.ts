/**
 * The queue: flags needing a moderator in review order (severity, then age), live through
 * the event stream. Rows are keyed by flag id and updated in place, so the list does not
 * jump under the moderator's eye; ages tick every second; counts per status sit on the
 * filter buttons (and the open count in the page title, for a moderator on another tab).
 */
import type { FlagSummary } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { el } from '../designer/dom.js';
import { formatTime } from '../designer/format.js';
import { errorMessage, LIST_LIMIT, modApi } from './api.js';
import { severityBadge } from './badges.js';
import { formatAge } from './format.js';
import { ACTIVE_STATUSES, FlagStore, QUEUE_FILTERS, assigneeLabel, type KindFilter, type QueueFilter } from './queueModel.js';
import { FlagStream, type StreamState } from './stream.js';

const TITLE = document.title;

export interface QueueHooks {
  /** The moderator picked another flag (or none). */
  selected(flagId: string | null): void;
  /** A flag changed (stream or action): the detail re-reads it if it shows it. */
  changed(flag: FlagSummary): void;
}

interface Row {
  tr: HTMLTableRowElement;
  age: HTMLElement;
  assignee: HTMLElement;
  flag: FlagSummary;
  /** The player's flags in the queue when the row was filled. */
  playerFlags: number;
}

export class QueuePanel {
  private readonly body = byId('queue-body', HTMLTableSectionElement);
  private readonly empty = byId('queue-empty', HTMLParagraphElement);
  private readonly status = byId('queue-status', HTMLParagraphElement);
  private readonly streamStatus = byId('stream-status', HTMLSpanElement);
  private readonly kindSelect = byId('queue-kind', HTMLSelectElement);
  private readonly filterButtons = [...document.querySelectorAll<HTMLButtonElement>('.filter[data-filter]')];
  private readonly store = new FlagStore();
  private readonly rows = new Map<string, Row>();
  private readonly stream = new FlagStream({
    flag: (flag) => this.apply(flag),
    connected: () => void this.sync(),
    // While the stream is down the list would go stale; a fetch also finds out if the session ended.
    dropped: () => void this.sync(),
    state: (state) => this.showStreamState(state),
  });
  private filter: QueueFilter = 'open';
  private kind: KindFilter = 'all';
  private me = '';
  private selectedId: string | null = null;
  /** Where the selection was last seen, so j/k continue from there after it left the list. */
  private selectedIndex = 0;
  private visible: FlagSummary[] = [];
  private truncated = false;
  /** Rows added after the first fill are marked new for a moment. */
  private filled = false;
  private ticker: number | undefined;
  /** Lapsed claims at the last tick (see tickAges). */
  private lapsedSeen = 0;
  private syncing = 0;

  constructor(private readonly hooks: QueueHooks) {
    for (const button of this.filterButtons) {
      button.addEventListener('click', () => this.setFilter(button.dataset.filter as QueueFilter));
    }
    this.kindSelect.addEventListener('change', () => {
      this.kind = this.kindSelect.value as KindFilter;
      this.render();
    });
    this.body.addEventListener('click', (e) => {
      const tr = (e.target as Element).closest<HTMLTableRowElement>('tr[data-flag-id]');
      if (tr) this.select(tr.dataset.flagId ?? null);
    });
  }

  /** Signed in as `me`: start the stream (it fetches the lists once connected). */
  open(me: string): void {
    this.me = me;
    this.stream.start();
    window.clearInterval(this.ticker);
    this.ticker = window.setInterval(() => this.tickAges(), 1000);
  }

  close(): void {
    this.stream.stop();
    this.syncing++;
    window.clearInterval(this.ticker);
    this.ticker = undefined;
    this.select(null);
    this.store.finishSync([]);
    this.filled = false;
    this.render();
    document.title = TITLE;
  }

  /** Re-reads the lists, for changes the stream does not announce (a player's data deleted). */
  refresh(): void {
    void this.sync();
  }

  /** An action's or a claim's answer: show it now rather than wait for its stream echo. */
  apply(flag: FlagSummary): void {
    if (this.store.apply(flag)) this.render();
    this.hooks.changed(flag);
  }

  /** Moves the selection `delta` rows (j/k); from nothing, starts at the top. */
  move(delta: 1 | -1): void {
    const list = this.visible;
    if (list.length === 0) return;
    const at = list.findIndex((f) => f.id === this.selectedId);
    let next: number;
    if (at >= 0) next = at + delta;
    else if (this.selectedId === null) next = 0;
    // The selected flag left the list: the one that took its place is "next".
    else next = delta > 0 ? this.selectedIndex : this.selectedIndex - 1;
    next = Math.max(0, Math.min(list.length - 1, next));
    this.select(list[next]!.id);
  }

  select(flagId: string | null): void {
    if (flagId === this.selectedId) return;
    this.selectedId = flagId;
    this.markSelection();
    // Scrolled to on selection only: a stream update must not yank the list while the moderator reads it.
    if (flagId !== null) this.rows.get(flagId)?.tr.scrollIntoView({ block: 'nearest' });
    this.hooks.selected(flagId);
  }

  private setFilter(filter: QueueFilter): void {
    this.filter = filter;
    for (const b of this.filterButtons) b.setAttribute('aria-pressed', String(b.dataset.filter === filter));
    this.render();
  }

  /** Re-reads every active status; stream events meanwhile are kept (see FlagStore). */
  private async sync(): Promise<void> {
    const run = ++this.syncing;
    this.store.beginSync();
    try {
      const lists = await Promise.all(ACTIVE_STATUSES.map((s) => modApi.flags(s)));
      if (run !== this.syncing) return;
      this.truncated = lists.some((l) => l.length >= LIST_LIMIT);
      this.store.finishSync(lists.flat());
      this.status.dataset.tone = 'info';
      setText(this.status, this.truncated ? `Showing the first ${LIST_LIMIT} flags of a status; more are waiting behind them.` : '');
    } catch (err) {
      if (run !== this.syncing) return;
      this.store.abandonSync();
      this.status.dataset.tone = 'bad';
      setText(this.status, `Cannot load the queue: ${errorMessage(err)}`);
    }
    this.render();
    this.filled = true;
  }

  private render(): void {
    this.visible = this.store.list(this.filter, this.me, this.kind);
    const keep = new Set(this.visible.map((f) => f.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    const now = Date.now();
    const byPlayer = this.store.activeByPlayer();
    this.visible.forEach((flag, i) => {
      const playerFlags = byPlayer.get(flag.playerId) ?? 1;
      let row = this.rows.get(flag.id);
      if (!row) {
        row = this.createRow(flag, playerFlags, now);
        if (this.filled) row.tr.classList.add('is-new');
        this.rows.set(flag.id, row);
      } else if (row.flag !== flag || row.playerFlags !== playerFlags) {
        this.fillRow(row, flag, playerFlags, now);
      }
      // Move only rows that are out of place: the rest of the table stays untouched.
      const at = this.body.children[i];
      if (at !== row.tr) this.body.insertBefore(row.tr, at ?? null);
    });
    this.empty.hidden = this.visible.length > 0;
    const counts = this.store.counts(this.me, this.kind);
    for (const filter of QUEUE_FILTERS) {
      const badge = document.querySelector<HTMLElement>(`[data-count="${filter}"]`);
      if (badge) setText(badge, this.truncated && filter !== 'mine' && counts[filter] >= LIST_LIMIT ? `${counts[filter]}+` : String(counts[filter]));
    }
    const open = this.store.counts(this.me).open;
    document.title = open > 0 ? `(${open}) ${TITLE}` : TITLE;
    this.markSelection();
  }

  private createRow(flag: FlagSummary, playerFlags: number, now: number): Row {
    const tr = el('tr', { className: 'queue-row' });
    const row: Row = { tr, age: el('td', { className: 'nowrap' }), assignee: el('td'), flag, playerFlags };
    this.fillRow(row, flag, playerFlags, now);
    return row;
  }

  private fillRow(row: Row, flag: FlagSummary, playerFlags: number, now: number): void {
    row.flag = flag;
    row.playerFlags = playerFlags;
    const { tr } = row;
    tr.dataset.flagId = flag.id;
    tr.dataset.status = flag.status;
    tr.dataset.severity = String(flag.severity);
    row.age.title = formatTime(flag.createdAt);
    setText(row.age, formatAge(now - Date.parse(flag.createdAt)));
    fillAssignee(row.assignee, flag, now);
    const reason = el('td', { className: 'queue-row__reason' }, [el('div', { text: flag.reason })]);
    if (flag.text !== undefined) reason.append(el('div', { className: 'queue-row__text', text: flag.text }));
    tr.replaceChildren(
      el('td', {}, [severityBadge(flag.severity)]),
      el('td', { text: flag.kind }),
      reason,
      el('td', { className: 'queue-row__player', text: flag.playerName, title: flag.playerId }, playerFlags > 1
        ? [el('span', { className: 'queue-row__repeat', text: ` ×${playerFlags}`, title: `${playerFlags} flags of this player in the queue` })]
        : []),
      el('td', {}, [el('code', { text: flag.roomId })]),
      row.age,
      row.assignee,
    );
  }

  private markSelection(): void {
    for (const [id, row] of this.rows) row.tr.setAttribute('aria-selected', String(id === this.selectedId));
    const index = this.visible.findIndex((f) => f.id === this.selectedId);
    if (index >= 0) this.selectedIndex = index;
  }

  private tickAges(): void {
    const now = Date.now();
    // A claim lapsed this second: its flag moves from Claimed to Open.
    const lapsed = this.store.lapsedClaims(now);
    if (lapsed !== this.lapsedSeen) {
      this.lapsedSeen = lapsed;
      this.render();
    }
    for (const row of this.rows.values()) {
      setText(row.age, formatAge(now - Date.parse(row.flag.createdAt)));
      fillAssignee(row.assignee, row.flag, now);
    }
  }

  private showStreamState(state: StreamState): void {
    this.streamStatus.dataset.state = state.state;
    setText(this.streamStatus, state.state === 'live' ? 'Live'
      : state.state === 'connecting' ? 'Connecting…'
        : `Disconnected: retrying in ${Math.ceil(state.inMs / 1000)} s`);
  }
}

/** Who holds a flag; a lapsed claim says so, since anyone may now take the flag over. */
function fillAssignee(td: HTMLElement, flag: FlagSummary, now: number): void {
  const { text, lapsed } = assigneeLabel(flag, now);
  td.className = flag.assignee && !lapsed ? '' : 'muted';
  td.title = lapsed ? 'The claim has lapsed: any moderator may take the flag over.' : '';
  setText(td, text);
}
