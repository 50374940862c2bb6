/**
 * The embedded PGlite serves every connection on one backend. Two connections whose
 * extended-query messages arrive interleaved (Parse of one, then Parse and Bind of the
 * other, then the rest) must each still run their own statement with their own
 * parameters: before the fix, the second Parse replaced the first's unnamed statement, so
 * the first connection's INSERT went into the other's table and its own row was never
 * written — while its client was told it had succeeded. (Under load node-postgres's
 * messages do arrive split like this; the kill -9 test lost acknowledged chat lines so.)
 * Spoken here as raw wire protocol over the real unix socket, so the interleaving is exact.
 */
import { createConnection, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPgliteServer, type PgliteServer } from '../../server/src/db/pglite.js';

let server: PgliteServer;

beforeAll(async () => {
  server = await startPgliteServer({ maxConnections: 6 });
  const c = new pg.Client(server.connection);
  await c.connect();
  await c.query('CREATE TABLE a (v int); CREATE TABLE b (v int)');
  await c.end();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const cstr = (s: string) => Buffer.from(`${s}\0`);
function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([Buffer.from(type), len, body]);
}
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const parse = (sql: string) => message('P', cstr(''), cstr(sql), int16(0));
const bind = (value: string) => message('B', cstr(''), cstr(''), int16(0), int16(1), int32(Buffer.byteLength(value)), Buffer.from(value), int16(0));
const execute = () => message('E', cstr(''), int32(0));
const sync = () => message('S');

/** A raw protocol connection: `send` writes bytes; `until(type)` resolves with everything received once a message of `type` arrived. */
async function connect(): Promise<{ sock: Socket; send(b: Buffer): void; until(type: string): Promise<string>; end(): void }> {
  const sock = createConnection(path.join(server.socketDir, '.s.PGSQL.5432'));
  let received = Buffer.alloc(0);
  let waiter: { type: number; resolve: (s: string) => void } | null = null;
  const types = () => {
    const out: number[] = [];
    for (let i = 0; i + 5 <= received.length; i += 1 + received.readInt32BE(i + 1)) out.push(received[i]!);
    return out;
  };
  sock.on('data', (d) => {
    received = Buffer.concat([received, d]);
    if (waiter && types().includes(waiter.type)) { waiter.resolve(String.fromCharCode(...types())); waiter = null; }
  });
  const conn = {
    sock,
    send: (b: Buffer) => void sock.write(b),
    until: (type: string) => new Promise<string>((resolve) => {
      if (types().includes(type.charCodeAt(0))) return resolve(String.fromCharCode(...types()));
      waiter = { type: type.charCodeAt(0), resolve };
    }),
    end: () => sock.end(message('X')),
  };
  const startup = Buffer.concat([int32(196608), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  sock.write(Buffer.concat([int32(startup.length + 4), startup]));
  await conn.until('Z');
  received = Buffer.alloc(0);
  return conn;
}

const pause = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe('embedded PGlite served to several connections', () => {
  it('runs each connection\'s extended query whole, even when their messages arrive interleaved', async () => {
    const one = await connect();
    const two = await connect();
    one.send(parse('INSERT INTO a VALUES ($1::int)'));
    await pause();
    two.send(Buffer.concat([parse('INSERT INTO b VALUES ($1::int)'), bind('2')]));
    await pause();
    one.send(Buffer.concat([bind('1'), execute(), sync()]));
    await pause();
    two.send(Buffer.concat([execute(), sync()]));
    const [r1, r2] = await Promise.all([one.until('Z'), two.until('Z')]);
    // ParseComplete, BindComplete, CommandComplete, ReadyForQuery — and no ErrorResponse.
    expect(r1).toBe('12CZ');
    expect(r2).toBe('12CZ');
    one.end();
    two.end();

    const c = new pg.Client(server.connection);
    await c.connect();
    const a = (await c.query('SELECT v FROM a')).rows.map((r: { v: number }) => r.v);
    const b = (await c.query('SELECT v FROM b')).rows.map((r: { v: number }) => r.v);
    await c.end();
    expect({ a, b }).toEqual({ a: [1], b: [2] });
  }, 30_000);

  it('lets the other connections go on when one leaves in the middle of a batch', async () => {
    const quitter = await connect();
    quitter.send(Buffer.concat([parse('INSERT INTO a VALUES ($1::int)'), bind('7')]));
    await pause();
    quitter.sock.destroy();
    const c = new pg.Client(server.connection);
    await c.connect();
    await c.query('INSERT INTO b VALUES ($1::int)', [8]);
    expect((await c.query('SELECT v FROM a WHERE v = 7')).rowCount).toBe(0);
    expect((await c.query('SELECT v FROM b WHERE v = 8')).rowCount).toBe(1);
    await c.end();
  }, 30_000);
});
