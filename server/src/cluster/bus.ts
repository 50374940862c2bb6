/**
 * What one server process must tell the others when several share Redis and PostgreSQL:
 * a new live rule set, a moderator's sanction and its notice, an approved held message,
 * a player's erased data, a flag that changed (for every open moderator console). The
 * database already holds each of these before it is published; the bus only makes other
 * processes act on it now instead of at their next restart.
 *
 * Carried on Colyseus's own presence pub/sub (Redis in scale-out mode), one channel.
 * Every event is also validated on receipt: a process never trusts the channel's shape.
 */
import type { Presence } from '@colyseus/core';
import { isUuid, type ChatLine, type FlagSummary, type ModerationNotice } from '@pulse-arena/shared';
import { errorMessage, log } from '../log.js';

const busLog = log.child({ component: 'cluster-bus' });

/** One sanction, as the bus carries it (times in ms since the epoch). */
export interface SanctionFacts { kind: 'warning' | 'mute' | 'ban'; until: number | null; reason: string; network?: { key: string; until: number } }

export type ClusterEvent =
  | { type: 'rules'; version: number }
  | ({ type: 'sanction'; playerId: string } & SanctionFacts)
  | { type: 'erase'; playerId: string }
  /**
   * A sanction of the player was lifted. `inForce`: the mutes and bans that still hold, as the
   * lifting process just read them, applied at once, so in order with the notice published
   * after it (a receiver that read the database instead could tell the player "unmuted" while
   * still refusing their chat). Without it (an older process): read them again from the database.
   */
  | { type: 'lift'; playerId: string; inForce?: SanctionFacts[] }
  | { type: 'notice'; playerId: string; notice: ModerationNotice }
  | { type: 'deliver'; line: ChatLine & { roomId: string } }
  | { type: 'flag'; flag: FlagSummary };

export const CLUSTER_CHANNEL = 'pulse-arena:cluster';

export interface ClusterBus {
  /** Sends to every other process (never back to this one). */
  publish(event: ClusterEvent): void;
  /** Calls `handler` with every event another process publishes; returns the unsubscribe function. */
  on(handler: (event: ClusterEvent) => void): () => void;
}

/** A single process: nobody to tell. */
export const soloBus: ClusterBus = { publish: () => undefined, on: () => () => undefined };

interface Envelope { from: string; event: ClusterEvent }

/**
 * The bus over `presence`. `processId` marks this process's envelopes so it skips its own
 * (presence delivers a publish to every subscriber, the publisher included).
 */
export function presenceBus(presence: Presence, processId: string, warn: (msg: string) => void = (msg) => busLog.warn(msg)): ClusterBus {
  const handlers = new Set<(event: ClusterEvent) => void>();
  let subscribed: Promise<unknown> | undefined;
  const receive = (raw: unknown) => {
    const env = raw as Partial<Envelope> | null;
    if (!env || typeof env !== 'object' || env.from === processId) return;
    const event = parseClusterEvent(env.event);
    if (!event) return warn(`[cluster] ignored a malformed event from ${String(env.from)}`);
    for (const h of handlers) {
      try {
        h(event);
      } catch (err) {
        warn(`[cluster] ${event.type} handler failed: ${errorMessage(err)}`);
      }
    }
  };
  return {
    publish(event) {
      const env: Envelope = { from: processId, event };
      // Presence implementations answer with a promise (Redis) or synchronously (local).
      Promise.resolve().then(() => presence.publish(CLUSTER_CHANNEL, env)).catch((err: unknown) => {
        warn(`[cluster] could not publish ${event.type}: ${errorMessage(err)}`);
      });
    },
    on(handler) {
      handlers.add(handler);
      subscribed ??= Promise.resolve().then(() => presence.subscribe(CLUSTER_CHANNEL, receive)).catch((err: unknown) => {
        // Redis presence resubscribes by itself once it reconnects.
        warn(`[cluster] could not subscribe yet: ${errorMessage(err)}`);
      });
      return () => handlers.delete(handler);
    },
  };
}

/** Most sanctions in force one lift event may carry (a player has a handful at most). */
const MAX_IN_FORCE = 100;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown, max = 10_000): v is string => typeof v === 'string' && v.length <= max;

/** The event, or null when `raw` is not a well-formed one. */
export function parseClusterEvent(raw: unknown): ClusterEvent | null {
  if (!isObject(raw)) return null;
  switch (raw.type) {
    case 'rules':
      return Number.isInteger(raw.version) && (raw.version as number) > 0 ? { type: 'rules', version: raw.version as number } : null;
    case 'sanction': {
      const { playerId, kind, until, reason } = raw;
      if (!isString(playerId) || !isUuid(playerId) || (kind !== 'warning' && kind !== 'mute' && kind !== 'ban')) return null;
      if (!isString(reason) || (until !== null && !Number.isFinite(until))) return null;
      const event: ClusterEvent = { type: 'sanction', playerId, kind, until: until as number | null, reason };
      if (raw.network === undefined) return event;
      const n = raw.network;
      if (!isObject(n) || !isString(n.key, 64) || !/^[0-9a-f]+$/.test(n.key) || !Number.isFinite(n.until)) return null;
      return { ...event, network: { key: n.key, until: n.until as number } };
    }
    case 'erase':
      return isString(raw.playerId) && isUuid(raw.playerId) ? { type: raw.type, playerId: raw.playerId } : null;
    case 'lift': {
      const { playerId } = raw;
      if (!isString(playerId) || !isUuid(playerId)) return null;
      if (raw.inForce === undefined) return { type: 'lift', playerId };
      if (!Array.isArray(raw.inForce) || raw.inForce.length > MAX_IN_FORCE) return null;
      const inForce: SanctionFacts[] = [];
      for (const s of raw.inForce as unknown[]) {
        // Each is checked as a sanction event of the player would be.
        const e = isObject(s) ? parseClusterEvent({ ...s, type: 'sanction', playerId }) : null;
        if (e?.type !== 'sanction') return null;
        const { type: _type, playerId: _player, ...facts } = e;
        inForce.push(facts);
      }
      return { type: 'lift', playerId, inForce };
    }
    case 'notice': {
      const n = raw.notice;
      if (!isString(raw.playerId) || !isUuid(raw.playerId) || !isObject(n) || !isString(n.message)) return null;
      if (n.kind !== 'warning' && n.kind !== 'muted' && n.kind !== 'banned' && n.kind !== 'unmuted') return null;
      if (n.until !== undefined && !Number.isFinite(n.until)) return null;
      const notice: ModerationNotice = { kind: n.kind, message: n.message, ...(n.until !== undefined && { until: n.until as number }) };
      return { type: 'notice', playerId: raw.playerId, notice };
    }
    case 'deliver': {
      const l = raw.line;
      if (!isObject(l) || !isString(l.id) || !isString(l.roomId) || !isString(l.text) || !isString(l.name) || !isString(l.createdAt)) return null;
      return { type: 'deliver', line: l as unknown as ChatLine & { roomId: string } };
    }
    case 'flag': {
      const f = raw.flag;
      if (!isObject(f) || !isString(f.id) || !isUuid(f.id) || !isString(f.status)) return null;
      return { type: 'flag', flag: f as unknown as FlagSummary };
    }
    default:
      return null;
  }
}
