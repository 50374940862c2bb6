/**
 * Mutes and bans in force, kept in memory so a chat message or a join is checked without
 * a database round trip; loaded at start, updated by every moderator action. The database
 * row is written first, so a restart never forgets a sanction. With several processes,
 * each change is announced on the cluster bus and every process's copy follows it.
 *
 * A guest can come back under a new guest id, so a guest's ban also refuses new guests
 * from the same network for a while (a day by default, see {@link GUEST_NETWORK_BAN_MS}). Networks are known only by a
 * keyed hash (HMAC with a server secret, see {@link Sanctions.networkKeyOf}); registered
 * players are never refused by network.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Sanction } from '@pulse-arena/shared';
import type { PrismaClient } from '../generated/prisma/client.js';
import { soloBus, type ClusterBus, type SanctionFacts } from '../cluster/bus.js';

/**
 * How long a banned guest's network stays closed to guests by default: long enough that
 * clearing the browser does not undo a ban, short enough that whoever gets the address next
 * (shared and reassigned addresses) is not locked out for good. `GUEST_NETWORK_BAN_HOURS`
 * sets it (0: off, e.g. for a LAN event where everyone shares one address).
 */
export const GUEST_NETWORK_BAN_MS = 24 * 3600_000;

/** A network refused to guests: until when, why, and whose ban it came from. */
interface NetworkBan { until: number; reason: string; playerId: string }

/** A sanction a moderator is adding (see {@link Sanctions.write}). */
export interface NewSanction {
  playerId: string;
  kind: 'warning' | 'mute' | 'ban';
  reason: string;
  by: string;
  until: Date | null;
  /** A banned guest's network, closed to new guests until then. */
  network: { key: string; until: Date } | null;
}

export class Sanctions {
  private readonly mutedUntil = new Map<string, number>();
  private readonly banned = new Map<string, string>();
  private readonly networks = new Map<string, NetworkBan>();

  private constructor(
    private readonly prisma: PrismaClient | null, private readonly bus: ClusterBus, private readonly secret: Buffer,
    /** How long a guest's ban closes their network to guests (0: never). */
    readonly guestNetworkBanMs: number,
  ) {
    bus.on((e) => {
      if (e.type === 'sanction') this.rememberFacts(e.playerId, e);
      if (e.type === 'erase') this.forgetHere(e.playerId);
      if (e.type === 'lift') {
        if (e.inForce) this.replace(e.playerId, e.inForce);
        else void this.reload(e.playerId).catch(() => undefined);
      }
    });
  }

  static async open(prisma: PrismaClient | null, bus: ClusterBus = soloBus, opts: { guestNetworkBanMs?: number } = {}): Promise<Sanctions> {
    // The network hash key is shared through the database, so every process hashes alike.
    let secret = randomBytes(32);
    if (prisma) {
      const name = 'network-key-secret';
      await prisma.serverSecret.createMany({ data: [{ name, value: secret.toString('base64url') }], skipDuplicates: true });
      secret = Buffer.from((await prisma.serverSecret.findUniqueOrThrow({ where: { name } })).value, 'base64url');
    }
    const s = new Sanctions(prisma, bus, secret, opts.guestNetworkBanMs ?? GUEST_NETWORK_BAN_MS);
    if (prisma) {
      const rows = await prisma.sanction.findMany({ where: inForce() });
      for (const r of rows) s.rememberRow(r);
    }
    return s;
  }

  /**
   * The keyed hash a client address is known by. An IPv6 address counts by its /64 (a home
   * or phone network; the host part rotates by itself); IPv4-mapped addresses as IPv4.
   */
  networkKeyOf(address: string): string {
    let a = address.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    if (isIPv6(a)) a = expandIPv6(a).slice(0, 4).join(':') + '::/64';
    return createHmac('sha256', this.secret).update(`network\0${a}`).digest('hex').slice(0, 32);
  }

  /** Ms since the epoch the player's mute ends, or 0 when not muted. */
  muteEnds(playerId: string, now = Date.now()): number {
    const until = this.mutedUntil.get(playerId) ?? 0;
    if (until <= now) {
      this.mutedUntil.delete(playerId);
      return 0;
    }
    return until;
  }

  /** The ban's reason, or null when not banned. */
  banReason(playerId: string): string | null {
    return this.banned.get(playerId) ?? null;
  }

  /** Whether new guests from the network `key` are refused, until when and why; null when not. */
  networkBan(key: string, now = Date.now()): { until: number; reason: string } | null {
    const ban = this.networks.get(key);
    if (!ban) return null;
    if (ban.until <= now) {
      this.networks.delete(key);
      return null;
    }
    return { until: ban.until, reason: ban.reason };
  }

  /**
   * Writes a sanction's row through `db` (a transaction of the caller's); {@link applied} once
   * it is committed. `network`: a guest's ban also closes their network to new guests.
   */
  async write(db: Pick<PrismaClient, 'sanction'>, s: NewSanction): Promise<void> {
    await db.sanction.create({
      data: {
        id: randomUUID(), playerId: s.playerId, kind: s.kind, until: s.until, reason: s.reason, by: s.by,
        networkKey: s.network?.key ?? null, networkUntil: s.network?.until ?? null,
      },
    });
  }

  /** A committed sanction holds here at once and in every other process (over the bus). */
  applied(s: NewSanction): void {
    const net = s.network && { key: s.network.key, until: s.network.until.getTime() };
    this.remember(s.playerId, s.kind, s.until, s.reason, net);
    this.bus.publish({ type: 'sanction', playerId: s.playerId, kind: s.kind, until: s.until?.getTime() ?? null, reason: s.reason, ...(net && { network: net }) });
  }

  /**
   * After a sanction row of the player was revoked (a lifted mute or ban): this process and
   * every other one read the player's sanctions in force again, so another ban or a longer
   * mute stays. @throws the database error.
   */
  async lifted(playerId: string): Promise<void> {
    const rows = await this.reload(playerId);
    this.bus.publish({ type: 'lift', playerId, inForce: rows.map(sanctionFacts) });
  }

  /** Reads the player's sanctions in force again; returns their rows. */
  private async reload(playerId: string) {
    const rows = await this.prisma?.sanction.findMany({ where: { playerId, ...inForce() } }) ?? [];
    this.forgetHere(playerId);
    for (const r of rows) this.rememberRow(r);
    return rows;
  }

  /** Another process's view of the player's sanctions in force replaces this one's. */
  private replace(playerId: string, facts: readonly SanctionFacts[]): void {
    this.forgetHere(playerId);
    for (const f of facts) this.rememberFacts(playerId, f);
  }

  /** Forgets a deleted player's sanctions (their rows are deleted with the player's data). */
  forget(playerId: string): void {
    this.forgetHere(playerId);
    this.bus.publish({ type: 'erase', playerId });
  }

  private forgetHere(playerId: string): void {
    this.mutedUntil.delete(playerId);
    this.banned.delete(playerId);
    for (const [key, ban] of this.networks) if (ban.playerId === playerId) this.networks.delete(key);
  }

  private rememberRow(r: SanctionRow): void {
    this.rememberFacts(r.playerId, sanctionFacts(r));
  }

  /** A sanction as the bus carries it (a row, a sanction event, or a lift's list). */
  private rememberFacts(playerId: string, f: SanctionFacts): void {
    this.remember(playerId, f.kind, f.until === null ? null : new Date(f.until), f.reason, f.network ?? null);
  }

  private remember(playerId: string, kind: string, until: Date | null, reason: string, network: { key: string; until: number } | null): void {
    if (kind === 'ban') this.banned.set(playerId, reason);
    if (kind === 'mute' && until) this.mutedUntil.set(playerId, Math.max(this.mutedUntil.get(playerId) ?? 0, until.getTime()));
    if (kind === 'ban' && network && network.until > Date.now() && network.until > (this.networks.get(network.key)?.until ?? 0)) {
      this.networks.set(network.key, { until: network.until, reason, playerId });
    }
  }
}

type SanctionRow = { playerId: string; kind: string; until: Date | null; reason: string; networkKey: string | null; networkUntil: Date | null };

/** A sanction row as the cluster bus carries it. */
function sanctionFacts(r: SanctionRow): SanctionFacts {
  return {
    kind: r.kind === 'ban' || r.kind === 'mute' ? r.kind : 'warning', until: r.until?.getTime() ?? null, reason: r.reason,
    ...(r.networkKey && r.networkUntil && { network: { key: r.networkKey, until: r.networkUntil.getTime() } }),
  };
}

/** The eight 16-bit groups of an IPv6 address, "::" expanded. */
function expandIPv6(a: string): string[] {
  const [head = '', tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') ? (tail ? tail.split(':') : []) : [];
  return [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Rows of mutes and bans that still hold at `now`. */
export function inForce(now = new Date()) {
  return { revokedAt: null, OR: [{ kind: 'ban' }, { kind: 'mute', until: { gt: now } }] };
}

export function sanctionView(r: { id: string; kind: string; until: Date | null; reason: string; by: string; createdAt: Date }): Sanction {
  return { id: r.id, kind: r.kind === 'ban' ? 'ban' : 'mute', until: r.until?.toISOString() ?? null, reason: r.reason, by: r.by, createdAt: r.createdAt.toISOString() };
}
