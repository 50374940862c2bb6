/**
 * Durable chat: a message is committed to the database before its sender is told it was
 * sent (and a flagged one, with its flag, before anyone sees it), so a crash can never lose
 * a message that was acknowledged.
 * (Game rows go through the write-behind queue; chat is the exception because players and
 * moderators rely on it.) The player and match rows the message refers to are inserted in
 * the same statement if the queue has not written them yet.
 */
import type { ChatDecision, ChatLine } from '@pulse-arena/shared';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

/** A Flag row (a chat line the pipeline did not simply allow is stored with one). */
export type FlagRow = Prisma.FlagGetPayload<object>;

export interface StoredChat {
  id: string;
  roomId: string;
  matchId: string;
  matchStartedAt: Date;
  playerId: string;
  name: string;
  /** Redacted of personal data. */
  text: string;
  createdAt: Date;
  decision: ChatDecision;
  held: boolean;
  filterHits: string[];
  /** Absent when the model could not score it. */
  scores?: { sentiment: readonly [number, number, number]; toxicity: number; model: string };
}

type Row = { id: string; name: string; playerId: string | null; text: string; createdAt: Date; decision: string; held: boolean };

/**
 * The INSERT of one flag. JSON columns go as text serialised here: Prisma's own create walks
 * every value in JavaScript, and a behavior flag carries a whole input window.
 */
export function insertFlagSql(flag: FlagRow): Prisma.Sql {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const at = (d: Date | null) => (d ? d.toISOString() : null);
  return Prisma.sql`
    INSERT INTO "Flag" ("id", "kind", "severity", "status", "reason", "playerId", "playerName", "roomId", "matchId", "messageId",
      "scores", "filterHits", "decision", "evidence", "assignee", "createdAt", "updatedAt", "resolvedAt")
    VALUES (${flag.id}::uuid, ${flag.kind}, ${flag.severity}, ${flag.status}, ${flag.reason}, ${flag.playerId}::uuid, ${flag.playerName},
      ${flag.roomId}, ${flag.matchId}::uuid, ${flag.messageId}::uuid, ${json(flag.scores)}::jsonb, ${json(flag.filterHits)}::jsonb,
      ${flag.decision}, ${json(flag.evidence)}::jsonb, ${flag.assignee}, ${at(flag.createdAt)}::timestamp(3), ${at(flag.updatedAt)}::timestamp(3),
      ${at(flag.resolvedAt)}::timestamp(3))`;
}

export function chatLine(r: Row): ChatLine {
  return {
    id: r.id, name: r.name, playerId: r.playerId, text: r.text, createdAt: r.createdAt.toISOString(),
    decision: r.decision as ChatDecision, held: r.held,
  };
}

export class ChatStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Commits one message and, when given, its flag: one statement, so one round trip, and a
   * flagged line never exists without its flag. @throws the database error (the caller refuses the message).
   */
  async insert(m: StoredChat, flag?: FlagRow): Promise<void> {
    const s = m.scores;
    const at = m.createdAt.toISOString();
    const flagged = flag ? Prisma.sql`, f AS (${insertFlagSql(flag)})` : Prisma.empty;
    await this.prisma.$executeRaw`
      WITH p AS (
        INSERT INTO "Player" ("id", "name", "createdAt", "lastSeenAt") VALUES (${m.playerId}::uuid, ${m.name}, ${at}::timestamp(3), ${at}::timestamp(3))
        ON CONFLICT ("id") DO NOTHING
      ), mt AS (
        INSERT INTO "Match" ("id", "roomId", "startedAt") VALUES (${m.matchId}::uuid, ${m.roomId}, ${m.matchStartedAt.toISOString()}::timestamp(3))
        ON CONFLICT ("id") DO NOTHING
      )${flagged}
      INSERT INTO "ChatMessage" ("id", "roomId", "matchId", "playerId", "name", "text", "createdAt",
        "sentimentNegative", "sentimentNeutral", "sentimentPositive", "toxicity", "scoredBy", "decision", "held", "filterHits")
      VALUES (${m.id}::uuid, ${m.roomId}, ${m.matchId}::uuid, ${m.playerId}::uuid, ${m.name}, ${m.text}, ${at}::timestamp(3),
        ${s?.sentiment[0] ?? null}, ${s?.sentiment[1] ?? null}, ${s?.sentiment[2] ?? null}, ${s?.toxicity ?? null}, ${s?.model ?? null},
        ${m.decision}, ${m.held}, ${JSON.stringify(m.filterHits)}::jsonb)
      ON CONFLICT ("id") DO NOTHING`;
  }

  /** A held message was approved: it is delivered from now on. Returns it, or null when it is not held. */
  async release(id: string): Promise<(ChatLine & { roomId: string }) | null> {
    const rows = await this.prisma.chatMessage.updateManyAndReturn({ where: { id, held: true }, data: { held: false } });
    const r = rows[0];
    return r ? { ...chatLine(r), roomId: r.roomId } : null;
  }

  /** Up to `n` messages of the room before and after `at` (the flagged one included), oldest first. */
  async around(roomId: string, at: Date, n = 10): Promise<ChatLine[]> {
    const [before, after] = await Promise.all([
      this.prisma.chatMessage.findMany({ where: { roomId, createdAt: { lte: at } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: n + 1 }),
      this.prisma.chatMessage.findMany({ where: { roomId, createdAt: { gt: at } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: n }),
    ]);
    return [...before.reverse(), ...after].map(chatLine);
  }

  /** A player's latest messages, oldest first. */
  async ofPlayer(playerId: string, n = 50): Promise<ChatLine[]> {
    const rows = await this.prisma.chatMessage.findMany({ where: { playerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: n });
    return rows.reverse().map(chatLine);
  }

  /**
   * Deletes chat older than `days`, except messages an unresolved flag points at (the
   * evidence a moderator still needs). Returns how many were deleted.
   */
  async expire(days: number, now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - days * 86400_000);
    return this.prisma.$executeRaw`
      DELETE FROM "ChatMessage" c WHERE c."createdAt" < ${cutoff.toISOString()}::timestamp(3)
        AND NOT EXISTS (SELECT 1 FROM "Flag" f WHERE f."messageId" = c."id" AND f."status" <> 'resolved')`;
  }
}
