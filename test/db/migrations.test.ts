import { describe, expect, it } from 'vitest';
import { diffMigrationsToSchema, slugifyMigrationName } from '../../prisma/migrations-tool.js';
import { migrationChecksum, readMigrations, stripTransactionStatements } from '../../server/src/db/migrate.js';

describe('committed migrations', () => {
  it('match prisma/schema.prisma (else: npm run db:migration -- <name>)', async () => {
    const t0 = performance.now();
    const { changed, script } = await diffMigrationsToSchema();
    console.info(`migration drift check: ${Math.round(performance.now() - t0)} ms`);
    expect(changed, `schema.prisma has changes without a migration:\n${script}`).toBe(false);
  }, 180_000);

  it('are read in Prisma order with sha256 checksums', async () => {
    const migrations = await readMigrations();
    expect(migrations.map((m) => m.name)).toEqual([...migrations.map((m) => m.name)].sort((a, b) => a.localeCompare(b)));
    for (const m of migrations) {
      expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(m.checksum).toBe(migrationChecksum(m.script));
    }
    // Prisma's own test vector.
    expect(migrationChecksum('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it("drop the BEGIN;/COMMIT; lines Prisma writes, and nothing else", () => {
    const script = 'BEGIN;\nALTER TYPE "A" ADD VALUE \'b\';\nCOMMIT;\r\n  begin ;\nSELECT \'BEGIN;\';\n';
    expect(stripTransactionStatements(script)).toBe('ALTER TYPE "A" ADD VALUE \'b\';\nSELECT \'BEGIN;\';\n');
  });

  it('are named as `prisma migrate dev --name` names them', () => {
    expect(slugifyMigrationName('init')).toBe('init');
    expect(slugifyMigrationName('Add chatIndex!')).toBe('add_chat_index');
    expect(slugifyMigrationName('  Crème brûlée  ')).toBe('creme_brulee');
  });
});
