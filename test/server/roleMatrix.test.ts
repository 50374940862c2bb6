/**
 * The role matrix: every HTTP API route × every role (no session, player, moderator,
 * designer, admin) returns exactly the status it should — against the real server
 * composition with a real database and real accounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
// Before the database modules (see test/rooms/liveModels.test.ts).
import { bootArena, type BootedArena } from '../helpers/arenaServer.js';
import { Accounts } from '../../server/src/auth/accounts.js';
import type { Database } from '../../server/src/db/database.js';
import { RuleRegistry } from '../../server/src/director/ruleRegistry.js';
import { PrismaRuleStore } from '../../server/src/director/ruleStore.js';
import { DEFAULT_RULE_SET } from '../../server/src/director/defaultRuleSet.js';
import { implementations } from '../db/helpers.js';
import { localModeration } from '../helpers/moderation.js';

const ROLES = ['none', 'player', 'moderator', 'designer', 'admin'] as const;
type Who = (typeof ROLES)[number];

let arena: BootedArena;
let db: Database;
let disposeDb: () => Promise<void>;
const tokens: Partial<Record<Who, string>> = {};

beforeAll(async () => {
  const made = await implementations[0]!.create();
  disposeDb = made.dispose;
  db = await made.open();
  const accounts = await Accounts.open(db.prisma);
  const rules = await RuleRegistry.open(new PrismaRuleStore(db.prisma));
  const moderation = await localModeration(db.prisma);
  arena = await bootArena(null, { accounts, rules, prisma: db.prisma, moderation });
  for (const role of ROLES.slice(1)) {
    await accounts.create(`${role}-one`, `${role}-password`, role);
    tokens[role] = (await accounts.login(`${role}-one`, `${role}-password`)).token;
  }
}, 60_000);

afterAll(async () => {
  await arena?.shutdown();
  await db?.close();
  await disposeDb?.();
});

const none = randomUUID();
const staffOnly = (ok: number) => ({ none: 401, player: 403, moderator: ok, designer: 403, admin: ok });
const designers = (ok: number) => ({ none: 401, player: 403, moderator: 403, designer: ok, admin: ok });
const admins = (ok: number) => ({ none: 401, player: 403, moderator: 403, designer: 403, admin: ok });
const everyone = (ok: number) => ({ none: ok, player: ok, moderator: ok, designer: ok, admin: ok });

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string | ((who: Who) => string);
  body?: unknown | ((who: Who) => unknown);
  expect: Record<Who, number>;
}

/** Every route the server serves under /api, with what each role must get. */
const ROUTES: Route[] = [
  { method: 'GET', path: '/api/auth/me', expect: { none: 401, player: 200, moderator: 200, designer: 200, admin: 200 } },
  { method: 'POST', path: '/api/auth/logout', expect: everyone(204) },
  { method: 'POST', path: '/api/auth/login', body: { username: 'nobody', password: 'wrong-password' }, expect: everyone(401) },
  { method: 'POST', path: '/api/auth/register', body: (who: Who) => ({ username: `new-${who}`, password: 'a-new-password' }), expect: everyone(201) },
  { method: 'POST', path: '/api/admin/accounts', body: (who: Who) => ({ username: `made-by-${who}`, password: 'staff-password', role: 'moderator' }), expect: admins(201) },
  { method: 'GET', path: '/api/rooms', expect: everyone(200) },
  { method: 'GET', path: '/api/capacity', expect: everyone(200) },
  { method: 'GET', path: '/api/recommendations', expect: everyone(200) },
  { method: 'GET', path: '/health', expect: everyone(200) },
  { method: 'GET', path: '/metrics', expect: everyone(200) },
  // Designer console
  { method: 'GET', path: '/api/designer/rulesets', expect: designers(200) },
  { method: 'GET', path: '/api/designer/rulesets/live', expect: designers(200) },
  { method: 'GET', path: '/api/designer/rulesets/1', expect: designers(200) },
  { method: 'POST', path: '/api/designer/rulesets/validate', body: { ruleSet: DEFAULT_RULE_SET }, expect: designers(200) },
  { method: 'POST', path: '/api/designer/rulesets', body: { ruleSet: DEFAULT_RULE_SET, note: 'matrix' }, expect: designers(201) },
  { method: 'POST', path: '/api/designer/rulesets/1/publish', body: { note: 'matrix' }, expect: designers(200) },
  { method: 'POST', path: '/api/designer/dry-run', body: { version: 1, from: '2026-11-30T00:00:00Z', to: '2026-11-30T01:00:00Z' }, expect: designers(200) },
  { method: 'GET', path: '/api/designer/decisions', expect: designers(200) },
  { method: 'GET', path: '/api/designer/live', expect: designers(200) },
  { method: 'GET', path: '/api/designer/models', expect: designers(200) },
  { method: 'GET', path: '/api/designer/recommendations', expect: designers(200) },
  { method: 'GET', path: '/api/designer/models/chat/reviews', expect: designers(200) },
  // Moderator console
  { method: 'GET', path: '/api/moderation/flags', expect: staffOnly(200) },
  { method: 'GET', path: `/api/moderation/flags/${none}`, expect: staffOnly(404) },
  { method: 'POST', path: `/api/moderation/flags/${none}/claim`, body: {}, expect: staffOnly(404) },
  { method: 'POST', path: `/api/moderation/flags/${none}/release`, body: {}, expect: staffOnly(404) },
  { method: 'POST', path: `/api/moderation/flags/${none}/actions`, body: { action: 'dismiss' }, expect: staffOnly(404) },
  { method: 'GET', path: `/api/moderation/players/${none}`, expect: staffOnly(404) },
  { method: 'POST', path: `/api/moderation/players/${none}/sanctions/${none}/lift`, body: { note: 'matrix' }, expect: staffOnly(404) },
  { method: 'GET', path: '/api/moderation/audit', expect: staffOnly(200) },
  { method: 'GET', path: '/api/moderation/stream', expect: staffOnly(200) },
  // Admin: a player's data
  { method: 'GET', path: `/api/admin/players/${none}/export`, expect: admins(200) },
  { method: 'DELETE', path: `/api/admin/players/${none}`, expect: admins(404) },
];

describe('role matrix', () => {
  it('answers every route for every role with exactly the allowed status', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const route of ROUTES) {
      for (const who of ROLES) {
        const path = typeof route.path === 'function' ? route.path(who) : route.path;
        const body = typeof route.body === 'function' ? (route.body as (w: Who) => unknown)(who) : route.body;
        const abort = new AbortController();
        const res = await fetch(`${arena.http}${path}`, {
          method: route.method,
          headers: { ...(tokens[who] && { authorization: `Bearer ${tokens[who]}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: abort.signal,
        });
        abort.abort(); // the event stream never ends by itself
        got.push(`${route.method} ${route.path instanceof Function ? path : route.path} as ${who}: ${res.status}`);
        want.push(`${route.method} ${route.path instanceof Function ? path : route.path} as ${who}: ${route.expect[who]}`);
      }
    }
    expect(got).toEqual(want);
  }, 60_000);

  it('refuses a forged, expired or malformed token as no session', async () => {
    const good = tokens.admin!;
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${'A'.repeat(43)}`;
    for (const bad of [forged, 'not-a-token', `${good}x`]) {
      const res = await fetch(`${arena.http}/api/designer/rulesets`, { headers: { authorization: `Bearer ${bad}` } });
      expect(res.status, bad.slice(0, 20)).toBe(401);
    }
  });
});
