/**
 * Keeps each connection's extended-query batches whole on PGlite's single backend (see
 * {@link batchAwareDb}); used by the PGlite worker for its socket server.
 */
import type { PGlite } from '@electric-sql/pglite';

/** Protocol messages after which no extended-query batch is open: Sync, Query, Terminate. */
const BATCH_ENDS = new Set(['S', 'Q', 'X'].map((c) => c.charCodeAt(0)));
/** Messages that open (or continue) an extended-query batch: Parse, Bind, Describe, Execute, Close, Flush. */
const BATCH_PARTS = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));

/**
 * The PGlite the socket server sees. pglite-socket runs each protocol message of each
 * connection as it arrives, so on PGlite's single backend two connections' extended
 * queries (Parse, Bind, Execute … Sync) can interleave: one's Bind replaces the other's
 * unnamed statement or portal, and a query its client was told succeeded ran with the
 * other's statement or not at all (seen here: an acknowledged chat line never stored). The
 * server's queue already keeps one connection's transaction together by asking
 * `isInTransaction()`; reporting an open extended batch as "in a transaction" keeps each
 * batch together the same way, until its Sync. PGlite itself is not changed.
 */
export function batchAwareDb(db: PGlite): PGlite {
  let batchOpen = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'isInTransaction') return () => batchOpen || target.isInTransaction();
      if (prop === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          const type = message[0]!;
          try {
            return await target.execProtocolRawStream(message, options);
          } finally {
            if (BATCH_PARTS.has(type)) batchOpen = true;
            else if (BATCH_ENDS.has(type)) batchOpen = false;
          }
        };
      }
      // Its ROLLBACK for a connection that went away mid-batch ends that batch too.
      if (prop === 'exec') return async (...args: Parameters<PGlite['exec']>) => { try { return await target.exec(...args); } finally { batchOpen = false; } };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
