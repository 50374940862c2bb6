/**
 * The most players one server process takes (`MAX_PLAYERS`). Past the point where the
 * machine saturates, every extra player makes the game worse for all of them (late
 * patches, a lagging event loop); a process at its limit refuses new players with a clear
 * "server full" instead, so those already playing keep their tick and patch rates.
 *
 * A player counts from the moment their join is admitted (before they have a seat, so
 * concurrent joins cannot overshoot) until they leave; a dropped player waiting for a
 * reconnection keeps their place, and a reconnection is never refused.
 *
 * In scale-out mode the cluster routes around a full process: its rooms are locked while it
 * is full (so matchmaking seats players elsewhere), and new rooms are created on a process
 * under the limit ({@link roomPlacement}; every process is expected to have the same limit).
 */
import { matchMaker } from '@colyseus/core';
import type { ServerCapacity } from '@pulse-arena/shared';

/** How long an admitted join may take to become a seat before its place is given back. */
export const ADMISSION_TIMEOUT_MS = 30_000;

export class PlayerCapacity {
  /** Admitted joins not seated yet: session id → when admitted (ms). */
  private readonly admitting = new Map<string, number>();
  /** Joins refused because the process was full (the /metrics counter). */
  refused = 0;

  /**
   * @param limit players at most, or null for no limit
   * @param seated players holding a seat in this process's rooms now
   * @throws RangeError if `limit` is not a positive integer or null
   */
  constructor(readonly limit: number | null, private readonly seated: () => number) {
    if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`limit must be a positive integer or null, got ${limit}`);
  }

  /** Players in this process: seated ones and joins admitted but not seated yet. */
  players(now: number): number {
    for (const [sessionId, at] of this.admitting) if (now - at > ADMISSION_TIMEOUT_MS) this.admitting.delete(sessionId);
    return this.seated() + this.admitting.size;
  }

  /** At its limit: a new player would be refused. */
  full(now: number): boolean {
    return this.limit !== null && this.players(now) >= this.limit;
  }

  /** Takes a place for a joining session; false (and counted) when the process is full. */
  admit(sessionId: string, now: number): boolean {
    if (this.full(now)) {
      this.refused++;
      return false;
    }
    this.admitting.set(sessionId, now);
    return true;
  }

  /** The session got its seat (it is counted as seated now) or will not get one. */
  settle(sessionId: string): void {
    this.admitting.delete(sessionId);
  }
}

/**
 * Where Colyseus creates a new room: as it does by default, the process with the fewest
 * rooms, but only among processes under `limit` players (as they last reported, at most a
 * second old); this process when all are full (its rooms then refuse with "server full").
 * Undefined without a limit: Colyseus's own choice.
 */
export function roomPlacement(limit: number | null): matchMaker.SelectProcessIdCallback | undefined {
  if (limit === null) return undefined;
  return async () => {
    const open = (await matchMaker.stats.fetchAll()).filter((p) => p.ccu < limit).sort((a, b) => a.roomCount - b.roomCount);
    return open[0]?.processId ?? matchMaker.processId;
  };
}

/**
 * Whether the deployment has a place for a new player: this process as it counts now, the
 * others as they last reported to presence (their stats, at most a second old). With one
 * process, that is this process alone.
 */
export async function deploymentCapacity(local: PlayerCapacity, now: number): Promise<ServerCapacity> {
  const limit = local.limit;
  const others = (await matchMaker.stats.fetchAll()).filter((p) => p.processId !== matchMaker.processId);
  return {
    full: local.full(now) && others.every((p) => p.ccu >= limit!),
    players: local.players(now) + others.reduce((n, p) => n + p.ccu, 0),
    maxPlayers: limit === null ? null : limit * (others.length + 1),
  };
}
