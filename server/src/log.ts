/**
 * Structured logs: one JSON object per line on stdout (pino), so a log shipper can index
 * them and the engineer on call can filter by `component`, `roomId` or `reqId`.
 *
 *   LOG_LEVEL=trace|debug|info|warn|error|fatal|silent   (default info)
 *
 * Writes are synchronous (pino's default): lines stay in order and none is lost on exit or
 * kill. At info the server logs events (rooms created and disposed, failures, refusals of
 * HTTP requests), never a line per game message, so the cost to the game loop is small;
 * debug adds every successful HTTP request.
 */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** The level from $LOG_LEVEL; an unknown value falls back to info (and says so once). */
function levelFromEnv(): { level: string; invalid: string | null } {
  const raw = process.env.LOG_LEVEL?.trim().toLowerCase();
  if (!raw) return { level: 'info', invalid: null };
  return LEVELS.has(raw) ? { level: raw, invalid: null } : { level: 'info', invalid: raw };
}

const { level, invalid } = levelFromEnv();

/** The process's root logger; parts of the server take a `child({ component })` of it. */
export const log: Logger = pino({
  level,
  base: { pid: process.pid, hostname: hostname() },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

if (invalid) log.warn({ given: invalid }, 'LOG_LEVEL is not a pino level; logging at info');

/** The message of an unknown thrown value, for one-line log fields. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
