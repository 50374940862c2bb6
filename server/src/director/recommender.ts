/**
 * Recommendations that need more than one room's view: which open rooms are worth joining
 * (for the in-game "room" recommendation and the lobby), and a returning player's mode and
 * loadout from what the director learnt about them last time.
 */
import { matchMaker } from '@colyseus/core';
import {
  ARENA_ROOM, type ArenaMetadata, type LobbyAdvice, type LobbyRecommendations, type Loadout, type Mode,
} from '@pulse-arena/shared';
import type { RoomFinder } from './roomDirector.js';

interface OpenRoom { roomId: string; roomName: string; clients: number; maxClients: number; difficulty: number }

/** How often the cached room list is refreshed: the tick reads the cache, never the matchmaker. */
const REFRESH_MS = 2000;

/** Keeps a fresh list of open rooms in memory so rooms can pick one synchronously. */
export class OpenRooms implements RoomFinder {
  private rooms: OpenRoom[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<OpenRoom[]> {
    try {
      const rooms = await matchMaker.query({ name: ARENA_ROOM, private: false });
      this.rooms = rooms.filter((r) => !r.locked && r.clients < r.maxClients).map((r) => {
        const meta = r.metadata as Partial<ArenaMetadata> | undefined;
        return {
          roomId: r.roomId, roomName: meta?.roomName ?? r.roomId, clients: r.clients, maxClients: r.maxClients,
          difficulty: meta?.difficulty ?? 0.5,
        };
      });
    } catch {
      // Keep the last list; the matchmaker (e.g. Redis) will answer again.
    }
    return this.rooms;
  }

  /** Rooms with other players and a free seat, closest in difficulty first. */
  ranked(difficulty: number, excludeRoomId?: string): Array<OpenRoom & { why: string }> {
    return this.rooms
      .filter((r) => r.roomId !== excludeRoomId && r.clients > 0)
      .map((r) => ({ r, score: Math.abs(r.difficulty - difficulty) - 0.05 * r.clients }))
      .sort((a, b) => a.score - b.score)
      .map(({ r }) => ({
        ...r,
        why: `${r.clients} player${r.clients === 1 ? '' : 's'}, difficulty ${Math.round(r.difficulty * 100)}% (yours ${Math.round(difficulty * 100)}%)`,
      }));
  }

  suggest(excludeRoomId: string, difficulty: number): { roomId: string; roomName: string } | null {
    const best = this.ranked(difficulty, excludeRoomId)[0];
    return best ? { roomId: best.roomId, roomName: best.roomName } : null;
  }
}

export interface StoredProfile {
  mode: string;
  loadout: string;
  style: Record<string, number>;
  difficulty: number;
}

/** The lobby's suggestions for a player, from their stored profile (null: never seen). */
export function lobbyRecommendations(profile: StoredProfile | null, rooms: OpenRooms): LobbyRecommendations {
  const difficulty = profile?.difficulty ?? 0.5;
  const out: LobbyRecommendations = {
    mode: null, loadout: null,
    rooms: rooms.ranked(difficulty).slice(0, 3).map(({ roomId, roomName, clients, why }) => ({ roomId, roomName, clients, why })),
  };
  if (!profile) return out;
  const style = profile.style;
  const top = Object.entries(style).sort(([, a], [, b]) => b - a)[0];
  const mode: Mode = (style.novice ?? 0) >= 0.4 || difficulty < 0.3 ? 'casual'
    : (style.aggressive ?? 0) >= 0.5 && difficulty > 0.6 ? 'hardcore' : 'standard';
  out.mode = {
    value: mode,
    why: top ? `last time you played mostly ${top[0]} (${Math.round(top[1] * 100)}%) at difficulty ${Math.round(difficulty * 100)}%` : 'from your last match',
  };
  const loadout: Loadout = (style.evasive ?? 0) >= 0.5 ? 'rapid' : (style.aggressive ?? 0) >= 0.5 ? 'heavy' : (profile.loadout as Loadout);
  out.loadout = {
    value: loadout,
    why: loadout === profile.loadout ? 'what you used last time' : `suits ${loadout === 'rapid' ? 'kiting' : 'aggressive'} play`,
  };
  return out;
}

/** Recommendation kinds the lobby's suggestions are recorded under (the director's have no prefix). */
export const LOBBY_KIND_PREFIX = 'lobby:';

/** One lobby suggestion as recorded: what it was and whether the player took it. */
export interface LobbyOutcome {
  kind: `${typeof LOBBY_KIND_PREFIX}${'mode' | 'loadout' | 'room'}`;
  value: string;
  accepted: boolean;
}

/**
 * Which of the suggestions on screen at join the player took: the mode and weapon they
 * joined with (defaults when they sent none), and whether the room is one the lobby named.
 */
export function lobbyOutcomes(advice: LobbyAdvice, chosen: { mode: Mode; loadout: Loadout; roomId: string }): LobbyOutcome[] {
  const out: LobbyOutcome[] = [];
  if (advice.mode) out.push({ kind: `${LOBBY_KIND_PREFIX}mode`, value: advice.mode, accepted: chosen.mode === advice.mode });
  if (advice.loadout) out.push({ kind: `${LOBBY_KIND_PREFIX}loadout`, value: advice.loadout, accepted: chosen.loadout === advice.loadout });
  if (advice.roomIds?.length) {
    out.push({ kind: `${LOBBY_KIND_PREFIX}room`, value: advice.roomIds.join(' '), accepted: advice.roomIds.includes(chosen.roomId) });
  }
  return out;
}
