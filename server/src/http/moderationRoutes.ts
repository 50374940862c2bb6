/**
 * The moderator console's API (shapes in shared/src/moderationApi.ts): the flag queue and
 * its live event stream, a flag's detail, claim, release and actions, player history, the audit
 * log, and (admin) a player's data export and deletion.
 */
import express, { type Router } from 'express';
import {
  FLAG_STATUSES, MODERATION_ACTIONS, isUuid,
  type FlagStatus, type FlagSummary, type LiftSanctionRequest, type ModerationActionRequest,
} from '@pulse-arena/shared';
import type { Accounts } from '../auth/accounts.js';
import { ModerationError, type Moderation } from '../moderation/moderation.js';
import { jsonBodyErrors } from './jsonErrors.js';
import { requireRole } from './sessionAuth.js';

/** Keeps proxies from closing an idle stream, and notices dead connections. */
const PING_MS = 15_000;

export function createModerationRouter(accounts: Accounts | null, moderation: Moderation | null): Router {
  const router = express.Router();
  const json = express.json({ limit: '8kb' });
  const staff = requireRole(accounts, ['moderator', 'admin']);
  const admin = requireRole(accounts, ['admin']);
  const available: express.RequestHandler = (_req, res, next) => {
    if (!moderation) return void res.status(503).json({ error: 'moderation needs a database; this server runs without one' });
    next();
  };
  router.use('/api/moderation', staff, available);
  router.use('/api/admin/players', admin, available);
  const mod = () => moderation!;

  const uuidParam = (name: string): express.RequestHandler => (req, res, next) => {
    const v = req.params[name];
    if (!isUuid(v)) return void res.status(400).json({ error: `${name}: must be a UUID` });
    req.params[name] = v.toLowerCase();
    next();
  };
  const fail = (res: express.Response, err: unknown, next: express.NextFunction) => {
    if (err instanceof ModerationError) return void res.status(err.status).json({ error: err.message });
    next(err);
  };
  const limitOf = (raw: unknown, dflt: number, max: number): number | null => {
    if (raw === undefined) return dflt;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
  };

  router.get('/api/moderation/flags', async (req, res, next) => {
    const status = (req.query.status ?? 'open') as string;
    if (status !== 'all' && !(FLAG_STATUSES as readonly string[]).includes(status)) {
      return void res.status(400).json({ error: `status: one of ${FLAG_STATUSES.join(', ')}, all` });
    }
    const limit = limitOf(req.query.limit, 100, 500);
    if (limit === null) return void res.status(400).json({ error: 'limit: an integer from 1 to 500' });
    try {
      res.json(await mod().list(status as FlagStatus | 'all', limit));
    } catch (err) { fail(res, err, next); }
  });

  router.get('/api/moderation/stream', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const send = (flag: FlagSummary) => res.write(`event: flag\ndata: ${JSON.stringify(flag)}\n\n`);
    mod().events.on('flag', send);
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    req.on('close', () => {
      clearInterval(ping);
      mod().events.off('flag', send);
    });
  });

  router.get('/api/moderation/flags/:id', uuidParam('id'), async (req, res, next) => {
    try {
      const detail = await mod().detail(req.params.id as string);
      if (!detail) return void res.status(404).json({ error: `no flag ${req.params.id}` });
      res.json(detail);
    } catch (err) { fail(res, err, next); }
  });

  router.post('/api/moderation/flags/:id/claim', uuidParam('id'), async (req, res, next) => {
    try {
      res.json(await mod().claim(req.params.id as string, req.session!.username));
    } catch (err) { fail(res, err, next); }
  });

  router.post('/api/moderation/flags/:id/release', uuidParam('id'), async (req, res, next) => {
    try {
      res.json(await mod().release(req.params.id as string, req.session!.username));
    } catch (err) { fail(res, err, next); }
  });

  router.post('/api/moderation/flags/:id/actions', uuidParam('id'), json, async (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.action !== 'string' || !(MODERATION_ACTIONS as readonly string[]).includes(body.action)) {
      return void res.status(400).json({ error: `action: one of ${MODERATION_ACTIONS.join(', ')}` });
    }
    if (body.note !== undefined && typeof body.note !== 'string') return void res.status(400).json({ error: 'note: must be a string' });
    if (body.durationSeconds !== undefined && typeof body.durationSeconds !== 'number') {
      return void res.status(400).json({ error: 'durationSeconds: must be a number' });
    }
    if (body.resolveOthers !== undefined && typeof body.resolveOthers !== 'boolean') {
      return void res.status(400).json({ error: 'resolveOthers: must be true or false' });
    }
    try {
      res.json(await mod().act(req.params.id as string, req.session!.username, body as unknown as ModerationActionRequest));
    } catch (err) { fail(res, err, next); }
  });

  router.get('/api/moderation/players/:playerId', uuidParam('playerId'), async (req, res, next) => {
    try {
      const history = await mod().history(req.params.playerId as string);
      if (!history) return void res.status(404).json({ error: `nothing is stored about player ${req.params.playerId}` });
      res.json(history);
    } catch (err) { fail(res, err, next); }
  });

  router.post('/api/moderation/players/:playerId/sanctions/:sanctionId/lift', uuidParam('playerId'), uuidParam('sanctionId'), json, async (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) return void res.status(400).json({ error: 'body: must be an object' });
    if (body.note !== undefined && typeof body.note !== 'string') return void res.status(400).json({ error: 'note: must be a string' });
    try {
      res.json(await mod().lift(req.params.playerId as string, req.params.sanctionId as string, req.session!.username, body as Partial<LiftSanctionRequest>));
    } catch (err) { fail(res, err, next); }
  });

  router.get('/api/moderation/audit', async (req, res, next) => {
    const limit = limitOf(req.query.limit, 100, 1000);
    if (limit === null) return void res.status(400).json({ error: 'limit: an integer from 1 to 1000' });
    const q: { limit: number; flagId?: string; playerId?: string } = { limit };
    for (const key of ['flagId', 'playerId'] as const) {
      const v = req.query[key];
      if (v === undefined) continue;
      if (!isUuid(v)) return void res.status(400).json({ error: `${key}: must be a UUID` });
      q[key] = v.toLowerCase();
    }
    try {
      res.json(await mod().auditLog(q));
    } catch (err) { fail(res, err, next); }
  });

  router.get('/api/admin/players/:playerId/export', uuidParam('playerId'), async (req, res, next) => {
    try {
      const data = await mod().exportPlayer(req.params.playerId as string, req.session!.username);
      res.setHeader('content-disposition', `attachment; filename="player-${req.params.playerId}.json"`);
      res.json(data);
    } catch (err) { fail(res, err, next); }
  });

  router.delete('/api/admin/players/:playerId', uuidParam('playerId'), async (req, res, next) => {
    try {
      const found = await mod().deletePlayer(req.params.playerId as string, req.session!.username);
      if (!found) return void res.status(404).json({ error: `nothing is stored about player ${req.params.playerId}` });
      res.status(204).end();
    } catch (err) { fail(res, err, next); }
  });

  router.use(jsonBodyErrors);
  return router;
}
