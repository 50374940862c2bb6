import type {
  DecisionRow, DirectorSampleRow, PlayerProfileRow, RecommendationOutcomeRow, RecommendationRow,
} from '../db/writeBehind.js';

/**
 * What a room writes about a match. The write-behind queue (db/writeBehind.ts) implements
 * it; every call is synchronous and O(1) so a tick never waits on the database. (Chat is
 * not here: it is stored durably, before delivery, by moderation/chatStore.ts.)
 */
export interface GameRecorder {
  /** `networkKey`: guests only, the keyed hash of their network (a ban can close it to guests). */
  upsertPlayer(row: { id: string; name: string; seenAt: Date; networkKey?: string | null }): void;
  startMatch(row: { id: string; roomId: string; startedAt: Date }): void;
  joinMatch(row: { matchId: string; playerId: string; name: string; joinedAt: Date }): void;
  updateMatchPlayer(row: {
    matchId: string; playerId: string; score: number; kills: number; deaths: number; leftAt?: Date;
  }): void;
  endMatch(row: { id: string; endedAt: Date; wavesReached: number; score: number }): void;
  /** The director's input and output for one room-second (what the dry run replays). */
  recordDirectorSample(row: DirectorSampleRow): void;
  recordDecision(row: DecisionRow): void;
  recordRecommendation(row: RecommendationRow): void;
  resolveRecommendation(row: RecommendationOutcomeRow): void;
  saveProfile(row: PlayerProfileRow): void;
}
