/**
 * The page's two phases: the menu, and playing in one room. Joining wires a session to
 * its netcode, HUD, chat and the arena scene; leaving (or losing the room) unwinds that
 * and returns to the menu.
 */
import type Phaser from 'phaser';
import { ArenaSession, type ConnectionStatus, type JoinRequest } from './net/arenaSession.js';
import { Netcode } from './netcode.js';
import { createGame, rendererName, startArena, stopArena } from './game.js';
import { ChatBox } from './ui/chat.js';
import { Hud } from './ui/hud.js';
import { RecommendationToasts } from './ui/recommendations.js';
import { Menu } from './ui/menu.js';
import { byId } from './dom.js';
import type { PulseArenaHook } from './testHook.js';
import { REMATCH_SPREAD_MS, type ProfileMessage } from '@pulse-arena/shared';

/** Matchmaking tries after the room's server went away, before the menu says so. */
const REMATCH_ATTEMPTS = 4;

interface Match {
  session: ArenaSession;
  /** How to get back into play if the server goes away: quick play in the current mode and loadout. */
  rejoin: JoinRequest & { kind: 'quickPlay' };
  netcode: Netcode;
  chat: ChatBox;
  hud: Hud;
  toasts: RecommendationToasts;
}

const STATUS_NOTICE: Record<ConnectionStatus, string> = {
  open: 'Reconnected.',
  reconnecting: 'Connection lost; reconnecting…',
  moving: 'The server is restarting: moving you to another one…',
  closed: 'Disconnected from the room.',
};

export class App {
  private game: Phaser.Game | null = null;
  private match: Match | null = null;
  /** The behavior model's latest read of the own player (for the test hook). */
  private lastProfile: ProfileMessage | null = null;
  private readonly playView = byId('play', HTMLDivElement);
  private readonly gameParent = byId('game', HTMLDivElement);
  private readonly menu = new Menu((request, name) => this.play(request, name));
  private readonly breakOverlay = byId('break-overlay', HTMLDivElement);
  /** Set when a moderator banned this player: the menu says so after the room closes. */
  private banned: string | null = null;
  private readonly breakMessage = byId('break-message', HTMLParagraphElement);

  start(): void {
    byId('leave-room', HTMLButtonElement).addEventListener('click', () => void this.leave());
    byId('back-to-menu', HTMLButtonElement).addEventListener('click', () => void this.leave());
    byId('break-back', HTMLButtonElement).addEventListener('click', () => void this.leave('See you soon: your progress is kept.'));
    Object.defineProperty(window, '__pulseArena', { value: this.testHook(), writable: false });
    this.menu.show();
  }

  private async play(request: JoinRequest, name: string): Promise<void> {
    const session = await ArenaSession.join(request, name);
    const rejoin: Match['rejoin'] = { kind: 'quickPlay' };
    if (request.mode) rejoin.mode = request.mode;
    if (request.loadout) rejoin.loadout = request.loadout;
    const netcode = new Netcode(session);
    const hud = new Hud(session.sessionId);
    const chat = new ChatBox((text) => session.sendChat(text), {
      ownSessionId: () => session.sessionId,
      send: (messageId, reason) => session.report(messageId, reason),
    });
    session.onState((state) => {
      netcode.onState(state, performance.now());
      hud.update(state);
    });
    session.onChat((msg) => chat.showMessage(msg));
    session.onServerError((err) => chat.showError(err));
    session.onChatAck((ack) => chat.showAck(ack));
    session.onReportAck((ack) => chat.showReportAck(ack));
    session.onModeration((notice) => {
      chat.showModeration(notice);
      if (notice.kind === 'banned') this.banned = notice.message;
    });
    session.onProfile((profile) => {
      hud.setProfile(profile);
      this.lastProfile = profile;
    });
    session.onStatus((status) => {
      hud.setConnection(status);
      chat.showNotice(STATUS_NOTICE[status]);
      if (status === 'moving') void this.rematch(name);
      if (status === 'closed' && this.banned !== null) {
        const reason = this.banned;
        this.banned = null;
        void this.leave(`A moderator banned you from Pulse Arena: ${reason}`);
      }
    });
    session.onDirector((message) => hud.setDirector(message));
    const toasts = new RecommendationToasts((id, action) => session.answerRecommendation(id, action));
    session.onRecommendation((r) => toasts.show(r));
    session.onRecommendationResult((result) => {
      const shown = toasts.history.find((h) => h.id === result.id);
      toasts.resolve(result);
      if (result.outcome !== 'accepted') return;
      if (result.applied?.mode) {
        chat.showNotice(`Mode: ${result.applied.mode}.`);
        rejoin.mode = result.applied.mode;
      }
      if (result.applied?.loadout) {
        chat.showNotice(`Weapon: ${result.applied.loadout}.`);
        rejoin.loadout = result.applied.loadout;
      }
      if (result.applied?.roomId) void this.switchRoom(result.applied.roomId, name);
      else if (shown?.kind === 'break') this.showBreak(shown.message);
    });
    this.breakOverlay.hidden = true;
    this.match = { session, rejoin, netcode, chat, hud, toasts };
    chat.showNotice('You joined the arena. Press Enter to chat.');

    this.menu.hide();
    this.playView.hidden = false; // before the game boots, so the canvas is sized to a visible parent
    this.game ??= createGame(this.gameParent);
    startArena(this.game, { session, netcode });
  }

  private async leave(message = ''): Promise<void> {
    const match = this.match;
    if (!match) return;
    this.match = null;
    this.lastProfile = null;
    if (this.game) stopArena(this.game);
    match.chat.dispose();
    match.toasts.dispose();
    this.breakOverlay.hidden = true;
    this.playView.hidden = true;
    this.menu.show(message);
    await match.session.leave();
  }

  /** An accepted "join other players" recommendation: leave this room for that one. */
  private async switchRoom(roomId: string, name: string): Promise<void> {
    await this.leave();
    try {
      await this.play({ kind: 'join', roomId }, name);
    } catch (err) {
      this.menu.show(`Could not join that room: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * The room's server drained or died: matchmake again (it lands on a live process) after a
   * random pause within REMATCH_SPREAD_MS, so a whole server's players do not arrive at once.
   * The player id goes along, so profile, history and sanctions follow the player.
   */
  private async rematch(name: string): Promise<void> {
    const match = this.match;
    if (!match) return;
    const request = { ...match.rejoin };
    await this.leave(STATUS_NOTICE.moving);
    for (let attempt = 1; ; attempt++) {
      await new Promise((r) => setTimeout(r, Math.random() * REMATCH_SPREAD_MS * attempt));
      try {
        return await this.play(request, name);
      } catch (err) {
        if (attempt === REMATCH_ATTEMPTS) {
          return this.menu.show(`The server restarted and no other room could be joined: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  }

  private showBreak(message: string): void {
    this.breakMessage.textContent = message;
    this.breakOverlay.hidden = false;
  }

  private testHook(): PulseArenaHook {
    const app = this;
    return Object.freeze({
      get renderer() { return rendererName(app.game); },
      get phase() { return app.match ? 'playing' as const : 'menu' as const; },
      get roomId() { return app.match?.session.roomId ?? null; },
      get sessionId() { return app.match?.session.sessionId ?? null; },
      get playerId() { return app.match?.session.playerId ?? null; },
      get connection() { return app.match?.session.status ?? 'closed'; },
      ownPosition: () => app.match?.netcode.predictor.position ?? null,
      players: () => {
        const out: ReturnType<PulseArenaHook['players']> = [];
        app.match?.session.state?.players.forEach((p, sessionId) => out.push({ sessionId, name: p.name, x: p.x, y: p.y }));
        return out;
      },
      chatLog: () => app.match?.chat.entries.map((e) => ({ ...e })) ?? [],
      profile: () => (app.lastProfile ? { ...app.lastProfile, probabilities: { ...app.lastProfile.probabilities } } : null),
      difficultyText: () => document.getElementById('hud-difficulty')?.textContent ?? '',
      why: () => app.match?.hud.whyText ?? '',
      recommendations: () => app.match?.toasts.visible() ?? [],
      recommendationHistory: () => app.match?.toasts.history.map((h) => ({ ...h })) ?? [],
    });
  }
}
