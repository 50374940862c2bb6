/**
 * Staff sessions over HTTP: login/logout/me, the admin's account creation, and the
 * middleware every staff route uses to check the caller's role. The session token travels
 * in an HttpOnly, SameSite=Strict cookie (the consoles) or as `Authorization: Bearer`.
 */
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { LoginResponse, Role, SessionInfo } from '@pulse-arena/shared';
import { AccountError, SESSION_SECONDS, type Accounts, type Session } from '../auth/accounts.js';
import { TokenBucket } from '../rooms/tokenBucket.js';
import { jsonBodyErrors } from './jsonErrors.js';

export const SESSION_COOKIE = 'pulse_session';
/** Logins per client address: 10 at once, then one every 6 s (slows password guessing). */
const LOGIN_BURST = 10;
const LOGIN_PER_SECOND = 1 / 6;
const MAX_TRACKED_ADDRESSES = 10_000;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by {@link requireRole}. */
    session?: Session;
  }
}

function tokenOf(req: Request): string | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim() || null;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join('=')) || null;
  }
  return null;
}

/** 401 without a valid session, 403 when its role is not one of `roles`. */
export function requireRole(accounts: Accounts | null, roles: readonly Role[]): RequestHandler {
  return (req, res, next) => {
    if (!accounts) {
      res.status(503).json({ error: 'accounts need a database; this server runs without one' });
      return;
    }
    const token = tokenOf(req);
    if (!token) {
      res.status(401).json({ error: 'login required' });
      return;
    }
    accounts.verify(token).then((session) => {
      if (!session) return void res.status(401).json({ error: 'session expired or invalid: log in again' });
      if (!roles.includes(session.role)) return void res.status(403).json({ error: `${roles.join(' or ')} role required (you are ${session.role})` });
      req.session = session;
      next();
    }, next);
  };
}

const info = (s: Session): SessionInfo => ({ username: s.username, role: s.role, expiresAt: s.expiresAt.toISOString() });

export function createSessionRouter(accounts: Accounts | null): Router {
  const router = express.Router();
  const json = express.json({ limit: '4kb' });
  const buckets = new Map<string, TokenBucket>();

  /** Logins and registrations share one bucket per address. Returns false (and answers 429) when it is empty. */
  const allowed = (req: Request, res: express.Response): boolean => {
    const address = req.socket.remoteAddress ?? 'unknown';
    let bucket = buckets.get(address);
    if (!bucket) {
      if (buckets.size >= MAX_TRACKED_ADDRESSES) buckets.clear();
      buckets.set(address, (bucket = new TokenBucket(LOGIN_BURST, LOGIN_PER_SECOND, Date.now())));
    }
    if (bucket.take(Date.now())) return true;
    res.status(429).json({ error: 'too many attempts: wait a few seconds' });
    return false;
  };

  /** A login or registration body, rate-limited; null once an error has been answered. */
  const credentials = (req: Request, res: express.Response): { username: string; password: string } | null => {
    if (!accounts) {
      res.status(503).json({ error: 'accounts need a database; this server runs without one' });
      return null;
    }
    if (!allowed(req, res)) return null;
    const { username, password } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string') {
      res.status(400).json({ error: 'body: {username: string, password: string} required' });
      return null;
    }
    return { username, password };
  };

  router.post('/api/auth/login', json, async (req, res, next) => {
    const creds = credentials(req, res);
    if (!creds) return;
    const { username, password } = creds;
    try {
      const { token, session } = await accounts!.login(username, password);
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: SESSION_SECONDS * 1000,
      });
      const body: LoginResponse = { ...info(session), token };
      res.json(body);
    } catch (err) {
      if (err instanceof AccountError) return void res.status(err.status).json({ error: err.message });
      next(err);
    }
  });

  router.post('/api/auth/logout', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' }).status(204).end();
  });

  // Players register themselves (or play as guests); staff accounts come from an admin.
  router.post('/api/auth/register', json, async (req, res, next) => {
    const creds = credentials(req, res);
    if (!creds) return;
    const { username, password } = creds;
    try {
      const created = await accounts!.create(username, password, 'player');
      res.status(201).json(created);
    } catch (err) {
      if (err instanceof AccountError) return void res.status(err.status).json({ error: err.message });
      next(err);
    }
  });

  router.get('/api/auth/me', requireRole(accounts, ['player', 'moderator', 'designer', 'admin']), (req, res) => {
    res.json(info(req.session!));
  });

  router.post('/api/admin/accounts', requireRole(accounts, ['admin']), json, async (req, res, next) => {
    const { username, password, role } = (req.body ?? {}) as Record<string, unknown>;
    if (typeof username !== 'string' || typeof password !== 'string' || typeof role !== 'string') {
      return void res.status(400).json({ error: 'body: {username, password, role} strings required' });
    }
    try {
      res.status(201).json(await accounts!.create(username, password, role));
    } catch (err) {
      if (err instanceof AccountError) return void res.status(err.status).json({ error: err.message });
      next(err);
    }
  });
  router.use(jsonBodyErrors);
  return router;
}
