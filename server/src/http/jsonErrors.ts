import type { ErrorRequestHandler } from 'express';

/** Turns body-parser failures into the API's JSON errors (instead of Express's HTML page). */
export const jsonBodyErrors: ErrorRequestHandler = (err: { type?: string }, _req, res, next) => {
  if (err.type === 'entity.parse.failed') return void res.status(400).json({ error: 'body: not valid JSON' });
  if (err.type === 'entity.too.large') return void res.status(413).json({ error: 'body: too large' });
  next(err);
};
