/**
 * `npm start`: opens the database (embedded PGlite unless DATABASE_URL is set), applies
 * migrations, and serves the game, the HTTP API and the built client on one port.
 * SIGTERM/SIGINT drain the rooms, flush the write-behind queue and close the database.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TICK_RATE } from '@pulse-arena/shared';
import { RedisDriver } from '@colyseus/redis-driver';
import { RedisPresence } from '@colyseus/redis-presence';
import { presenceBus, soloBus } from './cluster/bus.js';
import { createArenaServer, createTransport } from './app.js';
import { loadConfig, REPO_ROOT } from './config.js';
import { openDatabase } from './db/database.js';
import { WriteBehindQueue } from './db/writeBehind.js';
import { InferenceHost } from './inference/host.js';
import { Accounts } from './auth/accounts.js';
import { RuleRegistry } from './director/ruleRegistry.js';
import { PrismaRuleStore } from './director/ruleStore.js';
import { DEFAULT_CHAT_POLICY } from './moderation/chatPipeline.js';
import { ChatStore } from './moderation/chatStore.js';
import { clusterLiveEffects, localLiveEffects } from './moderation/liveEffects.js';
import { Moderation } from './moderation/moderation.js';
import { Sanctions } from './moderation/sanctions.js';
import { errorMessage, log } from './log.js';

const serverLog = log.child({ component: 'server' });

/**
 * Builds the client if its sources changed (scripts/build-client.mjs), in a child process
 * so it runs beside the database start-up instead of before it.
 */
function buildClientIfStale(): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its report lines become log lines; its errors (stderr) stay as they are, for a person to read.
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/build-client.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const buildLog = log.child({ component: 'client-build' });
    createInterface({ input: child.stdout! }).on('line', (line) => buildLog.info(line));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client build failed (exit ${code})`))));
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  const started = performance.now();
  const transport = await createTransport(config.transport);
  const clientBuilt = config.buildClient ? buildClientIfStale() : Promise.resolve();
  const db = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  try {
    await clientBuilt;
  } catch (err) {
    await db.close();
    throw err;
  }
  const where = db.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL';
  const applied = db.appliedMigrations.length ? `applied ${db.appliedMigrations.join(', ')}` : 'schema up to date';
  serverLog.info({ db: db.kind, migrations: db.appliedMigrations }, `database: ${where} (${applied})`);
  if (config.redisUrl && db.kind === 'pglite') {
    await db.close();
    throw new Error('REDIS_URL runs several server processes on one database: set DATABASE_URL to a PostgreSQL server too');
  }
  // Scale-out: rooms, seats and cross-process events on Redis; every process on the same PostgreSQL.
  const cluster = config.redisUrl
    ? { presence: new RedisPresence(config.redisUrl), driver: new RedisDriver(config.redisUrl), publicAddress: config.publicAddress }
    : null;
  const bus = cluster ? presenceBus(cluster.presence, randomBytes(8).toString('hex')) : soloBus;
  if (cluster) serverLog.info({ publicAddress: cluster.publicAddress }, `cluster: Redis presence and driver, clients reach this process at ${cluster.publicAddress}`);
  const writes = new WriteBehindQueue(db.sql);
  const registry = await RuleRegistry.open(new PrismaRuleStore(db.prisma), bus);
  const rules = config.director ? registry : null;
  serverLog.info(config.director
    ? `director: rule set version ${registry.live.version} (${registry.live.rules.length} rules)`
    : 'director: off (DIRECTOR=off): default knobs, no recommendations');
  const accounts = await Accounts.open(db.prisma);
  const adminPassword = await bootstrapAdmin(accounts);
  const chatStore = new ChatStore(db.prisma);
  const moderation = new Moderation(
    db.prisma, chatStore, await Sanctions.open(db.prisma, bus, { guestNetworkBanMs: config.guestNetworkBanHours * 3600_000 }),
    cluster ? clusterLiveEffects(bus) : localLiveEffects, bus,
  );
  const retention = startChatRetention(chatStore, config.chatRetentionDays);
  // Loads the models in a worker thread; until it is ready the game gets neutral answers.
  const inference = config.inference ? new InferenceHost() : null;
  if (!inference) serverLog.info('inference: off (INFERENCE=off): no behavior profiles, chat stored unscored');

  const server = createArenaServer({
    recorder: writes,
    health: { dbKind: db.kind, dbOk: () => db.ping(), writeBacklog: () => writes.stats().queued, writesStored: () => writes.stats().written },
    clientDist: config.clientDist,
    monitorPassword: config.monitorPassword,
    handleSignals: true,
    transport,
    inference,
    rules,
    accounts,
    prisma: db.prisma,
    moderation,
    chatPolicy: { ...DEFAULT_CHAT_POLICY, links: config.chatLinks },
    classifyEveryTicks: Math.round(TICK_RATE / config.behaviorClassifyHz),
    maxPlayers: config.maxPlayers,
    cluster,
    onShutdown: async () => {
      clearInterval(retention);
      await inference?.close();
      await writes.close();
      await db.close();
      serverLog.info('shut down: rooms closed, writes flushed, database closed');
    },
  });
  await server.listen(config.port, config.host);
  const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
  serverLog.info({ port: config.port, host: config.host }, `Pulse Arena listening on http://${shown}:${config.port} (ready in ${Math.round(performance.now() - started)} ms)`);
  if (adminPassword) {
    serverLog.info(`accounts: created user admin (password ${adminPassword}; set ADMIN_PASSWORD to choose one). `
      + `Consoles: http://${shown}:${config.port}/designer/ and http://${shown}:${config.port}/moderator/`);
  }
  if (config.monitorPasswordGenerated) {
    serverLog.info(`monitor: http://${shown}:${config.port}/monitor/ (user admin, password ${config.monitorPassword}; set MONITOR_PASSWORD to choose one)`);
  }
}

/** Deletes chat past its retention now and every 6 hours (errors are logged; the next run retries). */
function startChatRetention(chat: ChatStore, days: number): NodeJS.Timeout {
  const run = () => chat.expire(days).then(
    (n) => { if (n > 0) serverLog.info({ deleted: n, days }, 'retention: deleted old chat messages'); },
    (err: unknown) => serverLog.warn({ error: errorMessage(err) }, 'retention: chat expiry failed; retried in 6 h'),
  );
  void run();
  const timer = setInterval(() => void run(), 6 * 3600_000);
  timer.unref();
  return timer;
}

/**
 * A fresh database has no staff accounts: create `admin` (password $ADMIN_PASSWORD, or a
 * generated one that is returned to be logged once) so the consoles can be reached.
 */
async function bootstrapAdmin(accounts: Accounts): Promise<string | null> {
  if ((await accounts.count()) > 0) return null;
  const given = process.env.ADMIN_PASSWORD?.trim();
  const password = given || randomBytes(12).toString('base64url');
  await accounts.create('admin', password, 'admin');
  return given ? null : password;
}

main().catch((err: unknown) => {
  serverLog.fatal({ error: errorMessage(err) }, `failed to start: ${errorMessage(err)}`);
  process.exit(1);
});
