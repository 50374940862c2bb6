/**
 * Request ids and access logs for every HTTP route (matchmaking included).
 *
 * Each request gets an id — the caller's `X-Request-Id` when it is a sane token, else a
 * fresh UUID — echoed in the response's `X-Request-Id`, carried by every line logged for
 * it (`reqId`), and returned in the body of a 500 so a bug report can quote it.
 * Successful requests are logged at debug (health checks and scrapes would drown the
 * rest), refusals at info, failures at error. Only method, path and status are logged:
 * never headers (they carry passwords and tokens) or bodies.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { log } from '../log.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestLogger(): RequestHandler {
  return pinoHttp({
    logger: log.child({ component: 'http' }),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}

/** Last handler: an error no route answered becomes a logged JSON 500 with the request id. */
export const internalErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (res.headersSent) return next(err);
  req.log.error({ err }, 'unhandled error in a route');
  res.status(500).json({ error: 'internal error', requestId: req.id });
};
