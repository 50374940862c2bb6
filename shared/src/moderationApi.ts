/**
 * The HTTP API behind the moderator console: the flag queue (with a live event stream),
 * a flag's context, the player's history, actions and the audit log, and player data
 * export/deletion. Every route needs a session of role `moderator` or `admin` (cookie from
 * `POST /api/auth/login`, or `Authorization: Bearer <token>`), except where noted.
 *
 *   GET  /api/moderation/flags?status=open|claimed|escalated|resolved|all&limit=100 → FlagSummary[]
 *        (ordered by severity, highest first, then oldest first)
 *   GET  /api/moderation/stream              → text/event-stream: `event: flag` with a FlagSummary
 *        each time a flag is created or changes (claim, action); `: ping` comments every 15 s
 *   GET  /api/moderation/flags/:id           → FlagDetail | 404
 *   POST /api/moderation/flags/:id/claim     → FlagSummary (409 when another moderator holds it)
 *   POST /api/moderation/flags/:id/actions   ModerationActionRequest → ModerationActionResult
 *   GET  /api/moderation/players/:playerId   → PlayerHistory | 404
 *   GET  /api/moderation/audit?limit=100&flagId&playerId → AuditEntry[] (newest first)
 *   GET  /api/admin/players/:playerId/export → PlayerExport (admin only)
 *   DELETE /api/admin/players/:playerId      → 204 (admin only): chat, flags, profile, sanctions gone;
 *        the audit log keeps its entries with the player's name removed
 *
 * Errors are JSON `{error: string}` with 400, 401, 403, 404, 409.
 */
import type { InputValues } from './rules.js';

/** chat: the chat pipeline; behavior: the behavior model; report: a player reported a chat line. */
export const FLAG_KINDS = ['chat', 'behavior', 'report'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];
export const FLAG_STATUSES = ['open', 'claimed', 'escalated', 'resolved'] as const;
export type FlagStatus = (typeof FLAG_STATUSES)[number];
/** 1 low · 2 medium · 3 high · 4 critical. */
export type Severity = 1 | 2 | 3 | 4;

/** What the chat pipeline decided for a message (the policy's outcome). */
export type ChatDecision = 'allow' | 'mask' | 'hold' | 'block';

export const MODERATION_ACTIONS = ['dismiss', 'approve', 'warn', 'mute', 'ban', 'escalate'] as const;
export type ModerationActionKind = (typeof MODERATION_ACTIONS)[number];
/** Longest note on an action. */
export const MAX_ACTION_NOTE = 1000;
/** Mutes last 1 minute to 30 days. */
export const MUTE_SECONDS = { min: 60, max: 30 * 86400 } as const;

/**
 * A claim lapses this long after it was taken: another moderator may then take the flag
 * over, so a flag is not locked forever by someone who claimed it and left.
 */
export const CLAIM_LAPSE_MINUTES = 30;

/** What the claim rules read of a flag (a FlagSummary, or the server's row). */
type ClaimFacts = { status: string; assignee: string | null; updatedAt: string | Date };

/**
 * Who holds the flag against `moderator` now: the holder of another moderator's live claim,
 * or null (open, theirs, lapsed, escalated or resolved). The server and the console decide by it.
 */
export function claimHolder(flag: ClaimFacts, moderator: string, now = Date.now()): string | null {
  if (flag.status !== 'claimed' || flag.assignee === null || flag.assignee === moderator) return null;
  return claimLapsed(flag, now) ? null : flag.assignee;
}

/** A claim past its lapse, whoever holds it: anyone may take the flag over. */
export function claimLapsed(flag: ClaimFacts, now = Date.now()): boolean {
  return flag.status === 'claimed' && flag.assignee !== null && now >= claimLapsesAt(flag);
}

/** When a claim lapses (ms since the epoch): it was taken when the flag last changed. */
export function claimLapsesAt(flag: { updatedAt: string | Date }): number {
  return new Date(flag.updatedAt).getTime() + CLAIM_LAPSE_MINUTES * 60_000;
}

/** A mute length as people say it (the console and the server's effect lines): "5 min", "1 h", "1 h 30 min", "7 d". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['min', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ') || '0 s';
}

export interface FlagSummary {
  id: string;
  kind: FlagKind;
  severity: Severity;
  /**
   * A claim stays 'claimed' after it lapses, until the flag changes again (see claimLapsesAt).
   * `GET /api/moderation/flags?status=open` lists lapsed claims with the open flags (anyone may
   * take them); `?status=claimed` lists every claim, lapsed or not.
   */
  status: FlagStatus;
  /** Why it was raised, e.g. "toxicity 0.97 ≥ 0.95: blocked" or "inhuman 0.91". */
  reason: string;
  playerId: string;
  playerName: string;
  roomId: string;
  /** Chat flags: the message text as the model saw it (redacted of personal data). */
  text?: string;
  createdAt: string;
  updatedAt: string;
  /** Moderator holding the flag (claimed), or null. */
  assignee: string | null;
  /** Claimed flags: when the claim lapses (ISO; it may have already), after which anyone may take the flag over. Otherwise null. */
  claimLapsesAt: string | null;
}

export interface ChatLine {
  id: string;
  name: string;
  playerId: string | null;
  text: string;
  createdAt: string;
  decision: ChatDecision;
  /** Still waiting for a moderator (held messages). */
  held: boolean;
}

export interface FlagDetail extends FlagSummary {
  /** Chat flags: the flagged message and the room's messages around it (up to 10 before, 10 after). */
  message?: ChatLine;
  context: ChatLine[];
  /** Model scores and filter hits behind the flag. */
  scores: { sentiment?: [number, number, number]; toxicity?: number; probabilities?: Record<string, number> };
  filterHits: string[];
  decision?: ChatDecision;
  /** Behavior flags: the input window (64 frames × features) and its smoothed probabilities. */
  window?: number[][];
  /** The director's view of the player at flag time (behavior flags). */
  inputs?: InputValues;
  history: PlayerHistory;
  /** Actions already taken on this flag, oldest first. */
  actions: AuditEntry[];
}

export interface Sanction {
  id: string;
  kind: 'mute' | 'ban';
  /** ISO end; null for a permanent ban. */
  until: string | null;
  reason: string;
  by: string;
  createdAt: string;
}

export interface PlayerHistory {
  playerId: string;
  name: string;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Recent chat (newest last, at most 50). */
  chat: ChatLine[];
  flags: FlagSummary[];
  sanctions: Sanction[];
  warnings: number;
  /** Active mute end / ban, if any. */
  mutedUntil: string | null;
  banned: boolean;
}

export interface ModerationActionRequest {
  action: ModerationActionKind;
  /** Why, for the audit log (required for warn, mute and ban). */
  note?: string;
  /** Mute only: seconds, within {@link MUTE_SECONDS}. */
  durationSeconds?: number;
  /**
   * Warn, mute and ban (default true): the player's other open flags that the sanction
   * answers ({@link flagKindsCoveredBy}) are resolved with it, so the queue does not keep a
   * flag per line of a player already dealt with. False leaves them for review one by one.
   */
  resolveOthers?: boolean;
}

/**
 * Which of a player's other open flags a sanction answers: a warning or a mute answers what
 * they wrote (chat and reported lines), a ban everything. A cheating flag stays open after a
 * mute for abuse: it is another offence.
 */
export function flagKindsCoveredBy(action: ModerationActionKind): readonly FlagKind[] {
  if (action === 'ban') return FLAG_KINDS;
  if (action === 'warn' || action === 'mute') return ['chat', 'report'];
  return [];
}

/**
 * The player's other flags a sanction on `flag` would resolve with it: open ones (claimed
 * by nobody, or by this moderator) of the kinds it answers. Escalated flags wait for their
 * senior review; flags another moderator holds stay theirs.
 */
export function flagsCoveredBy<F extends Pick<FlagSummary, 'id' | 'kind' | 'status' | 'assignee' | 'playerId'>>(
  action: ModerationActionKind, flag: Pick<FlagSummary, 'id' | 'playerId'>, moderator: string, others: readonly F[],
): F[] {
  const kinds = flagKindsCoveredBy(action);
  return others.filter((f) => f.id !== flag.id && f.playerId === flag.playerId && kinds.includes(f.kind)
    && (f.status === 'open' || (f.status === 'claimed' && f.assignee === moderator)));
}

/** `POST /api/moderation/players/{playerId}/sanctions/{sanctionId}/lift`: ends a mute or ban early. */
export interface LiftSanctionRequest {
  /** Why (required; kept in the audit log, and shown to a player whose mute is lifted). */
  note: string;
}

export interface LiftSanctionResult {
  audit: AuditEntry;
  /** What happened live, e.g. "mute lifted; told in 1 live session". */
  effect: string;
}

export interface ModerationActionResult {
  flag: FlagSummary;
  audit: AuditEntry;
  /** What happened live: e.g. "muted for 1 h; told in 1 live session", "message delivered to 3 players". */
  effect: string;
  /** The player's other flags resolved with this sanction (see {@link ModerationActionRequest.resolveOthers}). */
  alsoResolved: FlagSummary[];
}

export interface AuditEntry {
  id: string;
  at: string;
  moderator: string;
  action: ModerationActionKind | 'claim' | 'release' | 'export' | 'delete' | 'lift';
  flagId: string | null;
  playerId: string | null;
  /** That player's name as stored now (null: no player, or their data was erased). */
  playerName: string | null;
  note: string;
  details: Record<string, unknown>;
}

export interface PlayerExport {
  exportedAt: string;
  /** `networkKey`: a guest's network, as the keyed hash stored (never the address). */
  player: { id: string; name: string; createdAt: string; lastSeenAt: string; networkKey: string | null } | null;
  chat: ChatLine[];
  flags: FlagSummary[];
  sanctions: Sanction[];
  profile: Record<string, unknown> | null;
  matches: Array<{ matchId: string; name: string; score: number; kills: number; deaths: number; joinedAt: string }>;
}
