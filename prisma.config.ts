import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// The CLI insists on the native schema engine before `generate`, and cannot
// download it offline; any existing file satisfies that check (see STACK.md).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ||= fileURLToPath(
  new URL('./prisma/schema-engine-offline.mjs', import.meta.url),
);
process.env.CHECKPOINT_DISABLE ||= '1';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Unset means "embedded PGlite" to the server; the CLI only needs a URL for
  // commands that talk to a database, which the offline engine cannot run anyway.
  datasource: { url: process.env.DATABASE_URL },
});
