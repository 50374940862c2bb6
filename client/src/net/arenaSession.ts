/**
 * One joined arena room: the only module that talks to @colyseus/sdk. It joins through
 * matchmaking, keeps the persistent player id from `welcome`, tracks the connection
 * through the SDK's automatic reconnection (onDrop → onReconnect, or onLeave when the
 * retries run out) and sends the protocol's messages with their exact shapes.
 */
import { Client, type Room } from '@colyseus/sdk';
import {
  ARENA_ROOM, ClientMessage, ServerMessage, type ArenaStateView, type ChatBroadcast, type DirectorMessage, type ErrorMessage,
  type InputMessage, type JoinOptions, type LobbyAdvice, type Loadout, type Mode, type ProfileMessage, type RecommendationMessage,
  type RecommendationResponse, type RecommendationResult, type WelcomeMessage, type ChatAck, type ModerationNotice, RECONNECT_RETRIES, shouldRematch,
  type ReportAck, type ReportMessage, type ReportReason,
} from '@pulse-arena/shared';
import { profile } from '../profile.js';

/** How the player enters a room from the menu. */
export type JoinRequest = (
  | { kind: 'quickPlay' }
  | { kind: 'create'; roomName?: string }
  | { kind: 'join'; roomId: string }
) & {
  mode?: Mode;
  loadout?: Loadout;
  /** The lobby's suggestions on screen when the player pressed join (recorded: taken or not). */
  lobby?: LobbyAdvice;
};

/** moving: the room's server drained or died; the app matchmakes again (see shouldRematch). */
export type ConnectionStatus = 'open' | 'reconnecting' | 'moving' | 'closed';

type Listener<T> = (value: T) => void;

export class ArenaSession {
  status: ConnectionStatus = 'open';
  /** Persistent guest id, known once `welcome` arrives. */
  playerId: string | null = null;
  private readonly statusListeners = new Set<Listener<ConnectionStatus>>();

  private constructor(private readonly room: Room<unknown, ArenaStateView>) {
    room.onMessage(ServerMessage.Welcome, (msg: WelcomeMessage) => {
      this.playerId = msg.playerId;
      profile.setPlayerId(msg.playerId);
    });
    room.reconnection.maxRetries = RECONNECT_RETRIES;
    room.onDrop(() => this.setStatus('reconnecting'));
    room.onReconnect(() => this.setStatus('open'));
    room.onLeave((code) => this.setStatus(shouldRematch(code) ? 'moving' : 'closed'));
  }

  /**
   * Joins (or creates) an arena room as `name`, passing back the stored player id.
   * @throws the SDK's MatchMakeError / ServerError when the server refuses (room full, bad name…).
   */
  static async join(request: JoinRequest, name: string): Promise<ArenaSession> {
    const client = new Client(location.origin);
    const options: JoinOptions = { name };
    if (request.mode) options.mode = request.mode;
    if (request.loadout) options.loadout = request.loadout;
    if (request.lobby) options.lobby = request.lobby;
    const playerId = profile.playerId();
    if (playerId) options.playerId = playerId;
    let room: Room<unknown, ArenaStateView>;
    if (request.kind === 'join') {
      room = await client.joinById<ArenaStateView>(request.roomId, options);
    } else if (request.kind === 'create') {
      if (request.roomName) options.roomName = request.roomName;
      room = await client.create<ArenaStateView>(ARENA_ROOM, options);
    } else {
      room = await client.joinOrCreate<ArenaStateView>(ARENA_ROOM, options);
    }
    return new ArenaSession(room);
  }

  get roomId(): string {
    return this.room.roomId;
  }

  get sessionId(): string {
    return this.room.sessionId;
  }

  /** The decoded room state, or null until the first full state has arrived. */
  get state(): ArenaStateView | null {
    const state = this.room.state as ArenaStateView | undefined;
    return state?.players ? state : null;
  }

  onState(listener: Listener<ArenaStateView>): void {
    this.room.onStateChange(listener);
  }

  onChat(listener: Listener<ChatBroadcast>): void {
    this.room.onMessage(ServerMessage.Chat, listener);
  }

  onProfile(listener: Listener<ProfileMessage>): void {
    this.room.onMessage(ServerMessage.Profile, listener);
  }

  onChatAck(listener: Listener<ChatAck>): void {
    this.room.onMessage(ServerMessage.ChatAck, listener);
  }

  onModeration(listener: Listener<ModerationNotice>): void {
    this.room.onMessage(ServerMessage.Moderation, listener);
  }

  onDirector(listener: Listener<DirectorMessage>): void {
    this.room.onMessage(ServerMessage.Director, listener);
  }

  onRecommendation(listener: Listener<RecommendationMessage>): void {
    this.room.onMessage(ServerMessage.Recommendation, listener);
  }

  onRecommendationResult(listener: Listener<RecommendationResult>): void {
    this.room.onMessage(ServerMessage.RecommendationResult, listener);
  }

  answerRecommendation(id: string, action: RecommendationResponse['action']): void {
    this.room.send(ClientMessage.Recommendation, { id, action } satisfies RecommendationResponse);
  }

  /** Reports another player's chat line to the moderators; answered by a ReportAck or an error. */
  report(messageId: string, reason: ReportReason): void {
    this.room.send(ClientMessage.Report, { messageId, reason } satisfies ReportMessage);
  }

  onReportAck(listener: Listener<ReportAck>): void {
    this.room.onMessage(ServerMessage.ReportAck, listener);
  }

  onServerError(listener: Listener<ErrorMessage>): void {
    this.room.onMessage(ServerMessage.Error, listener);
  }

  onStatus(listener: Listener<ConnectionStatus>): void {
    this.statusListeners.add(listener);
  }

  /**
   * Sends one tick of input. Returns false (and sends nothing) while the socket is down:
   * the SDK would queue it and flush a burst of stale inputs after reconnecting.
   */
  sendInput(input: InputMessage): boolean {
    if (this.status !== 'open') return false;
    const { seq, moveX, moveY, aim, fire, dash } = input; // exactly the protocol's fields
    this.room.send(ClientMessage.Input, { seq, moveX, moveY, aim, fire, dash } satisfies InputMessage);
    return true;
  }

  sendChat(text: string): void {
    this.room.send(ClientMessage.Chat, { text });
  }

  async leave(): Promise<void> {
    if (this.status === 'closed' || this.status === 'moving') return;
    await this.room.leave(true);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}
