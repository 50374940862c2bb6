/**
 * Where rule-set versions live. Versions are immutable and numbered 1, 2, 3…; the publish
 * history says which one is live (the newest publish), so a rollback is simply publishing
 * an older version again. {@link PrismaRuleStore} keeps them in the database (shared by
 * every server process); {@link MemoryRuleStore} serves a server run without a database.
 */
import type { RuleSet, RuleSetVersionDetail, RuleSetVersionSummary } from '@pulse-arena/shared';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';

export interface Published {
  version: number;
  publishedAt: Date;
}

export interface RuleStore {
  /** The live version (newest publish), or null when nothing was ever published. */
  live(): Promise<(RuleSetVersionDetail & { ruleSet: RuleSet }) | null>;
  /** Every version, newest first. */
  list(): Promise<RuleSetVersionSummary[]>;
  get(version: number): Promise<RuleSetVersionDetail | null>;
  /** Stores `ruleSet` (already validated) as the next version and publishes it, in one transaction. */
  createAndPublish(ruleSet: RuleSet, author: string, note: string): Promise<Published>;
  /** Publishes an existing version again (rollback); null when it does not exist. */
  publish(version: number, author: string, note: string): Promise<Published | null>;
}

type VersionRow = { version: number; name: string; ruleSet: unknown; author: string; note: string; createdAt: Date };

function summary(row: VersionRow, liveVersion: number | null, publishedAt: Date | null): RuleSetVersionSummary {
  const rules = (row.ruleSet as RuleSet).rules?.length ?? 0;
  return {
    version: row.version, name: row.name, rules, author: row.author, note: row.note,
    createdAt: row.createdAt.toISOString(), live: row.version === liveVersion,
    publishedAt: publishedAt?.toISOString() ?? null,
  };
}

export class PrismaRuleStore implements RuleStore {
  constructor(private readonly prisma: PrismaClient) {}

  async live() {
    const pub = await this.prisma.ruleSetPublish.findFirst({ orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }], include: { ruleSet: true } });
    if (!pub) return null;
    return { ...summary(pub.ruleSet, pub.version, pub.publishedAt), ruleSet: pub.ruleSet.ruleSet as unknown as RuleSet };
  }

  async list() {
    const [rows, pubs] = await Promise.all([
      this.prisma.ruleSetVersion.findMany({ orderBy: { version: 'desc' }, take: 500 }),
      this.prisma.ruleSetPublish.groupBy({ by: ['version'], _max: { publishedAt: true } }),
    ]);
    const live = await this.prisma.ruleSetPublish.findFirst({ orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }], select: { version: true } });
    const lastPublished = new Map(pubs.map((p) => [p.version, p._max.publishedAt]));
    return rows.map((r) => summary(r, live?.version ?? null, lastPublished.get(r.version) ?? null));
  }

  async get(version: number) {
    if (!Number.isInteger(version) || version < 1 || version > 2 ** 31 - 1) return null;
    const [row, last, live] = await Promise.all([
      this.prisma.ruleSetVersion.findUnique({ where: { version } }),
      this.prisma.ruleSetPublish.findFirst({ where: { version }, orderBy: { publishedAt: 'desc' } }),
      this.prisma.ruleSetPublish.findFirst({ orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }], select: { version: true } }),
    ]);
    if (!row) return null;
    return { ...summary(row, live?.version ?? null, last?.publishedAt ?? null), ruleSet: row.ruleSet as unknown as RuleSet };
  }

  async createAndPublish(ruleSet: RuleSet, author: string, note: string): Promise<Published> {
    // Two processes publishing at once may pick the same number: the primary key refuses one, which retries.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.prisma.$transaction(async (tx) => {
          const max = await tx.ruleSetVersion.aggregate({ _max: { version: true } });
          const version = (max._max.version ?? 0) + 1;
          await tx.ruleSetVersion.create({
            data: { version, name: ruleSet.name, ruleSet: ruleSet as unknown as Prisma.InputJsonValue, author, note },
          });
          const pub = await tx.ruleSetPublish.create({ data: { version, author, note } });
          return { version, publishedAt: pub.publishedAt };
        });
      } catch (err) {
        if (attempt < 4 && err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') continue;
        throw err;
      }
    }
  }

  async publish(version: number, author: string, note: string): Promise<Published | null> {
    if (!Number.isInteger(version) || version < 1 || version > 2 ** 31 - 1) return null;
    const exists = await this.prisma.ruleSetVersion.findUnique({ where: { version }, select: { version: true } });
    if (!exists) return null;
    const pub = await this.prisma.ruleSetPublish.create({ data: { version, author, note } });
    return { version, publishedAt: pub.publishedAt };
  }
}

/** The same contract in memory, for a server (or test) run without a database. */
export class MemoryRuleStore implements RuleStore {
  private readonly versions: VersionRow[] = [];
  private readonly publishes: Array<{ version: number; at: Date }> = [];

  private liveVersion(): number | null {
    return this.publishes.at(-1)?.version ?? null;
  }

  private lastPublished(version: number): Date | null {
    for (let i = this.publishes.length - 1; i >= 0; i--) if (this.publishes[i]!.version === version) return this.publishes[i]!.at;
    return null;
  }

  async live() {
    const v = this.liveVersion();
    return v === null ? null : this.get(v) as Promise<RuleSetVersionDetail>;
  }

  async list() {
    return [...this.versions].reverse().map((r) => summary(r, this.liveVersion(), this.lastPublished(r.version)));
  }

  async get(version: number) {
    const row = this.versions.find((r) => r.version === version);
    return row ? { ...summary(row, this.liveVersion(), this.lastPublished(version)), ruleSet: structuredClone(row.ruleSet) as RuleSet } : null;
  }

  async createAndPublish(ruleSet: RuleSet, author: string, note: string): Promise<Published> {
    const version = this.versions.length + 1;
    this.versions.push({ version, name: ruleSet.name, ruleSet: structuredClone(ruleSet), author, note, createdAt: new Date() });
    return (await this.publish(version, author, note))!;
  }

  async publish(version: number, _author: string, _note: string): Promise<Published | null> {
    if (!this.versions.some((r) => r.version === version)) return null;
    // Strictly increasing times, so "newest publish" is well defined even within a millisecond.
    const last = this.publishes.at(-1)?.at.getTime() ?? 0;
    const at = new Date(Math.max(Date.now(), last + 1));
    this.publishes.push({ version, at });
    return { version, publishedAt: at };
  }
}
