/** The lobby: the list of open arena rooms the server publishes at `GET /api/rooms`. */
import type { LobbyRecommendations, RoomListing, ServerCapacity } from '@pulse-arena/shared';

export type { RoomListing, ServerCapacity };

function isRoomListing(v: unknown): v is RoomListing {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.roomId === 'string' && typeof r.roomName === 'string'
    && typeof r.clients === 'number' && typeof r.maxClients === 'number' && typeof r.wave === 'number';
}

/**
 * Fetches the open rooms from the same origin that served the page.
 * @throws Error when the server answers with a non-2xx status or a body that is not a room list.
 */
export async function fetchRooms(signal?: AbortSignal): Promise<RoomListing[]> {
  const res = await fetch('/api/rooms', { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`room list: HTTP ${res.status}`);
  const body: unknown = await res.json();
  if (!Array.isArray(body)) throw new Error('room list: expected an array');
  return body.filter(isRoomListing);
}

/**
 * Whether the server has a place for a new player now (`GET /api/capacity`).
 * @throws Error on a non-2xx answer or a body of the wrong shape.
 */
export async function fetchCapacity(signal?: AbortSignal): Promise<ServerCapacity> {
  const res = await fetch('/api/capacity', { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`capacity: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<ServerCapacity> | null;
  if (!body || typeof body.full !== 'boolean' || typeof body.players !== 'number') throw new Error('capacity: unexpected body');
  return { full: body.full, players: body.players, maxPlayers: typeof body.maxPlayers === 'number' ? body.maxPlayers : null };
}

/**
 * The lobby's recommendations for this player (by guest id, when the browser kept one).
 * @throws Error on a non-2xx answer or a body of the wrong shape.
 */
export async function fetchRecommendations(playerId: string | undefined, signal?: AbortSignal): Promise<LobbyRecommendations> {
  const query = playerId ? `?playerId=${encodeURIComponent(playerId)}` : '';
  const res = await fetch(`/api/recommendations${query}`, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`recommendations: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<LobbyRecommendations> | null;
  if (!body || !Array.isArray(body.rooms)) throw new Error('recommendations: unexpected body');
  return { mode: body.mode ?? null, loadout: body.loadout ?? null, rooms: body.rooms };
}
