import { isUuid } from '@pulse-arena/shared';
import type { ChatMessage, Match, MatchPlayer, Player, PrismaClient } from '../generated/prisma/client.js';

export type { ChatMessage, Match, MatchPlayer, Player };
export type MatchWithPlayers = Match & { players: MatchPlayer[] };

/** Read side of persistence, for the API, moderation and tests. */
export interface Queries {
  /**
   * The latest `limit` (default 50, at most 500) messages of a room, oldest first.
   * @throws {RangeError} when `limit` is not an integer from 1 to 500.
   */
  recentChat(roomId: string, limit?: number): Promise<ChatMessage[]>;
  /**
   * A player's latest `limit` messages across rooms, oldest first (moderation context).
   * @throws {RangeError} when `limit` is not an integer from 1 to 500.
   */
  playerChat(playerId: string, limit?: number): Promise<ChatMessage[]>;
  /** A match with its players in join order; null when unknown (or `id` is not a UUID). */
  getMatch(id: string): Promise<MatchWithPlayers | null>;
  /** A player; null when unknown (or `id` is not a UUID). */
  getPlayer(id: string): Promise<Player | null>;
}

const MAX_LIMIT = 500;

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT} (got ${limit})`);
  }
  return limit;
}

/**
 * Binds the read queries to a client. Database errors reach the caller as Prisma raises them.
 */
export function createQueries(prisma: PrismaClient): Queries {
  return {
    async recentChat(roomId, limit = 50) {
      const rows = await prisma.chatMessage.findMany({
        where: { roomId },
        // id breaks ties between messages of the same millisecond, so pages are stable
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: checkLimit(limit),
      });
      return rows.reverse();
    },
    async playerChat(playerId, limit = 50) {
      const take = checkLimit(limit);
      if (!isUuid(playerId)) return [];
      const rows = await prisma.chatMessage.findMany({
        where: { playerId: playerId.toLowerCase() },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take,
      });
      return rows.reverse();
    },
    async getMatch(id) {
      if (!isUuid(id)) return null;
      return prisma.match.findUnique({
        where: { id: id.toLowerCase() },
        include: { players: { orderBy: [{ joinedAt: 'asc' }, { playerId: 'asc' }] } },
      });
    },
    async getPlayer(id) {
      if (!isUuid(id)) return null;
      return prisma.player.findUnique({ where: { id: id.toLowerCase() } });
    },
  };
}
