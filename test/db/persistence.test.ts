// One suite, run against the embedded PGlite and against a real PostgreSQL
// (TEST_DATABASE_URL). Each implementation is initialised once per file: a
// fresh PGlite folder costs seconds.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RECOMMENDATION_OUTCOMES, type RecommendationOutcome } from '@pulse-arena/shared';
import { deployWithPrismaEngine } from '../../prisma/migrations-tool.js';
import { DataDirInUseError, type Database } from '../../server/src/db/database.js';
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, migrationChecksum, MigrationError, readMigrations } from '../../server/src/db/migrate.js';
import { createQueries } from '../../server/src/db/queries.js';
import { poolSqlClient, sql } from '../../server/src/db/sql.js';
import { WriteBehindQueue, type WriteBehindEvent } from '../../server/src/db/writeBehind.js';
import { endpointOf, implementations, OutageProxy } from './helpers.js';

const run = promisify(execFile);
const DATABASE_TS = fileURLToPath(new URL('../../server/src/db/database.ts', import.meta.url));
const SETUP_TIMEOUT = 120_000; // a fresh PGlite folder takes 3-20 s on a busy 2-core machine
const at = (s: number) => new Date(Date.UTC(2026, 10, 28, 12, 0, s));

for (const impl of implementations) {
  // Said out loud: a skipped implementation is easy to miss in a summary line.
  if (impl.skipReason) console.warn(`[test/db] ${impl.name} skipped: ${impl.skipReason}`);
  describe.skipIf(impl.skipReason !== undefined)(impl.skipReason ? `${impl.name} — skipped: ${impl.skipReason}` : impl.name, () => {
    let created: Awaited<ReturnType<typeof impl.create>>;
    let db: Database;
    let firstOpenMs = 0;

    /** Close and open again: a server restart. */
    async function reopen(): Promise<Database> {
      await db.close();
      db = await created.open();
      return db;
    }

    function queue(client = db.sql, events: WriteBehindEvent[] = []) {
      // Long interval: the tests flush explicitly unless they test the timer.
      return new WriteBehindQueue(client, { flushIntervalMs: 60_000, onEvent: (e) => events.push(e) });
    }

    beforeAll(async () => {
      created = await impl.create();
      const t0 = performance.now();
      db = await created.open();
      firstOpenMs = performance.now() - t0;
    }, SETUP_TIMEOUT);

    afterAll(async () => {
      await db?.close();
      await created?.dispose();
    }, SETUP_TIMEOUT);

    it('applies the committed migrations to an empty database, and nothing on the next start', async () => {
      const migrations = await readMigrations();
      expect(migrations.length).toBeGreaterThan(0);
      expect(db.kind).toBe(impl.kind);
      expect(db.appliedMigrations).toEqual(migrations.map((m) => m.name));
      console.info(`[${impl.name}] first open + migrate: ${Math.round(firstOpenMs)} ms`);

      const t0 = performance.now();
      await reopen();
      console.info(`[${impl.name}] reopen: ${Math.round(performance.now() - t0)} ms`);
      expect(db.appliedMigrations).toEqual([]);
      expect(await db.ping()).toBe(true);

      // Rows as `prisma migrate deploy` writes them.
      const rows = await db.prisma.$queryRaw<
        { id: string; checksum: string; migration_name: string; logs: string | null; rolled_back_at: Date | null; started_at: Date; finished_at: Date | null; applied_steps_count: number }[]
      >`SELECT * FROM _prisma_migrations ORDER BY started_at`;
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      for (const [i, r] of rows.entries()) {
        const file = await readFile(join(DEFAULT_MIGRATIONS_DIR, r.migration_name, 'migration.sql'), 'utf8');
        expect(r.checksum).toBe(migrationChecksum(file));
        expect(r.checksum).toBe(migrations[i]!.checksum);
        expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(r.logs).toBeNull();
        expect(r.rolled_back_at).toBeNull();
        expect(r.applied_steps_count).toBe(1);
        expect(r.finished_at!.getTime()).toBeGreaterThanOrEqual(r.started_at.getTime());
      }
    }, SETUP_TIMEOUT);

    it("leaves nothing for Prisma's own migration engine to apply", async () => {
      const ep = endpointOf(db);
      const connection = ep.path
        ? { host: join(ep.path, '..'), port: ep.port, user: ep.user, database: ep.database }
        : { host: ep.host, port: ep.port, user: ep.user, database: ep.database };
      expect(await deployWithPrismaEngine(connection)).toEqual([]);
    }, SETUP_TIMEOUT);

    it('rolls back a failing migration, records it as Prisma does, and refuses to go on until resolved', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pulse-test-migrations-'));
      try {
        await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
        await mkdir(join(dir, '29990101000000_broken'));
        // BEGIN;/COMMIT; lines must not commit half a migration.
        await writeFile(
          join(dir, '29990101000000_broken', 'migration.sql'),
          'BEGIN;\nCREATE TABLE "Half" ("id" INTEGER);\nCOMMIT;\nSELECT 1 / 0;\n',
        );
        const ep = endpointOf(db);
        const connection = ep.path
          ? { host: join(ep.path, '..'), port: ep.port, user: ep.user, database: ep.database }
          : { host: ep.host, port: ep.port, user: ep.user, database: ep.database };

        await expect(applyMigrations(connection, { migrationsDir: dir })).rejects.toThrow(/29990101000000_broken[\s\S]*22012[\s\S]*division by zero/);
        const half = await db.prisma.$queryRaw<{ t: string | null }[]>`SELECT to_regclass('"Half"')::text AS t`;
        expect(half[0]!.t).toBeNull();
        const failed = await db.prisma.$queryRaw<{ id: string; logs: string; finished_at: Date | null; applied_steps_count: number }[]>`
          SELECT id, logs, finished_at, applied_steps_count FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`;
        expect(failed).toHaveLength(1);
        expect(failed[0]!.finished_at).toBeNull();
        expect(failed[0]!.applied_steps_count).toBe(0);

        // Even the unchanged folder is refused now, as `migrate deploy` refuses (P3009)...
        const refused = applyMigrations(connection);
        await expect(refused).rejects.toBeInstanceOf(MigrationError);
        await expect(refused).rejects.toThrow(/failed migrations[\s\S]*UPDATE _prisma_migrations SET rolled_back_at = now\(\)/);
        // ...until resolved the way the message says.
        await db.prisma.$executeRawUnsafe(`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = '${failed[0]!.id}'`);
        expect(await applyMigrations(connection)).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, SETUP_TIMEOUT);

    it.skipIf(impl.kind === 'pglite')('waits for the migration lock another process holds (PGlite: one session, nothing to exclude)', async () => {
      const ep = endpointOf(db);
      const holder = new pg.Client({ host: ep.host, port: ep.port, user: ep.user, database: ep.database });
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock(72707369)');
        const connection = { host: ep.host, port: ep.port, user: ep.user, database: ep.database };
        await expect(applyMigrations(connection, { lockTimeoutMs: 300 })).rejects.toThrow(/waiting for the migration lock/);
        await holder.query('SELECT pg_advisory_unlock(72707369)');
        expect(await applyMigrations(connection, { lockTimeoutMs: 300 })).toEqual([]);
      } finally {
        await holder.end();
      }
    });

    it("writes a match, its players and the director's rows through the queue; they read back after flush", async () => {
      const q = queue();
      const matchId = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];
      const roomId = `room-${randomUUID()}`;
      q.upsertPlayer({ id: alice, name: 'alice', seenAt: at(0) });
      q.upsertPlayer({ id: bob, name: 'bob', seenAt: at(0) });
      q.startMatch({ id: matchId, roomId, startedAt: at(0) });
      q.joinMatch({ matchId, playerId: alice, name: 'alice', joinedAt: at(1) });
      q.joinMatch({ matchId, playerId: bob, name: 'bob', joinedAt: at(2) });
      const rec = { matchId, roomId, kind: 'loadout', value: 'spread', decisionId: null };
      q.recordRecommendation({ ...rec, id: randomUUID(), playerId: alice, message: 'hi', createdAt: at(3) });
      q.recordRecommendation({ ...rec, id: randomUUID(), playerId: bob, message: 'hello', createdAt: at(4) });
      q.updateMatchPlayer({ matchId, playerId: alice, score: 10, kills: 1, deaths: 0 });
      q.updateMatchPlayer({ matchId, playerId: alice, score: 30, kills: 3, deaths: 1 });
      q.updateMatchPlayer({ matchId, playerId: bob, score: 5, kills: 0, deaths: 2, leftAt: at(5) });
      q.upsertPlayer({ id: bob, name: 'bobby', seenAt: at(6) });
      expect(q.stats().queued).toBe(11);

      await q.flush();
      const queries = createQueries(db.prisma);
      const match = await queries.getMatch(matchId);
      expect(match).toMatchObject({ id: matchId, roomId, startedAt: at(0), endedAt: null, wavesReached: 0, score: 0 });
      expect(match!.players.map((p) => [p.name, p.score, p.kills, p.deaths, p.joinedAt, p.leftAt])).toEqual([
        ['alice', 30, 3, 1, at(1), null],
        ['bob', 5, 0, 2, at(2), at(5)],
      ]);
      expect(await queries.getPlayer(bob)).toMatchObject({ name: 'bobby', createdAt: at(0), lastSeenAt: at(6) });

      // Second batch: Bob rejoins (clears leftAt), the match ends, a room-wide decision.
      q.joinMatch({ matchId, playerId: bob, name: 'bobby', joinedAt: at(7) });
      q.recordDecision({ id: randomUUID(), at: at(8), roomId, matchId, playerId: null, ruleSetVersion: 1, ruleId: 'wave 3', kind: 'activate', inputs: {}, changes: {} });
      q.endMatch({ id: matchId, endedAt: at(9), wavesReached: 3, score: 35 });
      await q.flush();

      const ended = await queries.getMatch(matchId.toUpperCase());
      expect(ended).toMatchObject({ endedAt: at(9), wavesReached: 3, score: 35 });
      expect(ended!.players[1]).toMatchObject({ name: 'bobby', score: 5, joinedAt: at(2), leftAt: null });
      const recs = await db.prisma.recommendation.findMany({ where: { matchId }, orderBy: { createdAt: 'asc' } });
      expect(recs.map((r) => [r.playerId, r.roomId, r.kind, r.value, r.decisionId, r.message, r.createdAt, r.outcome])).toEqual([
        [alice, roomId, 'loadout', 'spread', null, 'hi', at(3), null],
        [bob, roomId, 'loadout', 'spread', null, 'hello', at(4), null],
      ]);
      expect(await db.prisma.directorDecision.findMany({ where: { matchId } })).toMatchObject([{ at: at(8), playerId: null, ruleId: 'wave 3' }]);
      expect(await queries.getMatch('not-a-uuid')).toBeNull();

      expect(q.stats()).toMatchObject({ queued: 0, written: 14, failed: 0, dropped: 0, rejected: 0 });
      expect(q.stats().lastFlushMs).toBeGreaterThan(0);
      await q.close();
    });

    it("reads a room's and a player's latest chat, oldest first", async () => {
      const matchId = randomUUID();
      const [alice, bob] = [randomUUID(), randomUUID()];
      const roomId = `room-${randomUUID()}`;
      // Chat is stored by moderation/chatStore.ts, not the queue: the rows are written directly.
      await db.prisma.player.createMany({ data: [{ id: alice, name: 'alice' }, { id: bob, name: 'bob' }] });
      await db.prisma.match.create({ data: { id: matchId, roomId, startedAt: at(0) } });
      // Out of order, so the order read back is the query's.
      await db.prisma.chatMessage.createMany({
        data: [
          { id: randomUUID(), roomId, matchId, playerId: null, name: 'server', text: 'wave 3', createdAt: at(8) },
          { id: randomUUID(), roomId, matchId, playerId: alice, name: 'alice', text: 'hi', createdAt: at(3) },
          { id: randomUUID(), roomId, matchId, playerId: bob, name: 'bob', text: 'hello', createdAt: at(4) },
        ],
      });
      const queries = createQueries(db.prisma);
      expect((await queries.recentChat(roomId)).map((c) => c.text)).toEqual(['hi', 'hello', 'wave 3']);
      expect((await queries.recentChat(roomId, 2)).map((c) => c.text)).toEqual(['hello', 'wave 3']);
      expect((await queries.playerChat(alice)).map((c) => c.text)).toEqual(['hi']);
      await expect(queries.recentChat(roomId, 0)).rejects.toThrow(RangeError);
    });

    it("stores the director's samples, decisions and profiles with their JSON as given", async () => {
      const q = queue();
      const matchId = randomUUID();
      const player = randomUUID();
      const roomId = `room-${randomUUID()}`;
      // Quotes, backslashes, braces, non-ASCII and nesting: the rows travel as one JSON document.
      const awkward = { 'say "gg"': 'a\\b {c} [d]', ünï: '😀', nested: { list: [1.5, -2, null, true], empty: {} } };
      const sampleId = randomUUID(), decisionId = randomUUID(), bareDecisionId = randomUUID();
      q.recordDirectorSample({ id: sampleId, at: at(1), roomId, matchId, ruleSetVersion: 3, inputs: awkward, knobs: { room: { spawnRate: 1.25 } } });
      q.recordDecision({
        id: decisionId, at: at(2), roomId, matchId, playerId: player, ruleSetVersion: 3, ruleId: 'rule "1"', kind: 'recommend',
        inputs: awkward, changes: { enemySpeed: [1, 0.9] }, recommendation: { kind: 'loadout', message: "try the 'spread'" },
      });
      q.recordDecision({ id: bareDecisionId, at: at(3), roomId, matchId, playerId: null, ruleSetVersion: 3, ruleId: 'r2', kind: 'activate', inputs: {}, changes: {} });
      q.upsertPlayer({ id: player, name: 'p', seenAt: at(0) });
      q.saveProfile({ playerId: player, mode: 'relaxed', loadout: 'spread', style: { collector: 0.75 }, difficulty: 0.4, updatedAt: at(4) });
      await q.flush();
      expect(q.stats()).toMatchObject({ failed: 0, rejected: 0, queued: 0 });

      const sample = await db.prisma.directorSample.findUniqueOrThrow({ where: { id: sampleId } });
      expect(sample).toMatchObject({ at: at(1), roomId, matchId, ruleSetVersion: 3, inputs: awkward, knobs: { room: { spawnRate: 1.25 } } });
      const decisions = await db.prisma.directorDecision.findMany({ where: { matchId }, orderBy: { at: 'asc' } });
      expect(decisions).toMatchObject([
        { id: decisionId, at: at(2), playerId: player, ruleId: 'rule "1"', kind: 'recommend', inputs: awkward, changes: { enemySpeed: [1, 0.9] }, recommendation: { kind: 'loadout', message: "try the 'spread'" } },
        { id: bareDecisionId, at: at(3), playerId: null, ruleId: 'r2', kind: 'activate', recommendation: null },
      ]);
      expect(await db.prisma.playerProfile.findUniqueOrThrow({ where: { playerId: player } }))
        .toMatchObject({ mode: 'relaxed', loadout: 'spread', style: { collector: 0.75 }, difficulty: 0.4, updatedAt: at(4) });

      // An older profile does not overwrite a newer one.
      q.saveProfile({ playerId: player, mode: 'standard', loadout: 'blaster', style: {}, difficulty: 0.9, updatedAt: at(3) });
      await q.flush();
      expect(await db.prisma.playerProfile.findUniqueOrThrow({ where: { playerId: player } })).toMatchObject({ mode: 'relaxed', difficulty: 0.4 });
      await q.close();
    });

    it("keeps a guest's network key, even when the chat store created the player row first", async () => {
      const q = queue();
      const [early, keyed] = [randomUUID(), randomUUID()];
      // The chat store writes the row when the first line is stored, before the join's write flushes.
      await db.prisma.player.create({ data: { id: early, name: 'early', createdAt: at(5), lastSeenAt: at(5) } });
      q.upsertPlayer({ id: early, name: 'early', seenAt: at(1), networkKey: 'a'.repeat(32) });
      q.upsertPlayer({ id: keyed, name: 'keyed', seenAt: at(1), networkKey: 'b'.repeat(32) });
      q.upsertPlayer({ id: keyed, name: 'keyed', seenAt: at(2) }); // an account-less write later: keeps the key
      await q.flush();
      const rows = await db.prisma.player.findMany({ where: { id: { in: [early, keyed] } }, orderBy: { name: 'asc' } });
      expect(rows.map((r) => [r.name, r.networkKey, r.lastSeenAt])).toEqual([['early', 'a'.repeat(32), at(5)], ['keyed', 'b'.repeat(32), at(2)]]);
      expect(() => q.upsertPlayer({ id: keyed, name: 'keyed', seenAt: at(3), networkKey: '10.0.0.1' })).toThrow(/networkKey must be 32 hex digits/);
      await q.close();
    });

    it('stores a director sample with the same id once', async () => {
      const q = queue();
      const roomId = `room-${randomUUID()}`;
      const sample = { id: randomUUID(), at: at(0), roomId, matchId: randomUUID(), ruleSetVersion: 1, inputs: {}, knobs: { room: { spawnRate: 1 } } };
      q.recordDirectorSample(sample);
      q.recordDirectorSample(sample); // same batch
      await q.flush();
      // A later batch: a retry after a lost commit. Different knobs, so an overwrite would show.
      q.recordDirectorSample({ ...sample, knobs: { room: { spawnRate: 2 } } });
      await q.flush();
      const rows = await db.prisma.directorSample.findMany({ where: { roomId } });
      expect(rows.map((r) => r.knobs)).toEqual([{ room: { spawnRate: 1 } }]);
      expect(q.stats()).toMatchObject({ written: 3, rejected: 0, queued: 0 });
      await q.close();
    });

    it('drops only the write the database refuses; the rest of the batch is stored', async () => {
      const events: WriteBehindEvent[] = [];
      const q = queue(db.sql, events);
      const roomId = `room-${randomUUID()}`;
      const matchId = randomUUID();
      const [first, second, ghost] = [randomUUID(), randomUUID(), randomUUID()];
      q.upsertPlayer({ id: first, name: 'ok', seenAt: at(0) });
      q.upsertPlayer({ id: second, name: 'ok', seenAt: at(0) });
      q.startMatch({ id: matchId, roomId, startedAt: at(0) });
      q.joinMatch({ matchId, playerId: first, name: 'kept 1', joinedAt: at(1) });
      // Names a player that was never written: a foreign-key violation.
      q.joinMatch({ matchId, playerId: ghost, name: 'refused', joinedAt: at(2) });
      q.joinMatch({ matchId, playerId: second, name: 'kept 2', joinedAt: at(3) });
      await q.flush();
      expect((await createQueries(db.prisma).getMatch(matchId))!.players.map((p) => p.name)).toEqual(['kept 1', 'kept 2']);
      expect(q.stats()).toMatchObject({ written: 5, rejected: 1, queued: 0, failed: 0 });
      expect(events.filter((e) => e.type === 'rejected')).toMatchObject([{ write: { kind: 'join', key: `${matchId}/${ghost}` } }]);
      expect(() => q.recordDirectorSample({ id: 'nope', at: at(0), roomId, matchId, ruleSetVersion: 1, inputs: {}, knobs: {} })).toThrow(TypeError);
      const maybe = { id: randomUUID(), outcome: 'maybe' as RecommendationOutcome, resolvedAt: at(0) };
      expect(() => q.resolveRecommendation(maybe)).toThrow(`outcome must be one of ${RECOMMENDATION_OUTCOMES.join(', ')}`);
      expect(q.stats()).toMatchObject({ queued: 0, written: 5 });
      await q.close();
    });

    it("runs the write-behind's SQL all or nothing, and keeps using its connections after a refusal", async () => {
      const id = randomUUID();
      const player = sql`INSERT INTO "Player" ("id", "name", "createdAt", "lastSeenAt") VALUES (${id}::uuid, ${'it\'s "me"'}, now(), now())`;
      const ghostJoin = sql`INSERT INTO "MatchPlayer" ("matchId", "playerId", "name") VALUES (${randomUUID()}::uuid, ${randomUUID()}::uuid, 'x')`;
      expect(player.text).toContain('VALUES ($1::uuid, $2, now(), now())');
      // More refusals than the pool has connections: one not given back would hang the next.
      for (let i = 0; i < 12; i++) await expect(db.sql.transaction([player, ghostJoin])).rejects.toThrow(/foreign key/);
      expect(await db.prisma.player.findUnique({ where: { id } })).toBeNull();
      await db.sql.transaction([player]);
      expect(await db.prisma.player.findUnique({ where: { id } })).toMatchObject({ name: 'it\'s "me"' });
      expect(await db.sql.ping()).toBe(true);
    });

    it('keeps writes while the database is unreachable (outage, restart) and stores them all afterwards', async () => {
      const proxy = new OutageProxy(() => endpointOf(db));
      await proxy.start();
      const ep = endpointOf(db);
      const pool = new pg.Pool({ host: '127.0.0.1', port: proxy.port, user: ep.user, database: ep.database, max: 2, connectionTimeoutMillis: 2000 });
      pool.on('error', () => {});
      const events: WriteBehindEvent[] = [];
      const q = new WriteBehindQueue(poolSqlClient(pool), { flushIntervalMs: 50, retryBaseMs: 50, retryMaxMs: 200, onEvent: (e) => events.push(e) });
      try {
        const roomId = `room-${randomUUID()}`;
        const player = randomUUID();
        const matchId = randomUUID();
        q.upsertPlayer({ id: player, name: 'p', seenAt: at(0) });
        q.startMatch({ id: matchId, roomId, startedAt: at(0) });
        await q.flush();

        proxy.cut();
        q.joinMatch({ matchId, playerId: player, name: 'p', joinedAt: at(1) });
        // A room-second each, as the director writes them.
        const ids = Array.from({ length: 40 }, () => randomUUID());
        ids.forEach((id, i) => q.recordDirectorSample({ id, at: at(2 + i), roomId, matchId, ruleSetVersion: 1, inputs: {}, knobs: { tick: i } }));
        q.endMatch({ id: matchId, endedAt: at(59), wavesReached: 2, score: 7 });
        await expect(q.flush()).rejects.toThrow();
        // The timer keeps retrying with backoff; nothing is dropped or refused.
        await vi.waitFor(() => expect(q.stats().failed).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
        expect(q.stats()).toMatchObject({ queued: 42, dropped: 0, rejected: 0 });
        expect(q.stats().consecutiveFailures).toBeGreaterThan(0);

        await reopen(); // the database restarts meanwhile (PGlite: on a new socket)
        proxy.restore();
        await vi.waitFor(() => expect(q.stats().queued).toBe(0), { timeout: 20_000, interval: 50 });
        expect(q.stats()).toMatchObject({ dropped: 0, rejected: 0, consecutiveFailures: 0 });
        expect(events.map((e) => e.type)).toEqual(['flushFailed', 'recovered']);

        const queries = createQueries(db.prisma);
        const samples = await db.prisma.directorSample.findMany({ where: { matchId }, orderBy: { at: 'asc' } });
        expect(samples.map((s) => [s.id, s.knobs])).toEqual(ids.map((id, i) => [id, { tick: i }]));
        expect(await queries.getMatch(matchId)).toMatchObject({ wavesReached: 2, score: 7, players: [{ playerId: player, leftAt: null }] });
      } finally {
        await q.close().catch(() => undefined);
        await pool.end();
        await proxy.stop();
      }
    }, 60_000);

    it('bounds memory while the database is unreachable: the oldest writes are dropped and counted', async () => {
      const proxy = new OutageProxy(() => endpointOf(db));
      await proxy.start();
      proxy.cut();
      const ep = endpointOf(db);
      const pool = new pg.Pool({ host: '127.0.0.1', port: proxy.port, user: ep.user, database: ep.database, max: 1, connectionTimeoutMillis: 1000 });
      pool.on('error', () => {});
      const events: WriteBehindEvent[] = [];
      const q = new WriteBehindQueue(poolSqlClient(pool), { flushIntervalMs: 60_000, maxQueued: 5, closeTimeoutMs: 200, onEvent: (e) => events.push(e) });
      try {
        const roomId = `room-${randomUUID()}`;
        const matchId = randomUUID();
        for (let i = 0; i < 8; i++) q.recordDirectorSample({ id: randomUUID(), at: at(i), roomId, matchId, ruleSetVersion: 1, inputs: {}, knobs: { t: i } });
        expect(q.stats()).toMatchObject({ queued: 5, dropped: 3 });
        await expect(q.flush()).rejects.toThrow();
        expect(q.stats()).toMatchObject({ queued: 5, dropped: 3, failed: 1 });
        proxy.restore();
        await q.flush();
        const samples = await db.prisma.directorSample.findMany({ where: { roomId }, orderBy: { at: 'asc' } });
        expect(samples.map((s) => s.knobs)).toEqual([3, 4, 5, 6, 7].map((t) => ({ t })));
        expect(events.some((e) => e.type === 'dropped')).toBe(true);
      } finally {
        await q.close().catch(() => undefined);
        await pool.end();
        await proxy.stop();
      }
    }, 30_000);

    it.skipIf(impl.kind === 'postgres')('refuses a second process on the same data folder, with a clear error (PostgreSQL: no data folder)', async () => {
      expect(db.dataDir).toBeDefined();
      // In this process...
      const second = created.open();
      await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(second).rejects.toThrow(`data folder ${db.dataDir} is in use by pid ${process.pid}`);
      // ...and from another process.
      const script = `
        import { openDatabase } from ${JSON.stringify(DATABASE_TS)};
        try { await openDatabase({ dataDir: ${JSON.stringify(db.dataDir)} }); process.exit(0); }
        catch (err) { console.log(err.message); process.exit(3); }`;
      const child = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() }).then(
        () => ({ code: 0, stdout: '' }),
        (err: { code: number; stdout: string }) => err,
      );
      expect(child.code).toBe(3);
      expect(child.stdout.trim()).toBe(`data folder ${db.dataDir} is in use by pid ${process.pid}`);
      expect(await db.ping()).toBe(true);
    }, SETUP_TIMEOUT);
  });
}
