/**
 * Server configuration from the environment. Everything has an embedded default so
 * `npm start` on a fresh clone just works.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TICK_RATE } from '@pulse-arena/shared';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerConfig {
  /** HTTP + WebSocket port. */
  port: number;
  host: string;
  /** PostgreSQL URL; unset → embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database (and its lockfile). */
  dataDir: string;
  /** Built client served at `/`. */
  clientDist: string;
  /** Password of the `/monitor` page (user `admin`). */
  monitorPassword: string;
  /** True when the monitor password was generated (it is logged once at start). */
  monitorPasswordGenerated: boolean;
  /** WebSocket transport: `ws` (default) or `uws` (only when its official build is installed). */
  transport: 'ws' | 'uws';
  /** Rebuild the client at start when its sources changed (`CLIENT_BUILD=off` to skip). */
  buildClient: boolean;
  /** Serve the behavior and chat models (`INFERENCE=off` runs the game without them). */
  inference: boolean;
  /** Chat kept this many days (messages an open flag points at are kept until it is resolved). */
  chatRetentionDays: number;
  /** Links in chat: allowed, replaced by "[link]" (default) or refused. */
  chatLinks: 'allow' | 'redact' | 'block';
  /** Run the director (designer rules → knobs and recommendations); `DIRECTOR=off` keeps default knobs. */
  director: boolean;
  /** How often each player's latest window is classified, 1–TICK_RATE per second, rounded to whole ticks (`BEHAVIOR_CLASSIFY_HZ`). */
  behaviorClassifyHz: number;
  /**
   * Redis URL (`REDIS_URL`): set, the server runs as one process of several, on Colyseus's
   * Redis presence and driver (rooms, seat reservations and cross-process events shared).
   */
  redisUrl: string | undefined;
  /**
   * `host:port` (optionally with a path) clients use to reach this process's rooms directly
   * (`PUBLIC_ADDRESS`); needed in scale-out mode. Default: HOST:PORT (localhost for 0.0.0.0).
   */
  publicAddress: string;
  /** Hours a guest's ban closes their network to guests (`GUEST_NETWORK_BAN_HOURS`, 0 = off; default 24). */
  guestNetworkBanHours: number;
  /** The most players this process takes (`MAX_PLAYERS`); past it joins are refused as "server full". Null: no limit. */
  maxPlayers: number | null;
}

/** @throws Error with the variable's name when a value is malformed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 2567);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT: not a port number: ${env.PORT}`);
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  }
  const transport = env.TRANSPORT?.trim() || 'ws';
  if (transport !== 'ws' && transport !== 'uws') throw new Error(`TRANSPORT: must be ws or uws, got ${transport}`);
  const monitorPassword = env.MONITOR_PASSWORD?.trim() || randomBytes(12).toString('base64url');
  const inference = env.INFERENCE?.trim() || 'on';
  if (inference !== 'on' && inference !== 'off') throw new Error(`INFERENCE: must be on or off, got ${inference}`);
  const chatRetentionDays = Number(env.CHAT_RETENTION_DAYS?.trim() || 90);
  if (!Number.isInteger(chatRetentionDays) || chatRetentionDays < 1 || chatRetentionDays > 3650) {
    throw new Error(`CHAT_RETENTION_DAYS: an integer from 1 to 3650, got ${env.CHAT_RETENTION_DAYS}`);
  }
  const chatLinks = env.CHAT_LINKS?.trim() || 'redact';
  if (chatLinks !== 'allow' && chatLinks !== 'redact' && chatLinks !== 'block') {
    throw new Error(`CHAT_LINKS: must be allow, redact or block, got ${chatLinks}`);
  }
  const director = env.DIRECTOR?.trim() || 'on';
  if (director !== 'on' && director !== 'off') throw new Error(`DIRECTOR: must be on or off, got ${director}`);
  const behaviorClassifyHz = Number(env.BEHAVIOR_CLASSIFY_HZ?.trim() || 1);
  if (!Number.isInteger(behaviorClassifyHz) || behaviorClassifyHz < 1 || behaviorClassifyHz > TICK_RATE) {
    throw new Error(`BEHAVIOR_CLASSIFY_HZ: must be an integer from 1 to ${TICK_RATE}, got ${env.BEHAVIOR_CLASSIFY_HZ}`);
  }
  const guestNetworkBanHours = Number(env.GUEST_NETWORK_BAN_HOURS?.trim() || 24);
  if (!Number.isInteger(guestNetworkBanHours) || guestNetworkBanHours < 0 || guestNetworkBanHours > 720) {
    throw new Error(`GUEST_NETWORK_BAN_HOURS: an integer from 0 (off) to 720, got ${env.GUEST_NETWORK_BAN_HOURS}`);
  }
  const maxPlayersText = env.MAX_PLAYERS?.trim() || '';
  const maxPlayers = maxPlayersText ? Number(maxPlayersText) : null;
  if (maxPlayers !== null && !(Number.isInteger(maxPlayers) && maxPlayers >= 1 && maxPlayers <= 100_000)) {
    throw new Error(`MAX_PLAYERS: an integer from 1 to 100000 (unset: no limit), got ${env.MAX_PLAYERS}`);
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error('REDIS_URL: must be a redis:// or rediss:// URL');
  const host = env.HOST?.trim() || '0.0.0.0';
  const publicAddress = env.PUBLIC_ADDRESS?.trim() || `${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  if (/^[a-z]+:\/\//i.test(publicAddress) || /\s/.test(publicAddress)) {
    throw new Error(`PUBLIC_ADDRESS: host:port without a scheme, got ${publicAddress}`);
  }
  return {
    port,
    host,
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR?.trim() || path.join(REPO_ROOT, 'data')),
    clientDist: path.resolve(env.CLIENT_DIST?.trim() || path.join(REPO_ROOT, 'client/dist')),
    monitorPassword,
    monitorPasswordGenerated: !env.MONITOR_PASSWORD?.trim(),
    transport,
    buildClient: (env.CLIENT_BUILD?.trim() || 'auto') !== 'off',
    inference: inference === 'on',
    director: director === 'on',
    chatRetentionDays,
    chatLinks,
    behaviorClassifyHz,
    redisUrl,
    publicAddress,
    guestNetworkBanHours,
    maxPlayers,
  };
}
