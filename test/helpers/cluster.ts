/**
 * Helpers for tests with several server processes: which rooms a process holds, placing
 * players until one lands on a given process, and an admin's API headers.
 */
import type { ServerProcess } from './serverProcess.js';

/** Ids of the rooms running in this process (from its /health). */
export async function localRooms(s: ServerProcess): Promise<string[]> {
  return ((await (await fetch(`${s.url}/health`)).json()) as { process: { roomIds: string[] } }).process.roomIds;
}

/**
 * Creates players through `join` (each in a new room) until one's room runs on each of
 * `targets`, at most `tries` players; returns the first player found on each (undefined
 * where none landed). A new room goes to the process with the fewest rooms as last
 * reported to Redis, so a short pause between creations spreads them.
 */
export async function placeOn<P extends { room: { roomId: string } }>(
  join: (i: number) => Promise<P>, targets: ServerProcess[], tries = 8,
): Promise<Array<P | undefined>> {
  const found: Array<P | undefined> = targets.map(() => undefined);
  for (let i = 0; i < tries && found.some((f) => f === undefined); i++) {
    const p = await join(i);
    for (const [k, t] of targets.entries()) if (!found[k] && (await localRooms(t)).includes(p.room.roomId)) found[k] = p;
    await new Promise((r) => setTimeout(r, 300));
  }
  return found;
}

/** Logs `username` in on `s`; returns headers for JSON API calls as that user. */
export async function staffHeaders(s: ServerProcess, username: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${s.url}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} on ${s.url}: ${res.status}`);
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}`, 'content-type': 'application/json' };
}
