import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** HTTP Basic auth for one user, compared in constant time. */
export function requireBasicAuth(user: string, password: string, realm: string): RequestHandler {
  const expected = Buffer.from(`${user}:${password}`);
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64') : Buffer.alloc(0);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.set('WWW-Authenticate', `Basic realm="${realm}"`).status(401).json({ error: 'authentication required' });
  };
}
