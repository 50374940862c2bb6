/**
 * ArenaRoom: one co-op match of 1–4 players. The server is the only authority: clients
 * send inputs, the room validates them, queues one per player per tick, steps the shared
 * simulation, records each player's input frame, and patches the state to everyone.
 * Nothing here waits on I/O: persistence goes through a write-behind {@link GameRecorder}.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Room, ServerError, type AuthContext, type Client } from '@colyseus/core';
import {
  FRAME_RING_CAPACITY, FRAME_WINDOW, FrameRing, MAX_PLAYERS_PER_ROOM, ServerMessage, TICK_MS, TICK_RATE,
  ArenaCloseCode, DEFAULT_LOADOUT, addPlayer, createWorld, difficultyIndex, idleInput, parseChat, parseInput, parseJoinOptions, parseReport,
  parseRecommendationResponse, removePlayer, stepWorld,
  type ArenaMetadata, type ChatAck, type ChatBroadcast, type ChatLine, type ChatMessage, type ErrorCode, type ErrorMessage,
  type JoinOptions, type LobbyAdvice, type Loadout, type Mode, type ModerationNotice, type ReportAck,
  type PlayerInput, type ProfileMessage, type SimWorld, type WelcomeMessage,
} from '@pulse-arena/shared';
import { isClassifiable } from '@pulse-arena/models/behavior/windows';
import type { ChatScores, InferenceService } from '../inference/types.js';
import { LOBBY_KIND_PREFIX, lobbyOutcomes } from '../director/recommender.js';
import { RoomDirector, type RoomFinder } from '../director/roomDirector.js';
import type { RuleRegistry } from '../director/ruleRegistry.js';
import type { Accounts } from '../auth/accounts.js';
import { emptyRejectCounts, serverStats, type RejectReason } from '../stats.js';
import { ChatPipeline, DEFAULT_CHAT_POLICY, type ChatPolicy } from '../moderation/chatPipeline.js';
import type { StoredChat } from '../moderation/chatStore.js';
import { chatPipelineLatency } from '../metrics.js';
import { INHUMAN_FLAG_AT, type Moderation } from '../moderation/moderation.js';
import { normalizeChatText } from '@pulse-arena/shared/chat';
import {
  ArenaState, EnemyState, PickupState, PlayerState, ProjectileState,
} from './ArenaState.js';
import { BehaviorProfile } from './behaviorProfile.js';
import type { GameRecorder } from './gameRecorder.js';
import { TokenBucket } from './tokenBucket.js';
import { PlayerCapacity } from './capacity.js';
import { errorMessage, log, type Logger } from '../log.js';

/** Seconds a dropped player keeps their seat (and their player) for a reconnection. */
export const RECONNECT_SECONDS = 20;
/** After a chat line failed to store, allowed lines wait for their commit this long (the database may be down). */
const CHAT_STORE_CAUTION_MS = 10_000;
/** When a chat line last failed to store, in this process (performance.now()). */
const chatStoreHealth = { failedAt: -Infinity };
/** What a seat is given: the validated join options, and a guest's network key (null for accounts). */
type SeatAuth = JoinOptions & { networkKey: string | null };

/**
 * Inputs queued per player. One is applied per tick; a few ticks of queue absorb network
 * jitter, and the cap stops a client from banking inputs to move faster later.
 */
export const MAX_QUEUED_INPUTS = 6;
/** Chat: 5 messages at once, then one every 2 s. */
const CHAT_BURST = 5;
const CHAT_PER_SECOND = 0.5;
/** Error replies per client per second: a flood of bad messages must not become a flood back. */
const ERROR_REPLIES_PER_SECOND = 5;
/**
 * Messages a client may send per second before Colyseus disconnects it: inputs at 20 Hz
 * plus chat plus slack for bursts after a network stall.
 */
const MAX_MESSAGES_PER_SECOND = 60;

/**
 * Each player's latest window is classified once a second by default: often enough for the
 * director to react within seconds, and 20× fewer model calls than classifying every tick.
 */
export const DEFAULT_CLASSIFY_EVERY_TICKS = TICK_RATE;

/** Time for the model's answer on a busy machine, on top of the inference host's batch wait. */
const ANSWER_MARGIN_MS = 100;

/**
 * Ticks between a player's classification and the room's director second that reads it (see
 * onJoin): the host's batch wait plus the answer's time — 6 at the default 200 ms — but less
 * than one classification period, past which the director would read the previous answer.
 */
export function classifyLeadTicks(behaviorWaitMs: number, classifyEveryTicks: number): number {
  return Math.max(1, Math.min(classifyEveryTicks - 1, Math.ceil((behaviorWaitMs + ANSWER_MARGIN_MS) / TICK_MS)));
}

/** Services the room uses; set once by the app before rooms are created. */
export interface ArenaServices {
  recorder: GameRecorder | null;
  inference: InferenceService | null;
  /** Ticks between two classifications of a player (1…TICK_RATE; default {@link DEFAULT_CLASSIFY_EVERY_TICKS}). */
  classifyEveryTicks?: number;
  /** The live designer rules; null runs rooms without a director (fixed default knobs). */
  rules?: RuleRegistry | null;
  /** Open rooms, for "join this room" recommendations. */
  roomFinder?: RoomFinder | null;
  /** Flags, sanctions and durable chat; null runs chat without storage or moderation. */
  moderation?: Moderation | null;
  /** Chat policy thresholds (default {@link DEFAULT_CHAT_POLICY}). */
  chatPolicy?: ChatPolicy;
  /** Registered players' sessions (null: everyone plays as a guest). */
  accounts?: Accounts | null;
  /** The most players this process takes (null: no limit); see capacity.ts. */
  maxPlayers?: number | null;
  /**
   * Lock this process's rooms while it is full, so that matchmaking seats players on other
   * processes (scale-out mode). Off with one process: a player who picked a room is told
   * "server full" rather than "room locked".
   */
  lockRoomsWhenFull?: boolean;
  /**
   * Picks each new room's world seed (default: a random one). The seed is in the room's
   * "room created" log line, so its waves can be played again; tests pin it so a room rolls
   * the same waves every run.
   */
  worldSeed?: () => number;
}

function randomWorldSeed(): number {
  return randomInt(2 ** 31);
}

/** The services in use; the player limit lives in {@link capacity}. */
let services: Required<Omit<ArenaServices, 'maxPlayers'>> = {
  recorder: null, inference: null, classifyEveryTicks: DEFAULT_CLASSIFY_EVERY_TICKS, rules: null, roomFinder: null,
  moderation: null, chatPolicy: DEFAULT_CHAT_POLICY, accounts: null, lockRoomsWhenFull: false, worldSeed: randomWorldSeed,
};
let chatPipeline = new ChatPipeline(null);
/** {@link classifyLeadTicks} for the services in use. */
let classifyLead = classifyLeadTicks(0, DEFAULT_CLASSIFY_EVERY_TICKS);
/** Players seated in this process's arena rooms (the capacity's count). */
const seatedPlayers = (): number => {
  let n = 0;
  for (const room of liveArenaRooms) n += room.seatedPlayers;
  return n;
};
let capacity = new PlayerCapacity(null, seatedPlayers);
/** Rooms this process locked because it was full: unlocked as soon as it has a free place. */
const lockedWhileFull = new Set<ArenaRoom>();
/** After the player count changed: locks every open room while the process is full, unlocks them after. */
function lockRoomsWhileFull(): void {
  if (capacity.limit === null || !services.lockRoomsWhenFull) return;
  const full = capacity.full(performance.now());
  for (const room of liveArenaRooms) {
    if (full && !room.locked && !lockedWhileFull.has(room)) {
      lockedWhileFull.add(room);
      room.lock().catch(() => undefined);
    } else if (!full && lockedWhileFull.delete(room)) {
      room.unlock().catch(() => undefined);
    }
  }
}
/** This process's player limit and count (for /health and /metrics). */
export function arenaCapacity(): PlayerCapacity {
  return capacity;
}
/** @throws RangeError if `classifyEveryTicks` is not an integer in 1…TICK_RATE, or `maxPlayers` not a positive integer. */
export function setArenaServices(next: ArenaServices): void {
  const classifyEveryTicks = next.classifyEveryTicks ?? DEFAULT_CLASSIFY_EVERY_TICKS;
  if (!Number.isInteger(classifyEveryTicks) || classifyEveryTicks < 1 || classifyEveryTicks > TICK_RATE) {
    throw new RangeError(`classifyEveryTicks must be an integer in [1, ${TICK_RATE}], got ${classifyEveryTicks}`);
  }
  const nextCapacity = new PlayerCapacity(next.maxPlayers ?? null, seatedPlayers);
  services = {
    recorder: next.recorder, inference: next.inference, classifyEveryTicks, rules: next.rules ?? null,
    roomFinder: next.roomFinder ?? null, moderation: next.moderation ?? null, chatPolicy: next.chatPolicy ?? DEFAULT_CHAT_POLICY,
    accounts: next.accounts ?? null, lockRoomsWhenFull: next.lockRoomsWhenFull ?? false, worldSeed: next.worldSeed ?? randomWorldSeed,
  };
  chatPipeline = new ChatPipeline(services.inference, services.chatPolicy);
  capacity = nextCapacity;
  const waitMs = services.inference?.behaviorWaitMs ?? 0;
  classifyLead = classifyLeadTicks(waitMs, classifyEveryTicks);
  if (classifyEveryTicks > 1 && waitMs + ANSWER_MARGIN_MS > classifyLead * TICK_MS) {
    log.warn({ component: 'server', behaviorWaitMs: waitMs, classifyEveryTicks },
      `inference: a behavior window waits up to ${waitMs} ms for its batch, longer than a classification period allows: the director reads each player's previous read (lower INFERENCE_MAX_WAIT_MS or BEHAVIOR_CLASSIFY_HZ)`);
  }
}

/** Every live arena room of this process (moderator actions reach players through it). */
export const liveArenaRooms = new Set<ArenaRoom>();

/** Reports: 3 at once, then one every 20 s. */
const REPORT_BURST = 3;
const REPORTS_PER_SECOND = 1 / 20;
/** Delivered lines a player can still report (the newest, per room). */
const REPORTABLE_LINES = 200;

/** A delivered chat line, kept so that players can report it. */
interface ReportableLine {
  playerId: string;
  name: string;
  /** As stored (redacted of personal data), which is what moderators see. */
  text: string;
  /** A report raised its flag (or is storing it): later reports are only acknowledged. */
  reported: boolean;
}

/** A repeat of one of a player's last messages within this long is refused as spam. */
const SPAM_WINDOW_MS = 30_000;
const SPAM_MEMORY = 3;

/** Per-connection bookkeeping that is not part of the synced state. */
interface Seat {
  playerId: string;
  name: string;
  inputs: PlayerInput[];
  lastQueuedSeq: number;
  frames: FrameRing;
  chat: TokenBucket;
  reports: TokenBucket;
  errors: TokenBucket;
  /** Smoothed behavior-model read of this player (null until the model's classes are known). */
  profile: BehaviorProfile | null;
  /** A classification of this player is in flight (never more than one). */
  classifying: boolean;
  /** Spreads players' classifications over the second instead of all on one tick. */
  classifyPhase: number;
  /** The player's last few chat lines, normalised, for spam detection. */
  recentChat: Array<{ text: string; at: number }>;
  /** Guests: the keyed hash of their network (null for accounts). */
  networkKey: string | null;
}

export class ArenaRoom extends Room<{ state: ArenaState; metadata: ArenaMetadata }> {
  override maxClients = MAX_PLAYERS_PER_ROOM;
  override maxMessagesPerSecond = MAX_MESSAGES_PER_SECOND;
  override state = new ArenaState();

  readonly matchId = randomUUID();
  world!: SimWorld;
  private readonly seats = new Map<string, Seat>();
  private readonly tickInputs = new Map<string, PlayerInput>();
  /** Messages refused in this room, by reason (tests and the monitor read it). */
  readonly rejected: Record<RejectReason, number> = emptyRejectCounts();
  private scoreTotal = 0;
  /** Personalization: null when the server runs without rules. */
  director: RoomDirector | null = null;
  private unsubscribeRules: (() => void) | null = null;
  /** Spreads rooms' director seconds over the ticks of a second. */
  private readonly directorPhase = randomInt(TICK_RATE);
  /** Chat runs through the pipeline one message at a time per room: stored order = order shown. */
  private chatChain: Promise<void> = Promise.resolve();
  private readonly startedAt = new Date();
  /** Chat times are strictly increasing per room, so stored order is the order people saw. */
  private lastChatAt = 0;
  /** Set on shutdown: players are sent away, not held for reconnection. */
  private draining = false;
  /** The newest delivered lines, by id, oldest first: what players can report. */
  private readonly reportable = new Map<string, ReportableLine>();
  /** Sessions a moderator removed (banned): their close is a leave, not a drop to wait for. */
  private readonly removed = new Set<string>();
  /** This room's log lines carry its room and match ids. */
  private log: Logger = log;

  override messages = {
    input: (client: Client, raw: unknown) => this.onInput(client, raw),
    chat: (client: Client, raw: unknown) => this.onChat(client, raw),
    recommendation: (client: Client, raw: unknown) => this.onRecommendationResponse(client, raw),
    report: (client: Client, raw: unknown) => this.onReport(client, raw),
    _: (client: Client, type: string | number, _raw: unknown) => {
      this.refuse(client, 'unknown_type', String(type).slice(0, 40), 'unknown message type');
    },
  };

  override onCreate(options: unknown): void {
    const parsed = parseJoinOptions(options);
    const roomName = parsed.ok && parsed.value.roomName ? parsed.value.roomName : `Arena ${this.roomId}`;
    const seed = services.worldSeed();
    this.world = createWorld(seed);
    this.log = log.child({ component: 'room', roomId: this.roomId, matchId: this.matchId });
    this.patchRate = TICK_MS;
    this.setMetadata({ roomName, wave: 0, difficulty: 0 }).catch(() => undefined);
    this.setFixedTimestep(() => this.tick(), TICK_RATE);
    const rules = services.rules;
    if (rules) {
      this.director = new RoomDirector({
        roomId: this.roomId, matchId: this.matchId, rules: rules.live, recorder: services.recorder,
        roomFinder: services.roomFinder, send: (sessionId, type, message) => this.clients.getById(sessionId)?.send(type, message),
        describe: () => ({ world: this.world, roomName: this.metadata.roomName }),
      });
      this.unsubscribeRules = rules.onChange((next) => this.director?.setRules(next));
    }
    services.recorder?.startMatch({ id: this.matchId, roomId: this.roomId, startedAt: this.startedAt });
    liveArenaRooms.add(this);
    this.log.info({ roomName, seed }, 'room created');
  }

  /** Validates join options before a seat is given; the SDK rejects join with this message. */
  override async onAuth(client: Client, options: unknown, context?: AuthContext): Promise<SeatAuth> {
    const parsed = parseJoinOptions(options);
    if (!parsed.ok) throw new ServerError(400, `invalid join options: ${parsed.error}`);
    if (!capacity.admit(client.sessionId, performance.now())) {
      const n = capacity.limit!;
      throw new ServerError(503, `server full: it takes ${n} player${n === 1 ? '' : 's'} and ${n === 1 ? 'that place is' : 'all places are'} taken; try again in a minute`);
    }
    lockRoomsWhileFull();
    try {
      return await this.seatAuth(parsed.value, context);
    } catch (err) {
      capacity.settle(client.sessionId);
      lockRoomsWhileFull();
      throw err;
    }
  }

  /** Who the joining player is, once their options are valid: bans and one seat per player checked. */
  private async seatAuth(options: JoinOptions, context?: AuthContext): Promise<SeatAuth> {
    if (options.token) {
      const session = await services.accounts?.verify(options.token);
      if (!session) throw new ServerError(401, 'token: session expired or invalid: log in again');
      // A registered player plays as their account: bans and history follow the account.
      options.playerId = session.accountId;
    }
    const { playerId } = options;
    const sanctions = services.moderation?.sanctions;
    const ban = playerId ? sanctions?.banReason(playerId) : null;
    if (ban) throw new ServerError(403, `banned: ${ban}`);
    // A banned guest must not come straight back under a new guest id (see sanctions.ts).
    const networkKey = !options.token && sanctions && context?.ip ? sanctions.networkKeyOf(context.ip) : null;
    const closed = networkKey ? sanctions!.networkBan(networkKey) : null;
    if (closed) {
      throw new ServerError(403, `banned: guests from your network cannot play until ${new Date(closed.until).toISOString()} (${closed.reason}); sign in with an account to play`);
    }
    // One seat per player: the director and the records key on the player id.
    if (playerId && [...this.seats.values()].some((s) => s.playerId === playerId)) {
      throw new ServerError(409, 'this player is already in this room');
    }
    return { ...options, networkKey };
  }

  override onJoin(client: Client, _options: unknown, auth: SeatAuth): void {
    const playerId = auth.playerId ?? randomUUID();
    const now = performance.now();
    this.seats.set(client.sessionId, {
      playerId, name: auth.name, inputs: [], lastQueuedSeq: 0,
      frames: new FrameRing(FRAME_RING_CAPACITY),
      chat: new TokenBucket(CHAT_BURST, CHAT_PER_SECOND, now),
      reports: new TokenBucket(REPORT_BURST, REPORTS_PER_SECOND, now),
      errors: new TokenBucket(ERROR_REPLIES_PER_SECOND, ERROR_REPLIES_PER_SECOND, now),
      // Classified classifyLead ticks before the room's director second, so the director reads a
      // fresh profile (batched and answered within that lead) instead of one up to a second old.
      profile: null, classifying: false, classifyPhase: (this.directorPhase + classifyLead) % services.classifyEveryTicks, recentChat: [],
      networkKey: auth.networkKey,
    });
    capacity.settle(client.sessionId);
    const player = addPlayer(this.world, client.sessionId, auth.name);
    player.loadout = auth.loadout ?? DEFAULT_LOADOUT;
    this.director?.addPlayer(client.sessionId, playerId, auth.name, auth.mode ?? 'standard', Date.now());
    this.state.players.set(client.sessionId, new PlayerState({ name: auth.name }));
    this.syncState();
    const welcome: WelcomeMessage = { playerId, sessionId: client.sessionId, tickRate: TICK_RATE };
    client.send(ServerMessage.Welcome, welcome);
    const at = new Date();
    services.recorder?.upsertPlayer({ id: playerId, name: auth.name, seenAt: at, networkKey: auth.networkKey });
    services.recorder?.joinMatch({ matchId: this.matchId, playerId, name: auth.name, joinedAt: at });
    if (auth.lobby) this.recordLobbyAdvice(playerId, auth.lobby, player.loadout, auth.mode ?? 'standard', at);
  }

  /**
   * SIGTERM (deploy, scale-in): matchmaking already stopped sending players here; everyone
   * in the room is closed with {@link ArenaCloseCode.ServerDraining}, which tells clients to
   * matchmake again — onto another process when there is one. The match ends and is
   * recorded as usual (onLeave, onDispose), before the write-behind queue is flushed.
   */
  override onBeforeShutdown(): void {
    this.draining = true;
    this.log.info({ players: this.clients.length }, 'draining: players told to matchmake again');
    this.disconnect(ArenaCloseCode.ServerDraining).catch(() => undefined);
  }

  /** A dropped connection keeps its player, frozen, for {@link RECONNECT_SECONDS} (not while draining: the room is going). */
  override onDrop(client: Client): void {
    // Colyseus calls onLeave next: the room is going, or a moderator removed the player.
    if (this.draining || this.removed.delete(client.sessionId)) return;
    const p = this.world.players.get(client.sessionId);
    if (p) p.connected = false;
    const seat = this.seats.get(client.sessionId);
    if (seat) seat.inputs.length = 0;
    this.allowReconnection(client, RECONNECT_SECONDS);
  }

  override onReconnect(client: Client): void {
    const p = this.world.players.get(client.sessionId);
    if (p) p.connected = true;
  }

  override onLeave(client: Client): void {
    capacity.settle(client.sessionId);
    this.removed.delete(client.sessionId);
    const p = this.world.players.get(client.sessionId);
    const seat = this.seats.get(client.sessionId);
    if (p && seat) {
      services.recorder?.updateMatchPlayer({
        matchId: this.matchId, playerId: seat.playerId, score: p.score, kills: p.kills,
        deaths: p.deaths, leftAt: new Date(),
      });
    }
    const mode = this.director?.removePlayer(client.sessionId, Date.now());
    if (p && seat && mode) {
      services.recorder?.saveProfile({
        playerId: seat.playerId, mode, loadout: p.loadout, style: seat.profile?.probabilities() ?? {},
        difficulty: difficultyIndex(p.knobs), updatedAt: new Date(),
      });
    }
    removePlayer(this.world, client.sessionId);
    this.seats.delete(client.sessionId);
    this.state.players.delete(client.sessionId);
    lockRoomsWhileFull();
  }

  override onDispose(): void {
    liveArenaRooms.delete(this);
    lockedWhileFull.delete(this);
    this.unsubscribeRules?.();
    services.recorder?.endMatch({
      id: this.matchId, endedAt: new Date(), wavesReached: this.world.wave, score: this.scoreTotal,
    });
    this.log.info({ wavesReached: this.world.wave, score: this.scoreTotal }, 'room disposed');
  }

  /** Players holding a seat here, a dropped one waiting for a reconnection included. */
  get seatedPlayers(): number {
    return this.seats.size;
  }

  /** Latest window of encoded frames for a player (the CNN's input), or null if too few yet. */
  latestFrames(sessionId: string): Float32Array | null {
    return this.seats.get(sessionId)?.frames.latest(FRAME_WINDOW) ?? null;
  }

  private onInput(client: Client, raw: unknown): void {
    const seat = this.seats.get(client.sessionId);
    if (!seat) return;
    const parsed = parseInput(raw);
    if (!parsed.ok) return this.refuse(client, 'invalid_message', 'input', parsed.error);
    const input = parsed.value;
    if (input.seq <= seat.lastQueuedSeq) {
      return this.refuse(client, 'stale_input', 'input', `seq ${input.seq} is not after ${seat.lastQueuedSeq}`);
    }
    seat.lastQueuedSeq = input.seq;
    seat.inputs.push(input);
    if (seat.inputs.length > MAX_QUEUED_INPUTS) {
      seat.inputs.shift();
      this.count('input_overflow');
    }
  }

  private onChat(client: Client, raw: unknown): void {
    const seat = this.seats.get(client.sessionId);
    if (!seat) return;
    const parsed = parseChat(raw);
    if (!parsed.ok) return this.refuse(client, 'invalid_message', 'chat', parsed.error);
    const now = Date.now();
    const muteEnds = services.moderation?.sanctions.muteEnds(seat.playerId, now) ?? 0;
    if (muteEnds) return this.refuse(client, 'muted', 'chat', `you are muted for ${timeLeft(muteEnds - now)}`);
    if (!seat.chat.take(performance.now())) {
      return this.refuse(client, 'rate_limited', 'chat', 'slow down: too many chat messages');
    }
    const normalized = normalizeChatText(parsed.value.text);
    seat.recentChat = seat.recentChat.filter((m) => now - m.at < SPAM_WINDOW_MS);
    if (normalized && seat.recentChat.some((m) => m.text === normalized)) {
      return this.refuse(client, 'spam', 'chat', 'you just said that');
    }
    seat.recentChat.push({ text: normalized, at: now });
    if (seat.recentChat.length > SPAM_MEMORY) seat.recentChat.shift();
    this.lastChatAt = Math.max(now, this.lastChatAt + 1);
    const id = randomUUID();
    const at = this.lastChatAt;
    const received = performance.now();
    this.chatChain = this.chatChain.then(() => this.deliverChat(client, seat, parsed.value, id, at, received)).catch((err: unknown) => {
      this.log.error({ err }, 'chat pipeline failed');
    });
  }

  /**
   * The pipeline, then storage and delivery. A line the pipeline allowed goes out as soon as
   * the pipeline has decided, while it is being committed (with its review flag, if any);
   * anything masked, held or blocked is committed with its flag first. Either way the sender's ack follows the
   * commit, so an acknowledged line is never lost. While the database is failing, allowed
   * lines wait for the commit too, so nobody sees a line its sender is told was not sent.
   */
  private async deliverChat(client: Client, seat: Seat, msg: ChatMessage, id: string, at: number, received: number): Promise<void> {
    const result = await chatPipeline.process(msg.text);
    const scores = result.scores;
    const stored: StoredChat = {
      id, roomId: this.roomId, matchId: this.matchId, matchStartedAt: this.startedAt, playerId: seat.playerId, name: seat.name,
      text: result.stored, createdAt: new Date(at), decision: result.decision, held: result.decision === 'hold',
      filterHits: result.filterHits,
      ...(scores.scored && { scores: { sentiment: scores.sentiment, toxicity: scores.toxicity, model: chatModelName() } }),
    };
    const delivered = result.decision === 'allow' || result.decision === 'mask';
    const line: ChatBroadcast = { id, sessionId: client.sessionId, name: seat.name, text: result.shown, at };
    const deliver = () => {
      if (this.seats.get(client.sessionId) !== seat) return;
      this.broadcast(ServerMessage.Chat, line);
      this.keepReportable(id, { playerId: seat.playerId, name: seat.name, text: result.stored, reported: false });
    };
    const mod = services.moderation;
    const early = result.decision === 'allow' && (!mod || performance.now() - chatStoreHealth.failedAt > CHAT_STORE_CAUTION_MS);
    if (early) deliver();
    if (mod) {
      try {
        await mod.storeChat(stored, result);
      } catch (err) {
        chatStoreHealth.failedAt = performance.now();
        this.log.error({ error: errorMessage(err), playerId: seat.playerId }, 'chat not stored: refused to the sender');
        return this.refuse(client, 'unavailable', 'chat', early
          ? 'chat is unavailable right now: your line was shown but could not be saved'
          : 'chat is unavailable right now and your line was not sent: try again');
      }
    }
    if (delivered && !early) deliver();
    if (scores.scored) this.director?.onChat(client.sessionId, Date.now(), scores.sentiment, scores.toxicity);
    const ack: ChatAck = {
      ...(msg.clientId && { clientId: msg.clientId }), id,
      status: delivered ? 'delivered' : result.decision === 'hold' ? 'held' : 'blocked',
      ...(delivered ? { text: result.shown } : { reason: result.toSender ?? result.reason }),
    };
    client.send(ServerMessage.ChatAck, ack);
    chatPipelineLatency.observe((performance.now() - received) / 1000);
  }

  private keepReportable(id: string, line: ReportableLine): void {
    this.reportable.set(id, line);
    if (this.reportable.size > REPORTABLE_LINES) this.reportable.delete(this.reportable.keys().next().value!);
  }

  /**
   * A player reports another player's recent line: the first report of a line raises a
   * flag for the moderators; the reporter is acknowledged once it is stored (or at once when
   * the line was already reported), so a report that was acknowledged is never lost.
   */
  private onReport(client: Client, raw: unknown): void {
    const seat = this.seats.get(client.sessionId);
    if (!seat) return;
    const parsed = parseReport(raw);
    if (!parsed.ok) return this.refuse(client, 'invalid_message', 'report', parsed.error);
    const { messageId, reason } = parsed.value;
    const line = this.reportable.get(messageId);
    if (!line) return this.refuse(client, 'invalid_message', 'report', 'messageId: no recent chat line in this room has that id');
    if (line.playerId === seat.playerId) return this.refuse(client, 'invalid_message', 'report', 'you cannot report your own line');
    const mod = services.moderation;
    if (!mod) return this.refuse(client, 'unavailable', 'report', 'reports are unavailable on this server');
    const ack: ReportAck = { messageId };
    if (line.reported) return client.send(ServerMessage.ReportAck, ack);
    if (!seat.reports.take(performance.now())) return this.refuse(client, 'rate_limited', 'report', 'slow down: too many reports');
    line.reported = true;
    mod.flagReport({
      messageId, reason, roomId: this.roomId, matchId: this.matchId, text: line.text,
      reported: { playerId: line.playerId, name: line.name }, reporter: { playerId: seat.playerId, name: seat.name },
    }).then(() => client.send(ServerMessage.ReportAck, ack), (err: unknown) => {
      line.reported = false;
      this.log.error({ error: errorMessage(err), messageId }, 'report not stored: refused to the reporter');
      this.refuse(client, 'unavailable', 'report', 'reports are unavailable right now: try again');
    });
  }

  /** The network key of a guest seated here, or null (not here, or an account). */
  networkKeyOf(playerId: string): string | null {
    for (const seat of this.seats.values()) if (seat.playerId === playerId) return seat.networkKey;
    return null;
  }

  /** Live sessions of a player in this room. */
  clientsOf(playerId: string): Client[] {
    const out: Client[] = [];
    for (const [sessionId, seat] of this.seats) {
      const c = seat.playerId === playerId ? this.clients.getById(sessionId) : undefined;
      if (c) out.push(c);
    }
    return out;
  }

  /** A moderator's action reaches the player: a notice, and for a ban, removal from the room. */
  notify(playerId: string, notice: ModerationNotice): number {
    const clients = this.clientsOf(playerId);
    for (const c of clients) {
      c.send(ServerMessage.Moderation, notice);
      if (notice.kind === 'banned') {
        // Gone at once: no frozen avatar, no seat held for a reconnection that must not happen.
        this.removed.add(c.sessionId);
        c.leave(ArenaCloseCode.Banned, `banned: ${notice.message}`);
      }
    }
    return clients.length;
  }

  /** Delivers an approved held line to everyone in the room. Returns the recipients. */
  deliverApproved(line: ChatLine): number {
    const sender = [...this.seats].find(([, s]) => s.playerId === line.playerId)?.[0] ?? '';
    const msg: ChatBroadcast = { id: line.id, sessionId: sender, name: line.name, text: line.text, at: Date.parse(line.createdAt) };
    this.broadcast(ServerMessage.Chat, msg);
    if (line.playerId) this.keepReportable(line.id, { playerId: line.playerId, name: line.name, text: line.text, reported: false });
    return this.clients.length;
  }

  private onRecommendationResponse(client: Client, raw: unknown): void {
    const parsed = parseRecommendationResponse(raw);
    if (!parsed.ok) return this.refuse(client, 'invalid_message', 'recommendation', parsed.error);
    const known = this.director?.respond(client.sessionId, parsed.value.id, parsed.value.action, Date.now(), this.world);
    if (!known) this.refuse(client, 'invalid_message', 'recommendation', 'id: no pending recommendation with this id');
  }

  /** Records the lobby's suggestions the player joined with, each answered at once: taken or not. */
  private recordLobbyAdvice(playerId: string, advice: LobbyAdvice, loadout: Loadout, mode: Mode, at: Date): void {
    const recorder = services.recorder;
    if (!recorder) return;
    for (const o of lobbyOutcomes(advice, { mode, loadout, roomId: this.roomId })) {
      const id = randomUUID();
      recorder.recordRecommendation({
        id, playerId, matchId: this.matchId, roomId: this.roomId, kind: o.kind, value: o.value,
        message: `lobby suggested ${o.kind.slice(LOBBY_KIND_PREFIX.length)} ${o.value}`, decisionId: null, createdAt: at,
      });
      recorder.resolveRecommendation({ id, outcome: o.accepted ? 'accepted' : 'dismissed', resolvedAt: at });
    }
  }

  /** One director second: model reads and stats in, knobs and recommendations out (no I/O). */
  private runDirector(): void {
    const director = this.director;
    if (!director || (!director.rulesChanged && (this.world.tick + this.directorPhase) % TICK_RATE !== 0)) return;
    const started = performance.now();
    director.step(Date.now(), this.world, (sessionId) => this.seats.get(sessionId)?.profile?.probabilities() ?? null);
    const players = this.world.players.size;
    let sum = 0;
    for (const p of this.world.players.values()) sum += difficultyIndex(p.knobs);
    // In 5 % steps: the lobby needs no finer, and each change re-lists the room with the matchmaker.
    const difficulty = Math.round((players ? sum / players : 0) * 20) / 20;
    if (difficulty !== this.metadata.difficulty) this.setMetadata({ ...this.metadata, difficulty }).catch(() => undefined);
    serverStats.directorMs.add(performance.now() - started);
  }

  /** Sends each player's window to the behavior model every `classifyEveryTicks` (never waits). */
  private classifyPlayers(): void {
    const inference = services.inference;
    if (!inference) return;
    for (const [sessionId, seat] of this.seats) {
      if (seat.classifying || (this.world.tick + seat.classifyPhase) % services.classifyEveryTicks !== 0) continue;
      const window = seat.frames.latest(FRAME_WINDOW);
      // A window spent mostly dead says nothing about play style (the model never saw one).
      if (!window || !isClassifiable(window)) continue;
      seat.classifying = true;
      void inference.classifyBehavior(window).then((result) => {
        seat.classifying = false;
        if (!result.scored || this.seats.get(sessionId) !== seat) return;
        if (!seat.profile) {
          const classes = behaviorClasses(inference);
          if (classes.length !== result.probabilities.length) return;
          seat.profile = new BehaviorProfile(classes);
        }
        seat.profile.update(result.probabilities);
        const probabilities = seat.profile.probabilities();
        if ((probabilities.inhuman ?? 0) >= INHUMAN_FLAG_AT) {
          void services.moderation?.flagBehavior({
            playerId: seat.playerId, name: seat.name, roomId: this.roomId, matchId: this.matchId, probabilities, window,
            features: window.length / FRAME_WINDOW,
          }).catch((err: unknown) => this.log.error({ error: errorMessage(err), playerId: seat.playerId }, 'behavior flag not stored'));
        }
        const top = seat.profile.top();
        const client = this.clients.getById(sessionId);
        if (!top || !client) return;
        const message: ProfileMessage = { ...top, probabilities };
        client.send(ServerMessage.Profile, message);
      }, () => { seat.classifying = false; });
    }
  }

  /** The behavior model's smoothed read of a player, or null before the first classification. */
  profileOf(sessionId: string): BehaviorProfile | null {
    return this.seats.get(sessionId)?.profile ?? null;
  }

  private count(reason: RejectReason): void {
    this.rejected[reason]++;
    serverStats.reject(reason);
  }

  /** Counts a refused message and tells the sender why (rate-limited, so floods stay cheap). */
  private refuse(client: Client, reason: RejectReason & ErrorCode, type: string, message: string): void {
    this.count(reason);
    const seat = this.seats.get(client.sessionId);
    if (seat && !seat.errors.take(performance.now())) return;
    const reply: ErrorMessage = { code: reason, type, message };
    client.send(ServerMessage.Error, reply);
  }

  private tick(): void {
    const started = performance.now();
    const inputs = this.tickInputs;
    inputs.clear();
    for (const [sessionId, seat] of this.seats) {
      const input = seat.inputs.shift();
      if (input) inputs.set(sessionId, input);
    }
    stepWorld(this.world, inputs);
    for (const [sessionId, seat] of this.seats) {
      const p = this.world.players.get(sessionId);
      if (p) seat.frames.record(this.world, p, inputs.get(sessionId) ?? idleInput(p.aim, p.lastSeq));
    }
    this.classifyPlayers();
    this.runDirector();
    for (const e of this.world.events) {
      if (e.type === 'waveStart') this.setMetadata({ ...this.metadata, wave: e.wave }).catch(() => undefined);
    }
    this.syncState();
    serverStats.tickMs.add(performance.now() - started);
  }

  /** Copies the simulation into the synced schema (only changed values produce patches). */
  private syncState(): void {
    const w = this.world;
    const s = this.state;
    s.tick = w.tick;
    s.wave = w.wave;
    s.phase = w.phase;
    s.nextWaveIn = w.phase === 'relax' ? Math.ceil(w.phaseTicks / TICK_RATE) : 0;
    s.enemiesLeft = w.enemies.length + w.toSpawn;
    const k = s.knobs;
    k.spawnRate = w.knobs.spawnRate;
    k.enemySpeed = w.knobs.enemySpeed;
    k.enemyDamage = w.knobs.enemyDamage;
    k.enemyAccuracy = w.knobs.enemyAccuracy;
    k.pickupRate = w.knobs.pickupRate;
    k.waveSize = w.knobs.waveSize;
    k.relaxSeconds = w.knobs.relaxSeconds;

    let total = 0;
    for (const p of w.players.values()) {
      const ps = s.players.get(p.id);
      if (!ps) continue;
      ps.x = p.x; ps.y = p.y; ps.aim = p.aim; ps.hp = p.hp; ps.ammo = p.ammo;
      ps.alive = p.alive; ps.connected = p.connected; ps.protected = p.protectTicks > 0;
      ps.powered = p.powerTicks > 0; ps.dashTicks = p.dashTicks; ps.dashCooldown = p.dashCooldown;
      ps.dashX = p.dashX; ps.dashY = p.dashY; ps.score = p.score; ps.kills = p.kills;
      ps.deaths = p.deaths; ps.lastSeq = p.lastSeq; ps.difficulty = difficultyIndex(p.knobs);
      const pk = ps.knobs;
      pk.enemySpeed = p.knobs.enemySpeed; pk.enemyDamage = p.knobs.enemyDamage;
      pk.enemyAccuracy = p.knobs.enemyAccuracy; pk.pickupRate = p.knobs.pickupRate;
      ps.loadout = p.loadout;
      ps.mode = this.director?.modeOf(p.id) ?? 'standard';
      total += p.score;
    }
    this.scoreTotal = Math.max(this.scoreTotal, total);

    syncMap(s.enemies, w.enemies, (e, es) => { es.x = e.x; es.y = e.y; es.hp = e.hp; },
      (e) => new EnemyState({ kind: e.kind }));
    // Bullets fly straight: sent once, extrapolated by clients, never patched again.
    syncMap(s.projectiles, w.projectiles, null, (b) => new ProjectileState({
      x0: b.x, y0: b.y, vx: b.vx, vy: b.vy, tick0: w.tick, hostile: b.ownerId === null,
    }));
    syncMap(s.pickups, w.pickups, null, (k) => new PickupState({ kind: k.kind, x: k.x, y: k.y }));
  }
}

/** "4 min 10 s" — how long a mute still runs. */
function timeLeft(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}

function behaviorClasses(inference: InferenceService): readonly string[] {
  return inference.status().models.find((m) => m.name === 'behavior')?.classes ?? [];
}

/** The model that scored a message, as stored with it: "chat/v4" names the artifact folder. */
function chatModelName(): string {
  const chat = services.inference?.status().models.find((m) => m.name === 'chat');
  return chat ? `chat/v${chat.version}` : 'chat';
}

/** Mirrors a list of simulation entities into a keyed schema map. */
function syncMap<E extends { id: number }, S>(
  map: { get(k: string): S | undefined; set(k: string, v: S): unknown; delete(k: string): unknown; keys(): Iterable<string>; size: number },
  entities: readonly E[],
  update: ((entity: E, state: S) => void) | null,
  create: (entity: E) => S,
): void {
  for (const e of entities) {
    const key = String(e.id);
    let st = map.get(key);
    if (!st) { st = create(e); map.set(key, st); }
    if (update) update(e, st);
  }
  // Ids are unique and every entity is in the map now: it holds stale keys exactly when it is
  // larger (most ticks nothing despawned, and no set of live keys needs building).
  if (map.size > entities.length) {
    const live = new Set(entities.map((e) => String(e.id)));
    for (const key of [...map.keys()]) if (!live.has(key)) map.delete(key);
  }
}
