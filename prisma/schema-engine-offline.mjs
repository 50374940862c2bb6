#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which cannot be downloaded offline.
// `prisma generate` only needs this path to exist (prisma.config.ts points
// PRISMA_SCHEMA_ENGINE_BINARY here). Commands that really need the engine
// (migrate, db push, introspection) get a JSON-RPC error explaining why.
import { createInterface } from 'node:readline';

const message =
  'The native Prisma schema engine is not installed (offline install). ' +
  'Committed migrations are applied at server start-up (server/src/db/migrate.ts); ' +
  'author new ones with `npm run db:migration -- <name>`. ' +
  'To use a real engine, set PRISMA_SCHEMA_ENGINE_BINARY to its path.';

// The CLI reads engine logs as JSON lines on stderr (after a first free line
// for one-shot sub-commands such as `… cli can-connect-to-database`).
const log = { level: 'ERROR', target: 'schema_engine::logger', fields: { message, error_code: 'OFFLINE' } };
if (process.argv.includes('cli')) {
  process.stderr.write('offline schema engine\n' + JSON.stringify(log), () => process.exit(1));
} else {
  process.stderr.write(JSON.stringify(log) + '\n');
}
setTimeout(() => process.exit(1), 10_000).unref();

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let id = null;
  try {
    id = JSON.parse(line).id ?? null;
  } catch {
    // not a request: still fail below
  }
  const error = { code: 4466, message, data: { is_panic: false, message, meta: {} } };
  process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, error }) + '\n', () => process.exit(1));
});
lines.on('close', () => process.exit(1));
