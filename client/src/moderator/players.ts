/**
 * Player lookup by id: the player's history; for admins also the data export (a JSON
 * download) and deletion, which asks the admin to type the player's name first.
 */
import type { PlayerHistory, Sanction } from '@pulse-arena/shared';
import { byId, setText } from '../dom.js';
import { pretty } from '../designer/format.js';
import type { TabPanel } from '../designer/tabs.js';
import { ApiError, errorMessage, modApi } from './api.js';
import { formatEffect } from './format.js';
import { renderHistory } from './history.js';

export interface PlayersHooks {
  /** A player's data is gone, flags included (the flag stream does not say so). */
  deleted(playerId: string): void;
}

export class PlayersPanel implements TabPanel {
  private readonly input = byId('player-id', HTMLInputElement);
  private readonly status = byId('player-status', HTMLParagraphElement);
  private readonly view = byId('player-history', HTMLDivElement);
  private readonly admin = byId('player-admin', HTMLDivElement);
  private readonly exportButton = byId('player-export', HTMLButtonElement);
  private readonly confirmBox = byId('player-delete-confirm', HTMLDivElement);
  private readonly confirmText = byId('player-delete-text', HTMLParagraphElement);
  private readonly typed = byId('player-delete-typed', HTMLInputElement);
  private readonly deleteOk = byId('player-delete-ok', HTMLButtonElement);
  private player: PlayerHistory | null = null;
  /** Lookups started; only the newest one's answer is shown. */
  private lookups = 0;
  private isAdmin = false;

  constructor(private readonly hooks: PlayersHooks) {
    byId('player-form', HTMLFormElement).addEventListener('submit', (e) => {
      e.preventDefault();
      void this.lookUp(this.input.value.trim());
    });
    this.exportButton.addEventListener('click', () => void this.exportData());
    byId('player-delete', HTMLButtonElement).addEventListener('click', () => this.askDelete());
    byId('player-delete-cancel', HTMLButtonElement).addEventListener('click', () => this.closeDelete());
    this.typed.addEventListener('input', () => {
      this.deleteOk.disabled = this.player === null || this.typed.value !== this.confirmWord(this.player);
    });
    this.deleteOk.addEventListener('click', () => void this.deletePlayer());
  }

  setRole(isAdmin: boolean): void {
    this.isAdmin = isAdmin;
    this.admin.hidden = !isAdmin || this.player === null;
  }

  hidden(): void {
    this.closeDelete();
  }

  /** Forgets the player on screen (on sign-out: the next user starts with an empty lookup). */
  clear(): void {
    this.lookups++;
    this.input.value = '';
    this.closeDelete();
    this.show(null);
    this.say('', 'info');
  }

  async lookUp(playerId: string): Promise<void> {
    this.input.value = playerId;
    this.closeDelete();
    // The previous player goes at once, so export and delete never act on them by mistake
    // while the next one loads; an older lookup that answers late is ignored.
    this.show(null);
    const lookup = ++this.lookups;
    if (!playerId) return;
    this.say('Loading…', 'info');
    try {
      const player = await modApi.player(playerId);
      if (lookup !== this.lookups) return;
      this.show(player);
      this.say('', 'info');
    } catch (err) {
      if (lookup !== this.lookups) return;
      this.say(err instanceof ApiError && err.status === 404 ? `No player with id ${playerId}.` : `Cannot look up the player: ${errorMessage(err)}`, 'bad');
    }
  }

  private show(player: PlayerHistory | null): void {
    this.player = player;
    this.view.replaceChildren(...(player ? [renderHistory(player, (s, note) => this.lift(player, s, note))] : []));
    this.admin.hidden = !this.isAdmin || player === null;
    if (player) this.admin.dataset.playerId = player.playerId;
    else delete this.admin.dataset.playerId;
  }

  /** Lifts a mute or ban, then shows the player's record as it is now. */
  private async lift(player: PlayerHistory, sanction: Sanction, note: string): Promise<void> {
    try {
      const result = await modApi.lift(player.playerId, sanction.id, note);
      await this.lookUp(player.playerId);
      this.say(formatEffect(result.effect), 'good');
    } catch (err) {
      this.say(`Cannot lift the ${sanction.kind}: ${errorMessage(err)}`, 'bad');
    }
  }

  /** What the admin types to delete: the name (the id when the name is empty). */
  private confirmWord(player: PlayerHistory): string {
    return player.name || player.playerId;
  }

  private async exportData(): Promise<void> {
    const player = this.player;
    if (!player) return;
    this.exportButton.disabled = true;
    try {
      const data = await modApi.exportPlayer(player.playerId);
      const url = URL.createObjectURL(new Blob([pretty(data)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `player-${player.playerId}.json`;
      link.click();
      // The download has its own copy once started; the next task is late enough for every browser.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      this.say(`Exported ${data.chat.length} messages, ${data.flags.length} flags, ${data.sanctions.length} sanctions.`, 'good');
    } catch (err) {
      this.say(`Cannot export: ${errorMessage(err)}`, 'bad');
    } finally {
      this.exportButton.disabled = false;
    }
  }

  private askDelete(): void {
    if (!this.player) return;
    setText(this.confirmText, `Delete all data of this player (chat, flags, profile, sanctions)? This cannot be undone; the audit log keeps its entries without the name. Type "${this.confirmWord(this.player)}" to confirm.`);
    this.typed.value = '';
    this.deleteOk.disabled = true;
    this.confirmBox.hidden = false;
    this.typed.focus();
  }

  private closeDelete(): void {
    this.confirmBox.hidden = true;
    this.typed.value = '';
  }

  private async deletePlayer(): Promise<void> {
    const player = this.player;
    if (!player || this.typed.value !== this.confirmWord(player)) return;
    this.deleteOk.disabled = true;
    try {
      await modApi.deletePlayer(player.playerId);
      this.closeDelete();
      this.show(null);
      this.say(`Deleted the data of player ${player.playerId}.`, 'good');
      this.hooks.deleted(player.playerId);
    } catch (err) {
      this.say(`Cannot delete: ${errorMessage(err)}`, 'bad');
      this.deleteOk.disabled = false;
    }
  }

  private say(text: string, tone: 'good' | 'bad' | 'info'): void {
    this.status.dataset.tone = tone;
    setText(this.status, text);
  }
}
