/**
 * A sanction and the player's other flags it answers are resolved in one transaction
 * (`Moderation.act` with resolveOthers, on PGlite and on PostgreSQL with TEST_DATABASE_URL):
 * when resolving a covered flag fails, the acted-on flag stays as it was and neither a
 * sanction nor an audit entry is kept; two moderators acting at once on two flags of one player are serialised (one
 * resolves all of them, the other is told the flag is resolved), never deadlocked.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationActionRequest } from '@pulse-arena/shared';
import type { Database } from '../../server/src/db/database.js';
import type { PipelineResult } from '../../server/src/moderation/chatPipeline.js';
import { ModerationError, type Moderation } from '../../server/src/moderation/moderation.js';
import { implementations } from '../db/helpers.js';
import { localModeration } from '../helpers/moderation.js';

for (const impl of implementations) {
  describe.skipIf(impl.skipReason !== undefined)(`a sanction and the flags it covers, together, on ${impl.name}`, () => {
    let db: Database;
    let dispose: () => Promise<void>;
    let moderation: Moderation;
    const matchStartedAt = new Date();
    const matchId = randomUUID();

    beforeAll(async () => {
      const made = await impl.create();
      dispose = made.dispose;
      db = await made.open();
      moderation = await localModeration(db.prisma);
    }, 60_000);

    afterAll(async () => {
      await db?.close();
      await dispose?.();
    });

    /** A masked line of `playerId`, flagged by the chat pipeline. */
    async function masked(playerId: string): Promise<string> {
      const result: PipelineResult = {
        decision: 'mask', shown: '***', stored: 'a rude line', filterHits: [], redacted: [], reason: 'test mask',
        scores: { sentiment: [0.1, 0.2, 0.7], toxicity: 0.8, scored: true },
      };
      const flag = await moderation.storeChat({
        id: randomUUID(), roomId: 'room-covered', matchId, matchStartedAt, playerId, name: `p-${playerId.slice(0, 4)}`, text: 'a rude line',
        createdAt: new Date(), decision: 'mask', held: false, filterHits: [], scores: { sentiment: [0.1, 0.2, 0.7], toxicity: 0.8, model: 'chat/v4' },
      }, result);
      return flag!.id;
    }

    const mute: ModerationActionRequest = { action: 'mute', note: 'cool off', durationSeconds: 600 };
    const statusOf = async (id: string) => (await db.prisma.flag.findUnique({ where: { id } }))!.status;
    const auditOf = (flagId: string) => db.prisma.moderationAction.findMany({ where: { flagId } });
    const sanctionsOf = async (playerId: string) => (await db.prisma.sanction.findMany({ where: { playerId } })).map((r) => r.kind);

    it('when a covered flag cannot be resolved, the acted-on flag is left as it was: no sanction, nothing logged', async () => {
      const player = randomUUID();
      const acted = await masked(player);
      const covered = await masked(player);
      // The database refuses to resolve the covered flag (as a crash between the two writes would stop it).
      await db.prisma.$executeRawUnsafe(`CREATE FUNCTION refuse_covered() RETURNS trigger AS $$ BEGIN
        IF NEW."id" = '${covered}'::uuid AND NEW."status" = 'resolved' THEN RAISE EXCEPTION 'refused in a test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await db.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_covered BEFORE UPDATE ON "Flag" FOR EACH ROW EXECUTE FUNCTION refuse_covered()`);
      try {
        await expect(moderation.act(acted, 'mia', mute)).rejects.toThrow(/refused in a test/);
      } finally {
        await db.prisma.$executeRawUnsafe('DROP TRIGGER refuse_covered ON "Flag"');
        await db.prisma.$executeRawUnsafe('DROP FUNCTION refuse_covered()');
      }
      expect([await statusOf(acted), await statusOf(covered)]).toEqual(['open', 'open']);
      expect([...await auditOf(acted), ...await auditOf(covered)]).toEqual([]);
      expect(await sanctionsOf(player)).toEqual([]);
      expect(moderation.sanctions.muteEnds(player, Date.now())).toBe(0);
      // Acted on again, both are resolved together.
      const result = await moderation.act(acted, 'mia', mute);
      expect(result.alsoResolved.map((f) => f.id)).toEqual([covered]);
      expect([await statusOf(acted), await statusOf(covered)]).toEqual(['resolved', 'resolved']);
      expect(await sanctionsOf(player)).toEqual(['mute']);
      expect(moderation.sanctions.muteEnds(player, Date.now())).toBeGreaterThan(Date.now());
    });

    it('two moderators acting at once on two flags of one player: one resolves them all, the other is told, no deadlock', async () => {
      const player = randomUUID();
      const flags = [await masked(player), await masked(player), await masked(player)];
      const [a, b] = await Promise.allSettled([
        moderation.act(flags[0]!, 'mia', mute),
        moderation.act(flags[1]!, 'max', { action: 'warn', note: 'language' }),
      ]);
      const won = [a, b].filter((r) => r.status === 'fulfilled');
      const lost = [a, b].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ModerationError);
      expect((lost[0]!.reason as ModerationError).status).toBe(409);
      for (const id of flags) {
        expect(await statusOf(id)).toBe('resolved');
        expect(await auditOf(id)).toHaveLength(1); // resolved once: by the action, or as covered by it
      }
      // Only the action that was carried out sanctioned the player.
      expect(await sanctionsOf(player)).toEqual([won[0] === a ? 'mute' : 'warning']);
    });
  });
}
