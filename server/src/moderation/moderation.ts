/**
 * The moderation loop's server side: flags raised by the chat pipeline and the behavior
 * model, the queue moderators work (with a live event stream), their actions and the
 * append-only audit log, the effects those actions have on live players, and a player's
 * data export and deletion. Flags and actions are committed before they are reported, so
 * a crash loses none.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  CLAIM_LAPSE_MINUTES, MAX_ACTION_NOTE, MUTE_SECONDS, claimHolder, claimLapsesAt, flagKindsCoveredBy, flagsCoveredBy, formatDuration,
  type AuditEntry, type ChatDecision, type ChatLine, type FlagDetail, type FlagStatus, type FlagSummary,
  type InputValues, type LiftSanctionRequest, type LiftSanctionResult, type ModerationActionKind, type ModerationActionRequest, type ModerationActionResult, type PlayerExport, type PlayerHistory, type Severity,
  type ReportReason,
} from '@pulse-arena/shared';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import { chatLine, insertFlagSql, type ChatStore, type FlagRow, type StoredChat } from './chatStore.js';
import type { PipelineResult } from './chatPipeline.js';
import { inForce, sanctionView, type NewSanction, type Sanctions } from './sanctions.js';
import { soloBus, type ClusterBus } from '../cluster/bus.js';

/** What moderator actions do to players who are online now (implemented over the live rooms). */
export interface LiveEffects {
  /** A guest's network key if they play in this process now (the database may not have it yet). */
  networkKeyOf(playerId: string): string | null;
  /** Each returns how many live sessions it reached. */
  warn(playerId: string, message: string): number;
  mute(playerId: string, until: number, reason: string): number;
  ban(playerId: string, reason: string): number;
  /** Tells the player their mute was lifted. */
  unmute(playerId: string, note: string): number;
  /** Delivers an approved held message to its room; returns recipients. */
  deliver(line: ChatLine & { roomId: string }): number;
  /** Appended to the counts in an action's result: where they were counted ('' for one process). */
  readonly countedWhere: string;
}

export class ModerationError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string) {
    super(message);
  }
}

/** Smoothed "inhuman" probability at which a player is flagged as a suspected cheat. */
export const INHUMAN_FLAG_AT = 0.8;
/** One behavior flag per player per this long, so a cheat is one queue item, not sixty. */
export const BEHAVIOR_FLAG_COOLDOWN_MS = 10 * 60_000;

/** "1 live session", "3 live sessions". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summary(f: FlagRow): FlagSummary {
  const scores = f.scores as { text?: string };
  return {
    id: f.id, kind: f.kind as FlagSummary['kind'], severity: f.severity as Severity, status: f.status as FlagStatus,
    reason: f.reason, playerId: f.playerId, playerName: f.playerName, roomId: f.roomId,
    ...(scores.text !== undefined && { text: scores.text }),
    createdAt: f.createdAt.toISOString(), updatedAt: f.updatedAt.toISOString(), assignee: f.assignee,
    claimLapsesAt: f.status === 'claimed' ? new Date(claimLapsesAt(f)).toISOString() : null,
  };
}

/** A new flag: open, unclaimed, created now. */
function openFlag(f: Omit<FlagRow, 'id' | 'status' | 'assignee' | 'createdAt' | 'updatedAt' | 'resolvedAt'>): FlagRow {
  const now = new Date();
  return { id: randomUUID(), status: 'open', assignee: null, createdAt: now, updatedAt: now, resolvedAt: null, ...f };
}

/** The model scores a flag shows (chat: sentiment and toxicity; behavior: class probabilities). */
interface FlagScores {
  sentiment?: [number, number, number];
  toxicity?: number;
  probabilities?: Record<string, number>;
}

/** What the chat model said of a stored line (a reported line's flag shows it beside the report). */
function modelScoresOf(m: Prisma.ChatMessageGetPayload<object>): FlagScores {
  if (m.toxicity === null || m.sentimentNegative === null || m.sentimentNeutral === null || m.sentimentPositive === null) return {};
  return { sentiment: [m.sentimentNegative, m.sentimentNeutral, m.sentimentPositive], toxicity: m.toxicity };
}

function audit(a: Prisma.ModerationActionGetPayload<object>, playerName: string | null): AuditEntry {
  return {
    id: a.id, at: a.at.toISOString(), moderator: a.moderator, action: a.action as AuditEntry['action'],
    flagId: a.flagId, playerId: a.playerId, playerName, note: a.note, details: a.details as Record<string, unknown>,
  };
}

export function chatSeverity(decision: ChatDecision, toxicity: number): Severity {
  if (decision === 'block') return toxicity >= 0.99 ? 4 : 3;
  if (decision === 'hold') return 3;
  return decision === 'mask' ? 2 : 1;
}

export class Moderation {
  /** `flag` events carry a FlagSummary each time a flag is created or changes. */
  readonly events = new EventEmitter();
  private readonly lastBehaviorFlag = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaClient,
    readonly chat: ChatStore,
    readonly sanctions: Sanctions,
    private readonly effects: LiveEffects,
    /** Flags raised or changed on other processes reach this one's consoles through it. */
    private readonly bus: ClusterBus = soloBus,
  ) {
    this.events.setMaxListeners(0);
    bus.on((e) => { if (e.type === 'flag') this.events.emit('flag', e.flag); });
  }

  /**
   * Stores a line the pipeline decided on; a line it did not simply allow (masked, held,
   * blocked, or allowed for review) is stored with its flag in the same statement, and the
   * flag is announced to the consoles. Returns the flag, or null for an allowed line.
   * @throws the database error (nothing was stored; the caller refuses the line).
   */
  async storeChat(m: StoredChat, result: PipelineResult): Promise<FlagSummary | null> {
    if (result.decision === 'allow' && !result.review) {
      await this.chat.insert(m);
      return null;
    }
    const row = openFlag({
      kind: 'chat', severity: chatSeverity(result.decision, result.scores.toxicity), reason: result.reason,
      playerId: m.playerId, playerName: m.name, roomId: m.roomId, matchId: m.matchId, messageId: m.id,
      scores: { text: m.text, sentiment: [...result.scores.sentiment], toxicity: result.scores.toxicity, scored: result.scores.scored },
      filterHits: result.filterHits, decision: result.decision, evidence: null,
    });
    await this.chat.insert(m, row);
    return this.emit(row);
  }

  /**
   * A player reported another player's chat line: a flag for the moderators, with the line
   * (already stored: only delivered lines can be reported) as its message. Hate and threats
   * rank high, the rest medium.
   */
  async flagReport(r: {
    messageId: string; reason: ReportReason; roomId: string; matchId: string; text: string;
    reported: { playerId: string; name: string }; reporter: { playerId: string; name: string };
  }): Promise<FlagSummary> {
    const row = openFlag({
      kind: 'report', severity: r.reason === 'hate' || r.reason === 'threat' ? 3 : 2,
      reason: `reported by ${r.reporter.name}: ${r.reason}`,
      playerId: r.reported.playerId, playerName: r.reported.name, roomId: r.roomId, matchId: r.matchId, messageId: r.messageId,
      scores: { text: r.text, reportReason: r.reason, reporterId: r.reporter.playerId },
      filterHits: [], decision: null, evidence: null,
    });
    await this.prisma.$executeRaw(insertFlagSql(row));
    return this.emit(row);
  }

  /**
   * Flags suspected cheating from the behavior model's smoothed read, at most once per
   * player per {@link BEHAVIOR_FLAG_COOLDOWN_MS}. Returns null when it did not flag.
   */
  async flagBehavior(f: {
    playerId: string; name: string; roomId: string; matchId: string;
    probabilities: Record<string, number>; window: Float32Array; features: number; inputs?: InputValues;
  }): Promise<FlagSummary | null> {
    const p = f.probabilities.inhuman ?? 0;
    const last = this.lastBehaviorFlag.get(f.playerId) ?? -Infinity;
    if (p < INHUMAN_FLAG_AT || Date.now() - last < BEHAVIOR_FLAG_COOLDOWN_MS) return null;
    this.lastBehaviorFlag.set(f.playerId, Date.now());
    const window: number[][] = [];
    for (let i = 0; i < f.window.length; i += f.features) window.push(Array.from(f.window.subarray(i, i + f.features), (v) => Math.round(v * 1e4) / 1e4));
    const row = openFlag({
      kind: 'behavior', severity: p >= 0.95 ? 4 : 3,
      reason: `suspected cheating: behavior model reads "inhuman" ${p.toFixed(2)} ≥ ${INHUMAN_FLAG_AT}`,
      playerId: f.playerId, playerName: f.name, roomId: f.roomId, matchId: f.matchId, messageId: null,
      scores: { probabilities: f.probabilities }, filterHits: [], decision: null,
      evidence: { window, ...(f.inputs && { inputs: f.inputs }) } as Prisma.JsonObject,
    });
    await this.prisma.$executeRaw(insertFlagSql(row));
    return this.emit(row);
  }

  async list(status: FlagStatus | 'all', limit: number): Promise<FlagSummary[]> {
    // A lapsed claim is anyone's to take, so it is open work too; it stays in the claimed list
    // as well, so that a claim lapsing between a console's two fetches is in one of them.
    const lapsedBy = new Date(Date.now() - CLAIM_LAPSE_MINUTES * 60_000);
    const where: Prisma.FlagWhereInput = status === 'all' ? {}
      : status === 'open' ? { OR: [{ status: 'open' }, { status: 'claimed', updatedAt: { lte: lapsedBy } }] }
        : { status };
    const rows = await this.prisma.flag.findMany({
      where,
      orderBy: [{ severity: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(summary);
  }

  async detail(id: string): Promise<FlagDetail | null> {
    const f = await this.prisma.flag.findUnique({ where: { id } });
    if (!f) return null;
    const [message, actions, history] = await Promise.all([
      f.messageId ? this.prisma.chatMessage.findUnique({ where: { id: f.messageId } }) : null,
      this.prisma.moderationAction.findMany({ where: { flagId: id }, orderBy: { at: 'asc' } }),
      this.history(f.playerId),
    ]);
    // A reported line's flag has no scores of its own: it shows the model's read of the line.
    const reported = f.kind === 'report' ? message : null;
    const scores: FlagScores = reported ? modelScoresOf(reported) : f.scores as FlagScores;
    const evidence = f.evidence as { window?: number[][]; inputs?: InputValues } | null;
    return {
      ...summary(f),
      ...(message && { message: chatLine(message) }),
      context: message ? await this.chat.around(message.roomId, message.createdAt) : [],
      scores: {
        ...(scores.sentiment && { sentiment: scores.sentiment }), ...(scores.toxicity !== undefined && { toxicity: scores.toxicity }),
        ...(scores.probabilities && { probabilities: scores.probabilities }),
      },
      filterHits: (reported ? reported.filterHits ?? [] : f.filterHits) as string[],
      ...(f.decision && { decision: f.decision as ChatDecision }),
      ...(evidence?.window && { window: evidence.window }),
      ...(evidence?.inputs && { inputs: evidence.inputs }),
      history: history ?? emptyHistory(f.playerId, f.playerName),
      actions: actions.map((a) => audit(a, f.playerName)),
    };
  }

  /**
   * Claims a flag: open, the caller's, or another moderator's lapsed claim (taken over).
   * @throws ModerationError 404 (no flag), 409 (another moderator holds it, or it is resolved).
   */
  async claim(id: string, moderator: string): Promise<FlagSummary> {
    const { flag } = await this.transition(id, moderator, 'claim', '', {}, () => ({ status: 'claimed', assignee: moderator }));
    return flag;
  }

  /**
   * Gives a claim back: the flag is open again for any moderator (claimed by mistake, or
   * better left to someone else). Only its holder can.
   * @throws ModerationError 404 (no flag), 409 (not claimed by this moderator).
   */
  async release(id: string, moderator: string): Promise<FlagSummary> {
    const { flag } = await this.transition(id, moderator, 'release', '', {}, (f) => {
      if (f.status !== 'claimed' || f.assignee !== moderator) throw new ModerationError(409, 'only the moderator holding the claim can release it');
      return { status: 'open', assignee: null };
    });
    return flag;
  }

  /**
   * Takes an action on a flag (claiming it if open) and applies its effect live.
   * @throws ModerationError 400 (bad request), 404, 409.
   */
  async act(id: string, moderator: string, req: ModerationActionRequest): Promise<ModerationActionResult> {
    const note = (req.note ?? '').trim();
    if (note.length > MAX_ACTION_NOTE) throw new ModerationError(400, `note: at most ${MAX_ACTION_NOTE} characters`);
    if ((req.action === 'warn' || req.action === 'mute' || req.action === 'ban') && !note) {
      throw new ModerationError(400, `note: required for ${req.action} (it is shown to the player and kept in the audit log)`);
    }
    let until: Date | null = null;
    if (req.action === 'mute') {
      const d = req.durationSeconds;
      if (typeof d !== 'number' || !Number.isInteger(d) || d < MUTE_SECONDS.min || d > MUTE_SECONDS.max) {
        throw new ModerationError(400, `durationSeconds: an integer from ${MUTE_SECONDS.min} to ${MUTE_SECONDS.max}`);
      }
      until = new Date(Date.now() + d * 1000);
    }
    const details: Record<string, unknown> = { ...(until && { until: until.toISOString(), durationSeconds: req.durationSeconds }) };
    const before = await this.prisma.flag.findUnique({ where: { id } });
    if (!before) throw new ModerationError(404, `no flag ${id}`);
    if (req.action === 'approve') {
      if (before.kind !== 'chat' || !before.messageId) throw new ModerationError(400, 'approve: only a held chat message can be approved');
      const msg = await this.prisma.chatMessage.findUnique({ where: { id: before.messageId }, select: { held: true } });
      if (!msg?.held) throw new ModerationError(409, 'approve: the message is not held (already delivered, or refused)');
    }
    // The sanction is written in the flag's transaction: the moderator is answered only when
    // both are stored, and a refused action (another moderator got there first) sanctions nobody.
    let sanction: NewSanction | null = null;
    if (req.action === 'warn' || req.action === 'mute' || req.action === 'ban') {
      this.assertClaimable(before, moderator);
      const network = req.action === 'ban' ? await this.guestNetwork(before.playerId) : null;
      if (network) details.guestNetworkUntil = network.until.toISOString();
      sanction = { playerId: before.playerId, kind: req.action === 'warn' ? 'warning' : req.action, reason: note, by: moderator, until, network };
    }
    const covering = req.resolveOthers !== false && flagKindsCoveredBy(req.action).length > 0;
    const { flag, entry, alsoResolved } = await this.transition(id, moderator, req.action, note, details, (f) => {
      this.assertClaimable(f, moderator);
      return req.action === 'escalate'
        ? { status: 'escalated', assignee: null }
        : { status: 'resolved', assignee: moderator, resolvedAt: new Date() };
    }, { covers: covering ? req.action : null, sanction });
    if (sanction) this.sanctions.applied(sanction);
    const where = this.effects.countedWhere;
    let effect: string;
    switch (req.action) {
      case 'warn': effect = `warning shown in ${count(this.effects.warn(flag.playerId, note), 'live session')}${where}`; break;
      case 'mute':
        effect = `muted for ${formatDuration(req.durationSeconds!)}; told in ${count(this.effects.mute(flag.playerId, until!.getTime(), note), 'live session')}${where}`;
        break;
      case 'ban':
        effect = `banned; removed from ${count(this.effects.ban(flag.playerId, note), 'live session')}${where}`
          + (details.guestNetworkUntil ? `; new guests from the player's network refused for ${formatDuration(this.sanctions.guestNetworkBanMs / 1000)}` : '');
        break;
      case 'approve': {
        const line = await this.chat.release(before.messageId!);
        effect = line ? `message delivered to ${count(this.effects.deliver(line), 'player')}` : 'message was no longer held';
        break;
      }
      case 'escalate': effect = 'escalated: back in the queue for a senior moderator'; break;
      default: effect = before.decision === 'hold' ? 'dismissed; the held message stays undelivered' : 'dismissed';
    }
    if (alsoResolved.length) effect += `; ${count(alsoResolved.length, 'other open flag')} of this player resolved with it`;
    return { flag, audit: entry, effect, alsoResolved };
  }

  /**
   * A guest's network, closed to guests with their ban (null for a registered player, or a
   * guest never seen with one): the database has it a second after they joined, a room of
   * this process at once.
   */
  private async guestNetwork(playerId: string): Promise<{ key: string; until: Date } | null> {
    if (this.sanctions.guestNetworkBanMs <= 0) return null;
    if (await this.prisma.account.findUnique({ where: { id: playerId }, select: { id: true } })) return null;
    const key = this.effects.networkKeyOf(playerId)
      ?? (await this.prisma.player.findUnique({ where: { id: playerId }, select: { networkKey: true } }))?.networkKey ?? null;
    return key ? { key, until: new Date(Date.now() + this.sanctions.guestNetworkBanMs) } : null;
  }

  /**
   * Lifts a mute or ban early (a mistake, an appeal): revoked and logged in one transaction,
   * then applied live; a player whose mute is lifted is told.
   * @throws ModerationError 400 (no note), 404 (no such mute or ban of the player), 409 (lifted already, or the mute is over).
   */
  async lift(playerId: string, sanctionId: string, moderator: string, req: Partial<LiftSanctionRequest>): Promise<LiftSanctionResult> {
    const note = typeof req.note === 'string' ? req.note.trim() : '';
    if (!note) throw new ModerationError(400, 'note: required to lift a sanction (kept in the audit log)');
    if (note.length > MAX_ACTION_NOTE) throw new ModerationError(400, `note: at most ${MAX_ACTION_NOTE} characters`);
    const row = await this.prisma.sanction.findUnique({ where: { id: sanctionId } });
    if (!row || row.playerId !== playerId || row.kind === 'warning') throw new ModerationError(404, `player ${playerId} has no mute or ban ${sanctionId}`);
    const now = new Date();
    const entry = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.sanction.updateMany({ where: { id: sanctionId, ...inForce(now) }, data: { revokedAt: now } });
      if (count === 0) throw new ModerationError(409, row.revokedAt ? 'this sanction was lifted already' : 'this mute is over already');
      return tx.moderationAction.create({
        data: { id: randomUUID(), moderator, action: 'lift', playerId, note, details: { sanctionId, kind: row.kind } },
      });
    });
    await this.sanctions.lifted(playerId);
    let effect: string;
    if (row.kind === 'mute') {
      const still = this.sanctions.muteEnds(playerId);
      effect = still
        ? `mute lifted; another mute runs ${formatDuration((still - now.getTime()) / 1000)} more`
        : `mute lifted; told in ${count(this.effects.unmute(playerId, note), 'live session')}${this.effects.countedWhere}`;
    } else {
      effect = this.sanctions.banReason(playerId) !== null ? 'ban lifted; another ban stays in force' : 'ban lifted; the player can join again';
    }
    const player = await this.prisma.player.findUnique({ where: { id: playerId }, select: { name: true } });
    return { audit: audit(entry, player?.name ?? null), effect };
  }

  /** Flags no moderator has finished with (open, claimed or escalated). */
  openFlagCount(): Promise<number> {
    return this.prisma.flag.count({ where: { status: { not: 'resolved' } } });
  }

  async history(playerId: string): Promise<PlayerHistory | null> {
    const player = await this.prisma.player.findUnique({ where: { id: playerId } });
    const [chat, flags, sanctions] = await Promise.all([
      this.chat.ofPlayer(playerId),
      this.prisma.flag.findMany({ where: { playerId }, orderBy: { createdAt: 'desc' }, take: 50 }),
      this.prisma.sanction.findMany({ where: { playerId, revokedAt: null }, orderBy: { createdAt: 'desc' } }),
    ]);
    if (!player && flags.length === 0) return null;
    const mute = this.sanctions.muteEnds(playerId);
    return {
      playerId, name: player?.name ?? flags[0]?.playerName ?? '',
      firstSeen: player?.createdAt.toISOString() ?? null, lastSeen: player?.lastSeenAt.toISOString() ?? null,
      chat, flags: flags.map(summary),
      sanctions: sanctions.filter((s) => s.kind !== 'warning').map(sanctionView),
      warnings: sanctions.filter((s) => s.kind === 'warning').length,
      mutedUntil: mute ? new Date(mute).toISOString() : null,
      banned: this.sanctions.banReason(playerId) !== null,
    };
  }

  async auditLog(q: { limit: number; flagId?: string; playerId?: string }): Promise<AuditEntry[]> {
    const rows = await this.prisma.moderationAction.findMany({
      where: { ...(q.flagId && { flagId: q.flagId }), ...(q.playerId && { playerId: q.playerId }) },
      orderBy: [{ at: 'desc' }, { id: 'desc' }], take: q.limit,
    });
    // Names from the players' rows, or for a player whose row is not written yet, a flag's;
    // erasure deletes both, so an erased player's entries name nobody.
    const ids = [...new Set(rows.flatMap((r) => (r.playerId ? [r.playerId] : [])))];
    const players = ids.length ? await this.prisma.player.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
    const names = new Map(players.map((p) => [p.id, p.name]));
    const unnamed = ids.filter((id) => !names.has(id));
    if (unnamed.length) {
      for (const f of await this.prisma.flag.findMany({ where: { playerId: { in: unnamed } }, select: { playerId: true, playerName: true }, take: 1000 })) {
        names.set(f.playerId, f.playerName);
      }
    }
    return rows.map((r) => audit(r, r.playerId ? names.get(r.playerId) ?? null : null));
  }

  /** Everything stored about a player (their right of access). Logged in the audit log. */
  async exportPlayer(playerId: string, admin: string): Promise<PlayerExport> {
    const [player, chat, flags, sanctions, profile, matches] = await Promise.all([
      this.prisma.player.findUnique({ where: { id: playerId } }),
      this.prisma.chatMessage.findMany({ where: { playerId }, orderBy: { createdAt: 'asc' } }),
      this.prisma.flag.findMany({ where: { playerId }, orderBy: { createdAt: 'asc' } }),
      this.prisma.sanction.findMany({ where: { playerId }, orderBy: { createdAt: 'asc' } }),
      this.prisma.playerProfile.findUnique({ where: { playerId } }),
      this.prisma.matchPlayer.findMany({ where: { playerId }, orderBy: { joinedAt: 'asc' } }),
    ]);
    await this.prisma.moderationAction.create({ data: { id: randomUUID(), moderator: admin, action: 'export', playerId, details: {} } });
    return {
      exportedAt: new Date().toISOString(),
      player: player && {
        id: player.id, name: player.name, createdAt: player.createdAt.toISOString(), lastSeenAt: player.lastSeenAt.toISOString(), networkKey: player.networkKey,
      },
      chat: chat.map(chatLine),
      flags: flags.map(summary),
      sanctions: sanctions.filter((s) => s.kind !== 'warning').map(sanctionView),
      profile: profile && { mode: profile.mode, loadout: profile.loadout, style: profile.style, difficulty: profile.difficulty, updatedAt: profile.updatedAt.toISOString() },
      matches: matches.map((m) => ({ matchId: m.matchId, name: m.name, score: m.score, kills: m.kills, deaths: m.deaths, joinedAt: m.joinedAt.toISOString() })),
    };
  }

  /**
   * Erases a player: chat, flags, sanctions, profile, director records and the player row.
   * The audit log keeps its entries (what moderators did must stay accountable) but not the
   * player's name or words. Returns false when nothing was stored about them.
   */
  async deletePlayer(playerId: string, admin: string): Promise<boolean> {
    const deleted = await this.prisma.$transaction(async (tx) => {
      const counts = await Promise.all([
        tx.chatMessage.deleteMany({ where: { playerId } }),
        tx.flag.deleteMany({ where: { playerId } }),
        tx.sanction.deleteMany({ where: { playerId } }),
        tx.playerProfile.deleteMany({ where: { playerId } }),
        tx.recommendation.deleteMany({ where: { playerId } }),
        tx.directorDecision.deleteMany({ where: { playerId } }),
        tx.player.deleteMany({ where: { id: playerId } }),
      ]);
      const total = counts.reduce((n, c) => n + c.count, 0);
      await tx.moderationAction.create({ data: { id: randomUUID(), moderator: admin, action: 'delete', playerId, details: { rows: total } } });
      return total;
    });
    this.sanctions.forget(playerId);
    return deleted > 0;
  }

  private assertClaimable(f: FlagRow, moderator: string): void {
    if (f.status === 'resolved') throw new ModerationError(409, 'flag is already resolved');
    const holder = claimHolder(f, moderator);
    if (holder) throw new ModerationError(409, `flag is claimed by ${holder} (the claim lapses ${CLAIM_LAPSE_MINUTES} min after it was taken)`);
  }

  /**
   * Moves flag `id` by `next` and logs the action, in one transaction with the row locked,
   * then tells the stream.
   * `also.sanction` is written in the same transaction (the caller applies it after). `also.covers`
   * (a warn, mute or ban that answers the player's other flags, see
   * {@link flagsCoveredBy}) resolves those flags in the same transaction: each gets an
   * audit entry of the same action naming the flag it was taken on (`details.coveredBy`),
   * and no second sanction is added. The action and what it covers land together or not at all.
   */
  private async transition(
    id: string, moderator: string, action: AuditEntry['action'], note: string, details: Record<string, unknown>,
    next: (f: FlagRow) => { status: FlagStatus; assignee: string | null; resolvedAt?: Date },
    also: { covers: ModerationActionKind | null; sanction: NewSanction | null } = { covers: null, sanction: null },
  ): Promise<{ flag: FlagSummary; entry: AuditEntry; alsoResolved: FlagSummary[] }> {
    const { row, entry, covered } = await this.prisma.$transaction(async (tx) => {
      // Row locks: two moderators acting on one flag at once are serialised, the second sees the
      // first's result. Covering locks the player's open flags too, always in id order, so two
      // moderators acting on two flags of one player wait for each other instead of deadlocking.
      const locked = also.covers
        ? await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "Flag"
            WHERE "playerId" = (SELECT "playerId" FROM "Flag" WHERE "id" = ${id}::uuid)
            AND ("id" = ${id}::uuid OR "status" IN ('open', 'claimed')) ORDER BY "id" FOR UPDATE`
        : await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "Flag" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (locked.length === 0) throw new ModerationError(404, `no flag ${id}`);
      const f = (await tx.flag.findUnique({ where: { id } }))!;
      if (action === 'claim') this.assertClaimable(f, moderator);
      // A lapsed claim of another moderator's is taken over: the audit entry says whose.
      if (f.status === 'claimed' && f.assignee !== null && f.assignee !== moderator) details.takenOverFrom = f.assignee;
      const change = next(f);
      if (also.sanction) await this.sanctions.write(tx, also.sanction);
      const now = new Date();
      const row = await tx.flag.update({ where: { id }, data: { ...change, updatedAt: now } });
      const entry = await tx.moderationAction.create({
        data: { id: randomUUID(), moderator, action, flagId: id, playerId: f.playerId, note, details: details as Prisma.InputJsonObject },
      });
      const covered: FlagRow[] = [];
      if (also.covers) {
        // The flags it covers were open or this moderator's: nobody's claim was taken over there.
        const { takenOverFrom: _, ...coveredDetails } = details;
        const open = await tx.flag.findMany({ where: { playerId: f.playerId, status: { in: ['open', 'claimed'] } }, orderBy: { createdAt: 'asc' } });
        for (const other of flagsCoveredBy(also.covers, row, moderator, open.map(summary))) {
          covered.push(await tx.flag.update({ where: { id: other.id }, data: { status: 'resolved', assignee: moderator, resolvedAt: row.resolvedAt ?? now, updatedAt: now } }));
          await tx.moderationAction.create({
            data: {
              id: randomUUID(), moderator, action, flagId: other.id, playerId: f.playerId, note,
              details: { ...coveredDetails, coveredBy: id } as Prisma.InputJsonObject,
            },
          });
        }
      }
      return { row, entry, covered };
    });
    return { flag: this.emit(row), entry: audit(entry, row.playerName), alsoResolved: covered.map((r) => this.emit(r)) };
  }

  private emit(row: FlagRow): FlagSummary {
    const s = summary(row);
    this.events.emit('flag', s);
    this.bus.publish({ type: 'flag', flag: s });
    return s;
  }
}

function emptyHistory(playerId: string, name: string): PlayerHistory {
  return { playerId, name, firstSeen: null, lastSeen: null, chat: [], flags: [], sanctions: [], warnings: 0, mutedUntil: null, banned: false };
}
