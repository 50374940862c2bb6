/**
 * Mutes and bans in force, kept in memory so a chat message or a join is checked without
 * a database round trip; loaded at start, updated by every moderator action. The database
 * row is written first, so a restart never forgets a sanction. With several processes,
 * each change is announced on the cluster bus and every process's copy follows it.
 */
import { randomUUID } from 'node:crypto';
import type { Sanction } from '@pulse-arena/shared';
import type { PrismaClient } from '../generated/prisma/client.js';
import { soloBus, type ClusterBus } from '../cluster/bus.js';

export class Sanctions {
  private readonly mutedUntil = new Map<string, number>();
  private readonly banned = new Map<string, string>();

  private constructor(private readonly prisma: PrismaClient | null, private readonly bus: ClusterBus) {
    bus.on((e) => {
      if (e.type === 'sanction') this.remember(e.playerId, e.kind, e.until === null ? null : new Date(e.until), e.reason);
      if (e.type === 'erase') this.forgetHere(e.playerId);
      if (e.type === 'lift') void this.reload(e.playerId).catch(() => undefined);
    });
  }

  static async open(prisma: PrismaClient | null, bus: ClusterBus = soloBus): Promise<Sanctions> {
    const s = new Sanctions(prisma, bus);
    if (prisma) {
      const rows = await prisma.sanction.findMany({ where: inForce() });
      for (const r of rows) s.remember(r.playerId, r.kind, r.until, r.reason);
    }
    return s;
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

  /** Stores and applies a sanction. @throws the database error (nothing is applied then). */
  async add(playerId: string, kind: 'warning' | 'mute' | 'ban', reason: string, by: string, until: Date | null): Promise<void> {
    await this.prisma?.sanction.create({ data: { id: randomUUID(), playerId, kind, until, reason, by } });
    this.remember(playerId, kind, until, reason);
    this.bus.publish({ type: 'sanction', playerId, kind, until: until?.getTime() ?? null, reason });
  }

  /**
   * After a sanction row of the player was revoked (a lifted mute or ban): this process and
   * every other one read the player's sanctions in force again, so another ban or a longer
   * mute stays. @throws the database error.
   */
  async lifted(playerId: string): Promise<void> {
    await this.reload(playerId);
    this.bus.publish({ type: 'lift', playerId });
  }

  private async reload(playerId: string): Promise<void> {
    const rows = await this.prisma?.sanction.findMany({ where: { playerId, ...inForce() } }) ?? [];
    this.forgetHere(playerId);
    for (const r of rows) this.remember(r.playerId, r.kind, r.until, r.reason);
  }

  /** Forgets a deleted player's sanctions (their rows are deleted with the player's data). */
  forget(playerId: string): void {
    this.forgetHere(playerId);
    this.bus.publish({ type: 'erase', playerId });
  }

  private forgetHere(playerId: string): void {
    this.mutedUntil.delete(playerId);
    this.banned.delete(playerId);
  }

  private remember(playerId: string, kind: string, until: Date | null, reason: string): void {
    if (kind === 'ban') this.banned.set(playerId, reason);
    if (kind === 'mute' && until) this.mutedUntil.set(playerId, Math.max(this.mutedUntil.get(playerId) ?? 0, until.getTime()));
  }
}

/** Rows of mutes and bans that still hold at `now`. */
export function inForce(now = new Date()) {
  return { revokedAt: null, OR: [{ kind: 'ban' }, { kind: 'mute', until: { gt: now } }] };
}

export function sanctionView(r: { id: string; kind: string; until: Date | null; reason: string; by: string; createdAt: Date }): Sanction {
  return { id: r.id, kind: r.kind === 'ban' ? 'ban' : 'mute', until: r.until?.toISOString() ?? null, reason: r.reason, by: r.by, createdAt: r.createdAt.toISOString() };
}
