/**
 * Plain SQL on the game's database, past Prisma, for the write-behind queue's bulk
 * statements. Prisma 7 hands every statement and its parameters to its query compiler
 * (WebAssembly, on the main thread) and back, and a second of director rows is a few hundred
 * kilobytes of JSON: a flush of 100 rooms cost the main thread 7-9 ms that way, 3-5 ms this
 * way (`npm run bench:writes`). These statements are fixed SQL with bound parameters.
 */
import pg from 'pg';

const { DatabaseError } = pg;

/** One statement: text with `$1`… placeholders, and their values (pg's conversions apply). */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export interface SqlClient {
  /** Runs the statements in one transaction; rolls back and rejects on the first error (a statement past its time limit is one). */
  transaction(statements: readonly SqlStatement[]): Promise<void>;
  /** True when `SELECT 1` answers within `timeoutMs` (default 2 s); never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
}

/** SQL inlined as written by {@link sql} (for fixed fragments chosen in code, never for input). */
export class SqlFragment {
  constructor(readonly text: string) {}
}

/** sql`… ${value} …` → a statement with each value bound as `$n` ({@link SqlFragment}s are inlined). */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlStatement {
  let text = strings[0]!;
  const bound: unknown[] = [];
  values.forEach((v, i) => {
    if (v instanceof SqlFragment) text += v.text;
    else {
      bound.push(v);
      text += `$${bound.length}`;
    }
    text += strings[i + 1]!;
  });
  return { text, values: bound };
}

export interface PoolSqlClientOptions {
  /** Each statement's limit; past it the connection is closed and the transaction fails (default 15 s). */
  statementTimeoutMs?: number;
}

/** A {@link SqlClient} on a pg pool (the one Prisma's adapter uses: one set of connections). */
export function poolSqlClient(pool: pg.Pool, opts: PoolSqlClientOptions = {}): SqlClient {
  const timeoutMs = opts.statementTimeoutMs ?? 15_000;
  return {
    async transaction(statements) {
      const client = await pool.connect();
      // A checked-out client reports a dropped connection as an 'error' event, which nobody
      // else listens to while it is out of the pool: note it (the running query fails too).
      let broken: Error | undefined;
      const onError = (err: Error) => { broken ??= err; };
      client.on('error', onError);
      const run = (text: string, values: readonly unknown[] = []) => {
        const query: TimedQuery = { text, values: [...values], query_timeout: timeoutMs };
        return client.query(query);
      };
      try {
        await run('BEGIN');
        for (const s of statements) await run(s.text, s.values);
        await run('COMMIT');
      } catch (err) {
        // The server refused a statement: roll back and keep the connection. Anything else (a
        // dropped or hung connection) closes it, so the pool opens a fresh one next time and
        // the server rolls back what the dead one had begun.
        if (!broken && err instanceof DatabaseError) broken = await run('ROLLBACK').then(() => undefined, (e: unknown) => asError(e));
        else broken ??= asError(err);
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    async ping(pingTimeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          pool.query('SELECT 1').then(() => true, () => false),
          new Promise<boolean>((res) => { timer = setTimeout(() => res(false), pingTimeoutMs); }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** pg honours a per-query `query_timeout` (lib/client.js); its types only know the client-wide one. */
type TimedQuery = pg.QueryConfig & { query_timeout: number };

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
