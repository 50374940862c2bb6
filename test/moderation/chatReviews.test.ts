/**
 * The chat model measured against the moderators who read its calls:
 * `GET /api/designer/models/chat/reviews` counts, per source (masked, held, blocked, flagged
 * for review, reported by a player) and band of the model's toxicity, the flags moderators
 * upheld (warn, mute, ban) or dismissed (dismiss, approve) in a window. Real flags and real
 * moderator actions through `Moderation`, on PGlite and on PostgreSQL (with TEST_DATABASE_URL), read over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDecision, ChatModelReviews, ModerationActionKind } from '@pulse-arena/shared';
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { Accounts } from '../../server/src/auth/accounts.js';
import type { Database } from '../../server/src/db/database.js';
import type { ChatStore, StoredChat } from '../../server/src/moderation/chatStore.js';
import type { PipelineResult } from '../../server/src/moderation/chatPipeline.js';
import type { Moderation } from '../../server/src/moderation/moderation.js';
import { implementations } from '../db/helpers.js';
import { localModeration } from '../helpers/moderation.js';

for (const impl of implementations) {
  describe.skipIf(impl.skipReason !== undefined)(`GET /api/designer/models/chat/reviews on ${impl.name}`, () => {
    let arena: BootedArena;
    let db: Database;
    let dispose: () => Promise<void>;
    let moderation: Moderation;
    let chat: ChatStore;
    let designer: string;
    let started: Date;

    beforeAll(async () => {
      const made = await impl.create();
      dispose = made.dispose;
      db = await made.open();
      const accounts = await Accounts.open(db.prisma);
      moderation = await localModeration(db.prisma);
      chat = moderation.chat;
      arena = await bootArena(null, { accounts, prisma: db.prisma, moderation });
      await accounts.create('dana', 'designer-password', 'designer');
      designer = (await accounts.login('dana', 'designer-password')).token;
      started = new Date(Date.now() - 1000);
    }, 60_000);

    afterAll(async () => {
      await arena?.shutdown();
      await db?.close();
      await dispose?.();
    });

    const matchId = randomUUID();
    const roomId = `room-${randomUUID()}`;

    /** A stored line by `playerId`, scored `toxicity` (null: the model could not score it). */
    function line(playerId: string, toxicity: number | null, decision: ChatDecision): StoredChat {
      return {
        id: randomUUID(), roomId, matchId, matchStartedAt: started, playerId, name: `p-${playerId.slice(0, 4)}`, text: 'a line',
        createdAt: new Date(), decision, held: decision === 'hold', filterHits: [],
        ...(toxicity !== null && { scores: { sentiment: [0.8, 0.1, 0.1] as const, toxicity, model: 'chat/v4' } }),
      };
    }

    /** The chat pipeline's flag for a line: masked, held, blocked, or allowed for review. */
    async function flagged(toxicity: number | null, decision: ChatDecision, playerId = randomUUID()): Promise<string> {
      const m = line(playerId, toxicity, decision);
      const result: PipelineResult = {
        decision, shown: decision === 'allow' ? m.text : '', stored: m.text, filterHits: [], redacted: [], reason: `test ${decision}`,
        scores: { sentiment: [0.8, 0.1, 0.1], toxicity: toxicity ?? 0, scored: toxicity !== null },
        ...(decision === 'allow' && { review: true as const }),
      };
      const flag = await moderation.storeChat(m, result);
      return flag!.id;
    }

    /** A delivered line a player reported. */
    async function reported(toxicity: number): Promise<string> {
      const m = line(randomUUID(), toxicity, 'allow');
      await chat.insert(m);
      const flag = await moderation.flagReport({
        messageId: m.id, reason: 'harassment', roomId, matchId, text: m.text,
        reported: { playerId: m.playerId, name: m.name }, reporter: { playerId: randomUUID(), name: 'reporter' },
      });
      return flag.id;
    }

    async function act(flagId: string, action: ModerationActionKind): Promise<void> {
      await moderation.act(flagId, 'mia', { action, note: `${action} in a test`, ...(action === 'mute' && { durationSeconds: 600 }) });
    }

    async function reviews(query: string): Promise<Response> {
      return fetch(`${arena.http}/api/designer/models/chat/reviews?${query}`, { headers: { authorization: `Bearer ${designer}` } });
    }


    it('counts what moderators upheld and dismissed, by source and toxicity band; a flag closed with another is left out', async () => {
      await act(await flagged(0.93, 'hold'), 'warn');
      await act(await flagged(0.91, 'hold'), 'approve');
      await act(await flagged(null, 'hold'), 'dismiss'); // scored by nobody: the model was down
      await act(await flagged(0.97, 'block'), 'dismiss');
      await act(await flagged(0.81, 'mask'), 'dismiss');
      await act(await flagged(0.78, 'mask'), 'mute');
      await act(await flagged(0.85, 'allow'), 'dismiss');
      await act(await reported(0.12), 'ban'); // the model let it through; a player and a moderator did not
      // Two masked lines of one player: the warning on the first closes the second with it, unread.
      const repeat = randomUUID();
      const first = await flagged(0.8, 'mask', repeat);
      const closedWith = await flagged(0.82, 'mask', repeat);
      await act(first, 'warn');
      expect((await db.prisma.flag.findUnique({ where: { id: closedWith } }))?.status).toBe('resolved');
      // Escalated, not resolved: no verdict yet.
      await act(await flagged(0.95, 'hold'), 'escalate');

      const res = await reviews(`since=${started.toISOString()}&until=${new Date(Date.now() + 1000).toISOString()}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as ChatModelReviews;
      expect(body.bySource).toEqual([
        { source: 'block', upheld: 0, dismissed: 1, upheldRate: 0 },
        { source: 'hold', upheld: 1, dismissed: 2, upheldRate: 1 / 3 },
        { source: 'mask', upheld: 2, dismissed: 1, upheldRate: 2 / 3 },
        { source: 'review', upheld: 0, dismissed: 1, upheldRate: 0 },
        { source: 'report', upheld: 1, dismissed: 0, upheldRate: 1 },
      ]);
      expect(body.rows).toEqual([
        { source: 'block', toxicityFrom: 0.9, upheld: 0, dismissed: 1 },
        { source: 'hold', toxicityFrom: null, upheld: 0, dismissed: 1 },
        { source: 'hold', toxicityFrom: 0.9, upheld: 1, dismissed: 1 },
        { source: 'mask', toxicityFrom: 0.7, upheld: 1, dismissed: 0 },
        { source: 'mask', toxicityFrom: 0.8, upheld: 1, dismissed: 1 },
        { source: 'review', toxicityFrom: 0.8, upheld: 0, dismissed: 1 },
        { source: 'report', toxicityFrom: 0.1, upheld: 1, dismissed: 0 },
      ]);

      // Outside the window: nothing.
      const before = (await (await reviews(`since=${new Date(started.getTime() - 3600_000).toISOString()}&until=${started.toISOString()}`)).json()) as ChatModelReviews;
      expect(before).toMatchObject({ bySource: [], rows: [] });
    });

    it('refuses a bad window with the reason, and anyone but a designer or admin', async () => {
      const bad = await reviews('since=yesterday');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: 'since: must be an ISO date-time' });
      expect((await fetch(`${arena.http}/api/designer/models/chat/reviews`)).status).toBe(401);
    });
  });
}
