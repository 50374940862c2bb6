/**
 * The HTTP API behind the designer console (and the player's recommendations in the
 * lobby): request and response shapes, in one place for the server and the browser.
 * Every designer route needs a session of role `designer` or `admin` (cookie set by
 * `POST /api/auth/login`, or `Authorization: Bearer <token>`).
 *
 *   POST /api/auth/register                   {username, password} → 201 {id, username, role: 'player'} (anyone; rate-limited)
 *   POST /api/auth/login                      {username, password} → LoginResponse (+ session cookie)
 *   POST /api/auth/logout                     → 204
 *   GET  /api/auth/me                         → SessionInfo | 401
 *   GET  /api/designer/rulesets               → RuleSetVersionSummary[] (newest first)
 *   GET  /api/designer/rulesets/live          → RuleSetVersionDetail
 *   GET  /api/designer/rulesets/:version      → RuleSetVersionDetail | 404
 *   POST /api/designer/rulesets/validate      {ruleSet} → ValidationResponse (always 200)
 *   POST /api/designer/rulesets               {ruleSet, note?} → 201 PublishResponse | 400 {error, errors}
 *   POST /api/designer/rulesets/:version/publish {note?} → PublishResponse (rollback / re-publish)
 *   POST /api/designer/dry-run                DryRunRequest → DryRunReport
 *   GET  /api/designer/decisions?roomId&playerId&ruleId&kind&since&until&limit → DecisionRecord[] (newest first)
 *   GET  /api/designer/live                   → LiveRoom[]
 *   GET  /api/designer/models                 → ModelStatusReport
 *   GET  /api/recommendations?playerId=<uuid> → LobbyRecommendations (no login: guests have no account)
 *
 * Stored rule sets come back validated with every default filled in; their key order is the
 * database's (PostgreSQL jsonb), not the author's.
 *
 * Errors are JSON `{error: string, errors?: RuleError[]}` with 400 (bad input), 401 (no or
 * bad session), 403 (wrong role), 404, 409 (conflict), 413 (too large), 429 (too many).
 */
import type { DifficultyKnobs, KnobName } from './difficulty.js';
import type {
  InputValues, Loadout, Mode, RecommendationKind, RuleError, RuleSet, StyleName,
} from './rules.js';

/** Longest note a designer may attach to a publish or rollback. */
export const MAX_PUBLISH_NOTE = 500;

export const ROLES = ['player', 'moderator', 'designer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface LoginRequest { username: string; password: string }
export interface SessionInfo {
  username: string;
  role: Role;
  /** ISO time the session ends. */
  expiresAt: string;
}
export interface LoginResponse extends SessionInfo {
  /** The same JWT as the cookie, for API clients that send `Authorization: Bearer`. */
  token: string;
}

export interface RuleSetVersionSummary {
  version: number;
  name: string;
  /** Rules in the set (enabled or not). */
  rules: number;
  author: string;
  note: string;
  createdAt: string;
  /** True for the version live rooms run now. */
  live: boolean;
  /** When it was last published (null: stored, never published). */
  publishedAt: string | null;
}
export interface RuleSetVersionDetail extends RuleSetVersionSummary {
  ruleSet: RuleSet;
}

export interface ValidationResponse {
  ok: boolean;
  errors: RuleError[];
}

export interface PublishResponse {
  version: number;
  publishedAt: string;
}

export interface DryRunRequest {
  /** Rule-set version to replay. */
  version: number;
  /** ISO times; the range of recorded director samples to replay (at most 24 h). */
  from: string;
  to: string;
}

/** Distribution of one knob over every player-second (player knobs) or room-second (room knobs). */
export interface KnobDistribution {
  count: number;
  min: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
  mean: number;
  /** 10 equal-width bins between the knob's hard bounds. */
  histogram: number[];
}

export interface DryRunReport {
  version: number;
  from: string;
  to: string;
  /** Room-seconds replayed, matches and distinct players in them. */
  samples: number;
  matches: number;
  players: number;
  /** Rule-set versions that were live while the samples were recorded. */
  recordedVersions: number[];
  elapsedMs: number;
  /** Activations per rule: in the replay, and what the live director logged in the range. */
  decisionsByRule: Array<{ ruleId: string; dryRun: number; actual: number }>;
  recommendationsByKind: Array<{ kind: RecommendationKind; dryRun: number; actual: number }>;
  knobs: Array<{ knob: KnobName; dryRun: KnobDistribution; actual: KnobDistribution }>;
}

export interface KnobChange {
  knob: KnobName;
  /** Target before and after the decision (the knob then moves there smoothly). */
  from: number;
  to: number;
}

/** One director decision: a rule (de)activating for a player or room, or a recommendation. */
export interface DecisionRecord {
  id: string;
  at: string;
  roomId: string;
  matchId: string;
  /** Null for a room-scope rule. */
  playerId: string | null;
  ruleSetVersion: number;
  ruleId: string;
  kind: 'activate' | 'deactivate' | 'recommend';
  /** The inputs the rule's condition read, with the values it saw. */
  inputs: InputValues;
  changes: KnobChange[];
  recommendation?: { kind: RecommendationKind; value?: string; message: string };
}

export interface LivePlayer {
  sessionId: string;
  playerId: string;
  name: string;
  mode: Mode;
  loadout: Loadout;
  /** Latest smoothed behavior read (empty before the first classification). */
  probabilities: Partial<Record<StyleName, number>>;
  difficulty: number;
  knobs: Pick<DifficultyKnobs, 'enemySpeed' | 'enemyDamage' | 'enemyAccuracy' | 'pickupRate'>;
  activeRules: string[];
  /** Last 120 s, one point per second, oldest first. `t` is ms since the epoch. */
  history: Array<{ t: number; probabilities: Partial<Record<StyleName, number>>; difficulty: number }>;
}

export interface LiveRoom {
  roomId: string;
  roomName: string;
  ruleSetVersion: number;
  wave: number;
  phase: string;
  knobs: Pick<DifficultyKnobs, 'spawnRate' | 'waveSize' | 'relaxSeconds'>;
  activeRules: string[];
  players: LivePlayer[];
}

export interface ModelStatusReport {
  backend: string | null;
  models: Array<{ name: string; version: string; state: string; error?: string }>;
  /** Requests per second answered by each model over the last 10 s. */
  throughput: Record<string, number>;
  restarts: number;
  queued: number;
}

/** The window `GET /api/designer/recommendations` reports on by default, and the longest it accepts. */
export const OUTCOME_WINDOW_DEFAULT_MS = 24 * 3600_000;
export const OUTCOME_WINDOW_MAX_MS = 31 * 24 * 3600_000;

/** How players answered one rule's recommendations of one kind. */
export interface RecommendationOutcomeRow {
  /** The director's rules in play, or the lobby's suggestions at join (taken or not, never pending). */
  source: 'director' | 'lobby';
  /** The rule that made them (null for the lobby, or when its decision row is gone, e.g. after a player's data was erased). */
  ruleId: string | null;
  /** What was recommended: mode, loadout, room… */
  kind: string;
  shown: number;
  accepted: number;
  dismissed: number;
  /** Expired without an answer (the player kept playing), or the player left. */
  ignored: number;
  /** Taken back by the director before an answer: a newer one of its kind, or its rule stopped holding. Not in `acceptance`. */
  withdrawn: number;
  /** Still on screen, or its outcome not stored yet. */
  pending: number;
  /** accepted / (accepted + dismissed + ignored); null while none is answered. */
  acceptance: number | null;
}

/** `GET /api/designer/recommendations?since=&until=`: recommendations shown in [since, until). */
export interface RecommendationOutcomes {
  since: string;
  until: string;
  /** Most shown first. */
  rows: RecommendationOutcomeRow[];
}

/** Where a reviewed chat flag came from. */
export type ChatReviewSource = 'mask' | 'hold' | 'block' | 'review' | 'report';

/** How moderators resolved the chat flags of one source and one band of the model's toxicity. */
export interface ChatReviewRow {
  /**
   * The chat pipeline's call on the line — masked, held or blocked, or `review` (delivered,
   * flagged because it names a group) — or `report`: a player reported it, whatever the model said.
   */
  source: ChatReviewSource;
  /** The model's toxicity for the line, in [from, from + 0.1); null: not scored (model down, or the line was erased). */
  toxicityFrom: number | null;
  /** Moderators warned, muted or banned the player for it. */
  upheld: number;
  /** Moderators dismissed it, or approved the held line. */
  dismissed: number;
}

/**
 * `GET /api/designer/models/chat/reviews?since=&until=`: what moderators made of the chat flags
 * they resolved in [since, until) — the chat model measured against the people who read its calls.
 * Flags closed along with a sanction on another flag (`coveredBy`) were not read one by one and are left out.
 */
export interface ChatModelReviews {
  since: string;
  until: string;
  /** Per source: upheld / (upheld + dismissed), null while none is resolved. */
  bySource: Array<{ source: ChatReviewSource; upheld: number; dismissed: number; upheldRate: number | null }>;
  /** Per source and toxicity band, lowest band first. */
  rows: ChatReviewRow[];
}

export interface LobbyRecommendations {
  /** Best guess of the player's mode and loadout from their last matches (null: new player). */
  mode: { value: Mode; why: string } | null;
  loadout: { value: Loadout; why: string } | null;
  /** Open rooms worth joining, best first (at most 3). */
  rooms: Array<{ roomId: string; roomName: string; clients: number; why: string }>;
}
