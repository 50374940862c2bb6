import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * `Authorization: Bearer <key>` for one key, compared in constant time (both sides hashed,
 * so neither the key's length nor its bytes leak). `what` names the key in errors, e.g. "API key".
 */
export function requireBearer(key: string, realm: string, what: string): RequestHandler {
  const expected = createHash('sha256').update(key).digest();
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      res.status(401).set('WWW-Authenticate', `Bearer realm="${realm}"`)
        .json({ error: `missing ${what}: send "Authorization: Bearer <key>"` });
      return;
    }
    const given = createHash('sha256').update(match[1]!).digest();
    if (!timingSafeEqual(given, expected)) {
      res.status(401).set('WWW-Authenticate', `Bearer realm="${realm}", error="invalid_token"`).json({ error: `invalid ${what}` });
      return;
    }
    next();
  };
}
