/**
 * The start menu: pick a name (remembered), then quick play, create a room (optionally
 * named) or join one from the lobby list, which refreshes every 2 s while visible — and
 * says so when the server is full (MAX_PLAYERS), before anyone presses a button.
 */
import { LOADOUTS, MAX_NAME_LENGTH, MODES, type Loadout, type LobbyAdvice, type LobbyRecommendations, type Mode } from '@pulse-arena/shared';
import type { JoinRequest } from '../net/arenaSession.js';
import { fetchCapacity, fetchRecommendations, fetchRooms, type RoomListing, type ServerCapacity } from '../net/lobby.js';
import { button, byId, setText } from '../dom.js';
import { profile } from '../profile.js';

const REFRESH_MS = 2000;

interface RoomRow {
  li: HTMLLIElement;
  name: HTMLSpanElement;
  meta: HTMLSpanElement;
  join: HTMLButtonElement;
}

export type JoinHandler = (request: JoinRequest, name: string) => Promise<void>;

export class Menu {
  private readonly root = byId('menu', HTMLElement);
  private readonly form = byId('menu-form', HTMLFormElement);
  private readonly nameInput = byId('name-input', HTMLInputElement);
  private readonly roomNameInput = byId('room-name-input', HTMLInputElement);
  private readonly createButton = byId('create-room', HTMLButtonElement);
  private readonly roomList = byId('room-list', HTMLUListElement);
  private readonly emptyNote = byId('room-list-empty', HTMLParagraphElement);
  private readonly status = byId('menu-status', HTMLParagraphElement);
  private readonly fullNote = byId('menu-full', HTMLParagraphElement);
  private readonly modeSelect = byId('mode-select', HTMLSelectElement);
  private readonly loadoutSelect = byId('loadout-select', HTMLSelectElement);
  private readonly recommendationCard = byId('menu-recommendations', HTMLElement);
  private readonly recommendationList = byId('menu-recommendation-list', HTMLUListElement);
  /** The player chose a mode or weapon themselves: recommendations no longer preselect. */
  private choseOwn = false;
  /** What the recommendation list shows now: rebuilt only when it changes, so a click is never lost. */
  private recommendationSignature = '';
  /** The suggestions on screen, sent with a join so the server records whether they were taken. */
  private advice: LobbyAdvice | null = null;
  /** Rows by room id, updated in place (never rebuilt or moved) so a click is never lost to a refresh. */
  private readonly rows = new Map<string, RoomRow>();
  private refreshTimer: number | undefined;
  private refreshAbort: AbortController | null = null;
  private joining = false;

  constructor(private readonly onJoin: JoinHandler) {
    this.nameInput.maxLength = MAX_NAME_LENGTH;
    this.nameInput.value = profile.name();
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.join({ kind: 'quickPlay' });
    });
    for (const select of [this.modeSelect, this.loadoutSelect]) select.addEventListener('change', () => { this.choseOwn = true; });
    this.createButton.addEventListener('click', () => {
      const roomName = this.roomNameInput.value.trim();
      void this.join(roomName ? { kind: 'create', roomName } : { kind: 'create' });
    });
  }

  show(message = ''): void {
    this.root.hidden = false;
    setText(this.status, message);
    this.setBusy(false);
    void this.refresh();
    void this.loadRecommendations();
    // Rooms fill and empty: the suggestions follow the room list.
    this.refreshTimer = window.setInterval(() => { void this.refresh(); void this.loadRecommendations(); }, REFRESH_MS);
  }

  /** What the director learnt about this player last time: a mode, a weapon, rooms worth joining. */
  private async loadRecommendations(): Promise<void> {
    let recs: LobbyRecommendations;
    try {
      recs = await fetchRecommendations(profile.playerId());
    } catch {
      // Hidden until the next answer, which then redraws even if unchanged.
      this.recommendationCard.hidden = true;
      this.recommendationSignature = '';
      this.advice = null;
      return;
    }
    const signature = JSON.stringify(recs);
    if (signature === this.recommendationSignature) return;
    this.recommendationSignature = signature;
    const items: HTMLLIElement[] = [];
    const item = (text: string, why: string, button?: HTMLButtonElement) => {
      const li = document.createElement('li');
      const label = document.createElement('span');
      label.className = 'recommendation-list__text';
      label.textContent = text;
      const reason = document.createElement('span');
      reason.className = 'recommendation-list__why';
      reason.textContent = why;
      li.append(label, reason);
      if (button) li.append(button);
      items.push(li);
    };
    if (recs.mode) {
      item(`Mode: ${recs.mode.value}`, recs.mode.why);
      if (!this.choseOwn) this.modeSelect.value = recs.mode.value;
    }
    if (recs.loadout) {
      item(`Weapon: ${recs.loadout.value}`, recs.loadout.why);
      if (!this.choseOwn) this.loadoutSelect.value = recs.loadout.value;
    }
    for (const room of recs.rooms) {
      const join = button('Join', 'button button--small', () => void this.join({ kind: 'join', roomId: room.roomId }));
      item(`Room: ${room.roomName}`, room.why, join);
    }
    this.recommendationList.replaceChildren(...items);
    this.recommendationCard.hidden = items.length === 0;
    this.advice = items.length === 0 ? null : {
      ...(recs.mode && { mode: recs.mode.value }),
      ...(recs.loadout && { loadout: recs.loadout.value }),
      ...(recs.rooms.length > 0 && { roomIds: recs.rooms.map((r) => r.roomId) }),
    };
  }

  hide(): void {
    this.root.hidden = true;
    window.clearInterval(this.refreshTimer);
    this.refreshAbort?.abort();
  }

  private async join(request: JoinRequest): Promise<void> {
    if (this.joining) return;
    const name = this.nameInput.value.trim();
    if (!name) {
      setText(this.status, 'Pick a name first.');
      this.nameInput.focus();
      return;
    }
    profile.setName(name);
    this.setBusy(true);
    setText(this.status, '');
    const mode = this.modeSelect.value as Mode;
    const loadout = this.loadoutSelect.value as Loadout;
    try {
      await this.onJoin({
        ...request,
        ...(MODES.includes(mode) && { mode }),
        ...(LOADOUTS.includes(loadout) && { loadout }),
        ...(this.advice && { lobby: this.advice }),
      }, name);
    } catch (err) {
      setText(this.status, `Could not join: ${joinErrorText(err)}`);
      this.setBusy(false);
      void this.refresh();
    }
  }

  private setBusy(busy: boolean): void {
    this.joining = busy;
    for (const button of this.root.querySelectorAll('button')) button.disabled = busy || button.dataset.full === 'true';
  }

  private async refresh(): Promise<void> {
    this.refreshAbort?.abort();
    const abort = (this.refreshAbort = new AbortController());
    // Only a known "full" shows the notice: an unreachable capacity leaves the buttons to tell.
    void fetchCapacity(abort.signal).then((c) => this.renderCapacity(c), () => { if (!abort.signal.aborted) this.renderCapacity(null); });
    try {
      this.renderRooms(await fetchRooms(abort.signal));
    } catch {
      if (abort.signal.aborted) return;
      this.renderRooms([]);
      setText(this.emptyNote, 'Cannot reach the server right now; retrying…');
    }
  }

  private renderCapacity(capacity: ServerCapacity | null): void {
    this.fullNote.hidden = !capacity?.full;
    if (!capacity?.full) return;
    const places = capacity.maxPlayers === 1 ? 'its one place is' : `all ${capacity.maxPlayers ?? capacity.players} places are`;
    setText(this.fullNote, `The server is full: ${places} taken. Places open up as players leave; this page checks every few seconds.`);
  }

  private renderRooms(rooms: RoomListing[]): void {
    const ids = new Set(rooms.map((r) => r.roomId));
    for (const [id, row] of this.rows) {
      if (ids.has(id)) continue;
      row.li.remove();
      this.rows.delete(id);
    }
    for (const room of rooms) {
      let row = this.rows.get(room.roomId);
      if (!row) {
        row = this.createRow(room.roomId);
        this.rows.set(room.roomId, row);
        this.roomList.append(row.li);
      }
      const full = room.clients >= room.maxClients;
      setText(row.name, room.roomName);
      setText(row.meta, `${room.clients}/${room.maxClients} players · ${room.wave ? `wave ${room.wave}` : 'warming up'}`);
      row.join.dataset.full = String(full);
      row.join.disabled = this.joining || full;
    }
    this.emptyNote.hidden = rooms.length > 0;
    setText(this.emptyNote, 'No rooms yet: create one or press Quick play.');
  }

  private createRow(roomId: string): RoomRow {
    const li = document.createElement('li');
    li.dataset.roomId = roomId;
    const name = document.createElement('span');
    name.className = 'room-list__name';
    const meta = document.createElement('span');
    meta.className = 'room-list__meta';
    const join = button('Join', 'button button--small', () => void this.join({ kind: 'join', roomId }));
    li.append(name, meta, join);
    return { li, name, meta, join };
  }
}

/** A join refusal as the player should read it: Colyseus's "room … is locked" means the room takes nobody now. */
function joinErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /is locked/.test(message) ? 'that room is full or not taking new players right now; pick another or press Quick play' : message;
}
