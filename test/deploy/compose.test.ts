/**
 * The deployment files, checked with a real Compose implementation (Debian's
 * `docker-compose`, which validates and resolves a file offline, with no engine): the
 * scale-out stack has PostgreSQL, Redis, a one-shot migration and two server replicas
 * that start only after it, each with a health check and its own public address. The
 * production Dockerfile is multi-stage, on Node 22, and runs as a non-root user.
 * Skipped where docker-compose is not installed (`.ci/run` installs it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/serverProcess.js';

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const found = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
const secrets = { MONITOR_PASSWORD: 'monitor-secret', ADMIN_PASSWORD: 'admin-secret' };

function compose(args: string[], env: Record<string, string>) {
  return spawnSync('docker-compose', ['-f', COMPOSE_FILE, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

/** The block of one service in `docker-compose config` output (two-space indented YAML). */
function serviceBlock(resolved: string, name: string): string {
  const start = resolved.indexOf(`\n  ${name}:\n`);
  expect(start, `service ${name} in the resolved file`).toBeGreaterThanOrEqual(0);
  const rest = resolved.slice(start + name.length + 5);
  const end = rest.search(/\n {2}\S|\n\S/);
  return end < 0 ? rest : rest.slice(0, end);
}

describe.skipIf(found.status !== 0)('docker-compose.yml (docker-compose config)', () => {
  it('validates, and resolves to the scale-out stack', () => {
    const check = compose(['config', '-q'], secrets);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    const services = compose(['config', '--services'], secrets).stdout.trim().split('\n').sort();
    expect(services).toEqual(['migrate', 'postgres', 'redis', 'server-1', 'server-2']);

    const resolved = compose(['config'], secrets).stdout;
    const migrate = serviceBlock(resolved, 'migrate');
    expect(migrate).toContain('server/src/admin.ts');
    expect(migrate).toContain('migrate');
    const addresses = new Set<string>();
    for (const name of ['server-1', 'server-2']) {
      const s = serviceBlock(resolved, name);
      // Starts only after the migration finished and Redis is healthy.
      expect(s).toMatch(/migrate:\n\s+condition: service_completed_successfully/);
      expect(s).toMatch(/redis:\n\s+condition: service_healthy/);
      expect(s).toContain('REDIS_URL: redis://redis:6379');
      expect(s).toContain('DATABASE_URL: postgres://pulse:pulse@postgres:5432/pulse');
      expect(s).toContain('MONITOR_PASSWORD: monitor-secret');
      expect(s).toMatch(/healthcheck:\n\s+interval/);
      expect(s).toContain('/health');
      addresses.add(/PUBLIC_ADDRESS: (\S+)/.exec(s)![1]!);
    }
    expect(addresses.size).toBe(2);
  });

  it('refuses to resolve without the secrets it needs', () => {
    const res = compose(['config', '-q'], {});
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('set MONITOR_PASSWORD');
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8').split('\n').map((l) => l.trim());
  it('is multi-stage on Node 22 and runs as a non-root user', () => {
    const from = lines.filter((l) => l.startsWith('FROM '));
    expect(from.length).toBeGreaterThanOrEqual(2);
    for (const f of from) expect(f).toMatch(/^FROM node:22[-.\w]*( AS \w+)?$/);
    const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER (root|0)\b/);
    expect(lines.some((l) => l.startsWith('HEALTHCHECK'))).toBe(true);
  });
});

