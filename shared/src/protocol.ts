/**
 * The wire protocol between the game client and the ArenaRoom: every message type, every
 * field, and the runtime validators the server runs on every byte a client sends.
 * State (positions, health, waves, knobs) travels as Colyseus schema patches — see
 * server/src/rooms/ArenaState.ts; this file holds the messages that travel beside it.
 */
import { MAX_CHAT_LENGTH, MAX_NAME_LENGTH } from './constants.js';
import { LOADOUTS, type Loadout } from './loadouts.js';
import { MODES, type Mode, type RecommendationKind } from './rules.js';
import type { PlayerInput } from './sim.js';

/** Name under which the arena room is registered for matchmaking. */
export const ARENA_ROOM = 'arena';

// ───────────────────────────── client → server ─────────────────────────────

/** Message types a client may send. Anything else is rejected and counted. */
export const ClientMessage = {
  /** One tick of player input: {@link InputMessage}. Sent at the tick rate. */
  Input: 'input',
  /** A chat line: {@link ChatMessage}. */
  Chat: 'chat',
  /** The player's answer to a recommendation: {@link RecommendationResponse}. */
  Recommendation: 'recommendation',
  /** Another player's chat line reported to the moderators: {@link ReportMessage}. */
  Report: 'report',
} as const;
export type ClientMessageType = (typeof ClientMessage)[keyof typeof ClientMessage];

/** Options a client passes to `joinOrCreate` / `create` / `joinById`. */
export interface JoinOptions {
  /** Display name, 1–20 visible characters. */
  name: string;
  /** Persistent guest id (UUID) the client kept from an earlier `welcome`; omit for a new player. */
  playerId?: string;
  /** Creating a room only: a label shown in the lobby, 1–32 characters. */
  roomName?: string;
  /** Difficulty mode to start in (default "standard"); the director adjusts around it. */
  mode?: Mode;
  /** Weapon to start with (default "blaster"). */
  loadout?: Loadout;
  /**
   * A registered player's session token (from `POST /api/auth/login`): the player then plays
   * as their account (its id is the player id) instead of as a guest.
   */
  token?: string;
  /**
   * What the lobby recommended when the player pressed join (see `GET /api/recommendations`),
   * so the server can record whether they took the advice. Omit when it showed none.
   */
  lobby?: LobbyAdvice;
}

/** The lobby's suggestions on screen at join time. */
export interface LobbyAdvice {
  mode?: Mode;
  loadout?: Loadout;
  /** Rooms it suggested joining (at most {@link MAX_LOBBY_ROOMS}). */
  roomIds?: string[];
}
export const MAX_LOBBY_ROOMS = 3;
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** One tick of input (see {@link PlayerInput} for the meaning of each field). */
export type InputMessage = PlayerInput;

/** Accept or dismiss a recommendation the server sent ({@link RecommendationMessage}). */
export interface RecommendationResponse {
  id: string;
  action: 'accept' | 'dismiss';
}

/** Why a player reports a chat line. */
export const REPORT_REASONS = ['harassment', 'hate', 'threat', 'sexual', 'spam', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** Report another player's chat line (by its {@link ChatBroadcast} id) to the moderators. */
export interface ReportMessage {
  messageId: string;
  reason: ReportReason;
}

/** A chat line typed by the player. */
export interface ChatMessage {
  /** 1–200 characters after trimming; control characters are removed. */
  text: string;
  /** The client's own id for this line (1–64 of A–Z a–z 0–9 _ -), echoed in its {@link ChatAck}. */
  clientId?: string;
}

// ───────────────────────────── server → client ─────────────────────────────

/** Message types the server sends. */
export const ServerMessage = {
  /** Sent once after joining: {@link WelcomeMessage}. */
  Welcome: 'welcome',
  /** A chat line for everyone in the room: {@link ChatBroadcast}. */
  Chat: 'chat',
  /** A message of this client's was refused: {@link ErrorMessage}. */
  Error: 'error',
  /** The behavior model's current read of this player: {@link ProfileMessage}. About once a second. */
  Profile: 'profile',
  /** The director changed this player's difficulty, and why: {@link DirectorMessage}. */
  Director: 'director',
  /** Something the director suggests to this player: {@link RecommendationMessage}. */
  Recommendation: 'recommendation',
  /** What came of the player's answer to a recommendation: {@link RecommendationResult}. */
  RecommendationResult: 'recommendationResult',
  /** To the sender, once their chat line is stored: {@link ChatAck}. */
  ChatAck: 'chatAck',
  /** A moderator's action on this player: {@link ModerationNotice}. */
  Moderation: 'moderation',
  /** To the reporter, once their report is stored for the moderators: {@link ReportAck}. */
  ReportAck: 'reportAck',
} as const;

/**
 * Close codes with which the server ends a player's connection, beside Colyseus's own
 * (4000 consented leave, 4002 room error, 4003 reconnection failed, 4010 may reconnect).
 */
export const ArenaCloseCode = {
  /** The server is draining (deploy, scale-in) and the room is gone: matchmake again to play on elsewhere. Colyseus's SERVER_SHUTDOWN. */
  ServerDraining: 4001,
  /** The SDK gave up reconnecting: the room's server is unreachable (it died). */
  ReconnectFailed: 4003,
  /** A moderator banned the player: do not rejoin. */
  Banned: 4403,
} as const;

/**
 * Whether a client whose room connection closed with `code` should matchmake again on its
 * own (same name, player id, mode and loadout): yes when its server drained or died, never
 * after its own leave or a ban. Clients spread these rejoins over {@link REMATCH_SPREAD_MS}
 * so a drained server's players do not all hit matchmaking in the same millisecond.
 */
export function shouldRematch(code: number): boolean {
  return code === ArenaCloseCode.ServerDraining || code === ArenaCloseCode.ReconnectFailed;
}
export const REMATCH_SPREAD_MS = 1_000;
/**
 * Reconnection attempts a client makes after losing its socket (the SDK backs off 0.2, 0.4,
 * 0.8, 1.6, 3.2, 5 s: about 11 s in all, inside the server's reconnection hold) before it
 * takes the server for dead and matchmakes again. The SDK's default, 15, waits about a minute.
 */
export const RECONNECT_RETRIES = 6;

/**
 * The server has stored a chat line (it survives a crash from here on) and decided what
 * happens to it. A line the server refused before storing (rate limit, mute, spam) gets an
 * {@link ErrorMessage} instead.
 */
export interface ChatAck {
  clientId?: string;
  /** Id of the stored message. */
  id: string;
  /** delivered: everyone sees `text`; held: waits for a moderator; blocked: nobody sees it. */
  status: 'delivered' | 'held' | 'blocked';
  /** The text as delivered (redacted/masked), for delivered lines. */
  text?: string;
  /** Why it was held or blocked, for the sender: plain words, no score. */
  reason?: string;
}

/** A report is stored (or was already): moderators will see the line in their queue. */
export interface ReportAck {
  messageId: string;
}

export interface ModerationNotice {
  kind: 'warning' | 'muted' | 'banned' | 'unmuted';
  /** The moderator's note. */
  message: string;
  /** Mutes: when it ends (ms since the epoch). */
  until?: number;
}

export interface WelcomeMessage {
  /** Persistent player id: keep it and pass it back as `JoinOptions.playerId`. */
  playerId: string;
  /** This connection's session id (key of the own player in `state.players`). */
  sessionId: string;
  /** Simulation rate in Hz; inputs are expected at this rate. */
  tickRate: number;
}

export interface ChatBroadcast {
  /** Server-assigned unique id (also the database key). */
  id: string;
  /** Session id of the sender. */
  sessionId: string;
  /** Sender's display name at the time. */
  name: string;
  /** The text as the server accepted it. */
  text: string;
  /** Server time, ms since the epoch. */
  at: number;
}

/** How the behavior model reads the player's play style, smoothed over the last seconds. */
export interface ProfileMessage {
  /** Most likely style, e.g. "collector". */
  style: string;
  /** Its smoothed probability, 0–1. */
  confidence: number;
  /** Smoothed probability of every style. */
  probabilities: Record<string, number>;
}

/** A change of this player's difficulty targets, with the rule behind it. */
export interface DirectorMessage {
  /** Rule-set version that decided. */
  ruleSetVersion: number;
  /** 'easier' or 'harder' than before this decision ('same' when only the cause changed). */
  direction: 'easier' | 'harder' | 'same';
  /** Difficulty index (0–1) the knobs are moving to. */
  target: number;
  /** Short "why" for the HUD, e.g. "ease-struggling: style.novice 0.82". */
  why: string;
  /** Rule that decided, and the rules active for this player now. */
  ruleId: string;
  activeRules: string[];
}

export interface RecommendationMessage {
  /** Answer with {@link RecommendationResponse} using this id. */
  id: string;
  kind: RecommendationKind;
  /** Mode or loadout name; for "room", the room id to join. */
  value?: string;
  /** For "room": the label of the suggested room. */
  roomName?: string;
  message: string;
  /** Rule id and the inputs it saw. */
  why: string;
  /** Unanswered after this long, it counts as ignored and goes away. */
  expiresInSeconds: number;
}

/**
 * How a recommendation ended. `ignored`: it expired unanswered, or the player left;
 * `withdrawn`: the director took it back (a newer one of its kind, or its rule stopped holding).
 */
export const RECOMMENDATION_OUTCOMES = ['accepted', 'dismissed', 'ignored', 'withdrawn'] as const;
export type RecommendationOutcome = (typeof RECOMMENDATION_OUTCOMES)[number];

export interface RecommendationResult {
  id: string;
  outcome: RecommendationOutcome;
  /** What changed, e.g. "mode: casual" (accepted mode/loadout), or a room to join. */
  applied?: { mode?: Mode; loadout?: Loadout; roomId?: string };
}

export type ErrorCode = 'invalid_message' | 'unknown_type' | 'rate_limited' | 'stale_input' | 'muted' | 'spam' | 'unavailable';

export interface ErrorMessage {
  code: ErrorCode;
  /** The message type that was refused. */
  type: string;
  /** Human-readable reason, with the path of the offending field. */
  message: string;
}

/** Room metadata shown in the lobby list. */
export interface ArenaMetadata {
  roomName: string;
  wave: number;
  /** Mean difficulty index (0–1) of the players in it (0 while empty). */
  difficulty: number;
}

/** One entry of `GET /api/rooms`: an open arena room for the lobby. */
export interface RoomListing {
  roomId: string;
  /** Label given at creation, or "Arena <roomId>". */
  roomName: string;
  clients: number;
  maxClients: number;
  /** Current wave (0 before the first). */
  wave: number;
  /** Mean difficulty (0–1) of its players. */
  difficulty: number;
}

/** `GET /api/capacity`: whether a new player can get a place now (`MAX_PLAYERS`), for the lobby. */
export interface ServerCapacity {
  /** Every process is at its limit: a join now is refused with "server full". */
  full: boolean;
  /** Players in the whole deployment (other processes as they last reported, at most a second old). */
  players: number;
  /** Places in the whole deployment, or null when there is no limit. */
  maxPlayers: number | null;
}

// ───────────────────────────── validation ─────────────────────────────

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/**
 * A plain object with exactly the allowed keys (a subset if some are optional). Rejects
 * arrays, class instances and any own `__proto__`/`constructor` key.
 */
function plainObject(
  raw: unknown, required: readonly string[], optional: readonly string[] = [],
): Parsed<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('message: must be an object');
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) return fail('message: must be a plain object');
  const keys = Object.keys(raw);
  // Name the first stranger; never walk a huge key list.
  for (let i = 0; i < keys.length && i <= required.length + optional.length; i++) {
    const key = keys[i]!;
    if (!required.includes(key) && !optional.includes(key)) return fail(`${key.slice(0, 40)}: unknown field`);
  }
  if (keys.length > required.length + optional.length) return fail('message: too many fields');
  for (const key of required) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) return fail(`${key}: required`);
  }
  return { ok: true, value: raw as Record<string, unknown> };
}

/** `v` when it is one of `allowed`, else an error naming `path` and the choices. */
function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string): Parsed<T> {
  return typeof v === 'string' && (allowed as readonly string[]).includes(v)
    ? { ok: true, value: v as T }
    : fail(`${path}: must be one of ${allowed.join(', ')}`);
}

function finiteIn(v: unknown, path: string, min: number, max: number): string | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${path}: must be a finite number`;
  if (v < min || v > max) return `${path}: must be between ${min} and ${max}`;
  return null;
}

// C0/C1 control characters and the bidi overrides that can disguise text.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function cleanText(v: unknown, path: string, maxLength: number): Parsed<string> {
  if (typeof v !== 'string') return fail(`${path}: must be a string`);
  if (v.length > maxLength * 4) return fail(`${path}: longer than ${maxLength} characters`);
  const text = v.replace(CONTROL_CHARS, '').trim();
  if (text.length === 0) return fail(`${path}: must not be empty`);
  if ([...text].length > maxLength) return fail(`${path}: longer than ${maxLength} characters`);
  return { ok: true, value: text };
}

const INPUT_KEYS = ['seq', 'moveX', 'moveY', 'aim', 'fire', 'dash'] as const;
/** Sequence numbers are 31-bit so they survive every encoder as small integers. */
export const MAX_SEQ = 2 ** 31 - 1;

export function parseInput(raw: unknown): Parsed<InputMessage> {
  const obj = plainObject(raw, INPUT_KEYS);
  if (!obj.ok) return obj;
  const m = obj.value;
  if (!Number.isInteger(m.seq) || (m.seq as number) < 1 || (m.seq as number) > MAX_SEQ) {
    return fail(`seq: must be an integer between 1 and ${MAX_SEQ}`);
  }
  const err = finiteIn(m.moveX, 'moveX', -1, 1) ?? finiteIn(m.moveY, 'moveY', -1, 1)
    ?? finiteIn(m.aim, 'aim', -2 * Math.PI, 2 * Math.PI);
  if (err) return fail(err);
  if (typeof m.fire !== 'boolean') return fail('fire: must be a boolean');
  if (typeof m.dash !== 'boolean') return fail('dash: must be a boolean');
  return {
    ok: true,
    value: {
      seq: m.seq as number, moveX: m.moveX as number, moveY: m.moveY as number,
      aim: m.aim as number, fire: m.fire, dash: m.dash,
    },
  };
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseChat(raw: unknown): Parsed<ChatMessage> {
  const obj = plainObject(raw, ['text'], ['clientId']);
  if (!obj.ok) return obj;
  const text = cleanText(obj.value.text, 'text', MAX_CHAT_LENGTH);
  if (!text.ok) return text;
  const { clientId } = obj.value;
  if (clientId === undefined) return { ok: true, value: { text: text.value } };
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return fail('clientId: 1–64 characters of A–Z a–z 0–9 _ -');
  return { ok: true, value: { text: text.value, clientId } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical 8-4-4-4-12 hex form (any case): player, message and flag ids. */
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

export function parseRecommendationResponse(raw: unknown): Parsed<RecommendationResponse> {
  const obj = plainObject(raw, ['id', 'action']);
  if (!obj.ok) return obj;
  const { id, action } = obj.value;
  if (!isUuid(id)) return fail('id: must be a UUID');
  if (action !== 'accept' && action !== 'dismiss') return fail('action: must be "accept" or "dismiss"');
  return { ok: true, value: { id: id.toLowerCase(), action } };
}

export function parseReport(raw: unknown): Parsed<ReportMessage> {
  const obj = plainObject(raw, ['messageId', 'reason']);
  if (!obj.ok) return obj;
  if (!isUuid(obj.value.messageId)) return fail('messageId: must be a UUID');
  const reason = oneOf(obj.value.reason, REPORT_REASONS, 'reason');
  if (!reason.ok) return reason;
  return { ok: true, value: { messageId: obj.value.messageId.toLowerCase(), reason: reason.value } };
}

export function parseJoinOptions(raw: unknown): Parsed<JoinOptions> {
  const obj = plainObject(raw ?? {}, ['name'], ['playerId', 'roomName', 'mode', 'loadout', 'token', 'lobby']);
  if (!obj.ok) return obj;
  const name = cleanText(obj.value.name, 'name', MAX_NAME_LENGTH);
  if (!name.ok) return name;
  const value: JoinOptions = { name: name.value };
  const { playerId, roomName, mode, loadout, token, lobby } = obj.value;
  if (playerId !== undefined) {
    if (!isUuid(playerId)) return fail('playerId: must be a UUID');
    value.playerId = playerId.toLowerCase();
  }
  if (roomName !== undefined) {
    const label = cleanText(roomName, 'roomName', 32);
    if (!label.ok) return label;
    value.roomName = label.value;
  }
  if (mode !== undefined) {
    const m = oneOf(mode, MODES, 'mode');
    if (!m.ok) return m;
    value.mode = m.value;
  }
  if (loadout !== undefined) {
    const l = oneOf(loadout, LOADOUTS, 'loadout');
    if (!l.ok) return l;
    value.loadout = l.value;
  }
  if (token !== undefined) {
    if (typeof token !== 'string' || token.length > 2048 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return fail('token: must be a session token');
    value.token = token;
  }
  if (lobby !== undefined) {
    const advice = parseLobbyAdvice(lobby);
    if (!advice.ok) return advice;
    value.lobby = advice.value;
  }
  return { ok: true, value };
}

function parseLobbyAdvice(raw: unknown): Parsed<LobbyAdvice> {
  const obj = plainObject(raw, [], ['mode', 'loadout', 'roomIds']);
  if (!obj.ok) return fail(obj.error.startsWith('message') ? obj.error.replace('message', 'lobby') : `lobby.${obj.error}`);
  const { mode, loadout, roomIds } = obj.value;
  const advice: LobbyAdvice = {};
  if (mode !== undefined) {
    const m = oneOf(mode, MODES, 'lobby.mode');
    if (!m.ok) return m;
    advice.mode = m.value;
  }
  if (loadout !== undefined) {
    const l = oneOf(loadout, LOADOUTS, 'lobby.loadout');
    if (!l.ok) return l;
    advice.loadout = l.value;
  }
  if (roomIds !== undefined) {
    if (!Array.isArray(roomIds) || roomIds.length > MAX_LOBBY_ROOMS || !roomIds.every((id) => typeof id === 'string' && ROOM_ID.test(id))) {
      return fail(`lobby.roomIds: at most ${MAX_LOBBY_ROOMS} room ids`);
    }
    advice.roomIds = [...new Set(roomIds as string[])];
  }
  return { ok: true, value: advice };
}
