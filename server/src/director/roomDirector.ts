/**
 * The director inside one arena room: once a second it samples every player's signals,
 * steps the {@link Director}, writes the knobs into the simulation, tells players what
 * changed and why, turns recommend decisions into recommendations (at most one pending
 * per kind, withdrawn when the rule that made it stops holding), and records samples,
 * decisions and outcomes through the write-behind recorder. Everything is synchronous and
 * small; nothing here waits on I/O.
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_LOADOUT, LOADOUTS, MODES, PLAYER_KNOBS, ROOM_KNOBS, ServerMessage, difficultyIndex,
  type DirectorMessage, type InputValues, type LiveRoom, type Loadout, type Mode,
  type RecommendationMessage, type RecommendationResult, type SimWorld, type StyleName,
} from '@pulse-arena/shared';
import type { GameRecorder } from '../rooms/gameRecorder.js';
import { Director, round, type CompiledRuleSet, type Decision, type DirectorSample } from './director.js';
import { PlayerSignals, RoomSignals } from './signals.js';

/** Unanswered recommendations count as ignored after this long. */
export const RECOMMENDATION_TTL_SECONDS = 30;
/** Points of live history kept per player for the designer console (one a second). */
const LIVE_HISTORY = 120;

/** Finds an open room worth suggesting to a player (see recommender.ts). */
export interface RoomFinder {
  suggest(excludeRoomId: string, difficulty: number): { roomId: string; roomName: string } | null;
}

export interface RoomDirectorOptions {
  roomId: string;
  matchId: string;
  rules: CompiledRuleSet;
  recorder: GameRecorder | null;
  roomFinder: RoomFinder | null;
  send(sessionId: string, type: string, message: unknown): void;
  /** The room's simulation and label, for the live view. */
  describe(): { world: SimWorld; roomName: string };
}

interface Pending {
  id: string;
  /** The rule that suggested it: when that rule deactivates, the suggestion is withdrawn. */
  ruleId: string;
  kind: RecommendationMessage['kind'];
  value?: string;
  expiresAt: number;
}

interface Seat {
  sessionId: string;
  playerId: string;
  name: string;
  mode: Mode;
  signals: PlayerSignals;
  pending: Pending[];
  history: LiveRoom['players'][number]['history'];
  lastProbabilities: Partial<Record<StyleName, number>>;
}

export class RoomDirector {
  private readonly director: Director;
  private readonly seats = new Map<string, Seat>();
  private readonly bySessionPlayer = new Map<string, string>();
  private readonly room = new RoomSignals();
  /** Set when a new rule set arrived: the room steps on its next tick instead of waiting a second. */
  rulesChanged = false;

  constructor(private readonly opts: RoomDirectorOptions) {
    this.director = new Director(opts.rules);
  }

  get ruleSetVersion(): number {
    return this.director.version;
  }

  setRules(rules: CompiledRuleSet): void {
    this.director.setRules(rules);
    this.rulesChanged = true;
  }

  addPlayer(sessionId: string, playerId: string, name: string, mode: Mode, t: number): void {
    this.seats.set(sessionId, {
      sessionId, playerId, name, mode, signals: new PlayerSignals(t), pending: [], history: [], lastProbabilities: {},
    });
    this.bySessionPlayer.set(playerId, sessionId);
  }

  /** Forgets a player; pending recommendations count as ignored. Returns the mode they played. */
  removePlayer(sessionId: string, t: number): Mode | null {
    const seat = this.seats.get(sessionId);
    if (!seat) return null;
    for (const p of seat.pending) this.resolve(seat, p, 'ignored', t, false);
    this.seats.delete(sessionId);
    this.bySessionPlayer.delete(seat.playerId);
    return seat.mode;
  }

  modeOf(sessionId: string): Mode | null {
    return this.seats.get(sessionId)?.mode ?? null;
  }

  onChat(sessionId: string, t: number, sentiment: readonly [number, number, number], toxicity: number): void {
    this.seats.get(sessionId)?.signals.onChat(t, sentiment, toxicity);
  }

  /**
   * One director second. `profiles` gives each session's smoothed behavior read (or null).
   * Writes the new knobs into `world` (per player, and the room's pacing knobs).
   */
  step(t: number, world: SimWorld, profiles: (sessionId: string) => Readonly<Record<string, number>> | null): void {
    this.rulesChanged = false;
    const players: DirectorSample['players'] = [];
    const intensities: number[] = [];
    const roomPlayers = this.seats.size;
    for (const seat of this.seats.values()) {
      const p = world.players.get(seat.sessionId);
      if (!p) continue;
      const profile = profiles(seat.sessionId);
      if (profile) seat.lastProbabilities = profile as Partial<Record<StyleName, number>>;
      players.push({ playerId: seat.playerId, mode: seat.mode, inputs: seat.signals.sample(t, p, world, profile, roomPlayers) });
      intensities.push(seat.signals.currentIntensity);
    }
    // An empty room has nothing to direct (and every step must be recorded for the dry run).
    if (players.length === 0) return;
    const sample: DirectorSample = { t, room: this.room.sample(world, intensities), players };
    const before = new Map(players.map((p) => [p.playerId, this.director.targets(p.playerId)]));
    const result = this.director.step(sample);

    for (const k of ROOM_KNOBS) world.knobs[k] = result.room[k];
    for (const seat of this.seats.values()) {
      const p = world.players.get(seat.sessionId);
      const knobs = result.players.get(seat.playerId);
      if (!p || !knobs) continue;
      for (const k of PLAYER_KNOBS) p.knobs[k] = knobs[k];
      for (const k of ROOM_KNOBS) p.knobs[k] = result.room[k];
      seat.history.push({ t, probabilities: seat.lastProbabilities, difficulty: round(difficultyIndex(p.knobs)) });
      if (seat.history.length > LIVE_HISTORY) seat.history.shift();
    }

    const version = this.director.version;
    for (const d of result.decisions) this.handleDecision(d, t, world, version, before);
    for (const seat of this.seats.values()) {
      for (const p of [...seat.pending]) if (t >= p.expiresAt) this.resolve(seat, p, 'ignored', t, true);
    }
    const playerKnobs: Record<string, unknown> = {};
    for (const [id, k] of result.players) playerKnobs[id] = k;
    this.opts.recorder?.recordDirectorSample({
      id: randomUUID(), at: new Date(t), roomId: this.opts.roomId, matchId: this.opts.matchId, ruleSetVersion: version,
      inputs: { room: sample.room, players: sample.players }, knobs: { room: result.room, players: playerKnobs },
    });
  }

  private handleDecision(
    d: Decision, t: number, world: SimWorld, version: number, before: Map<string, Record<string, number> | null>,
  ): void {
    const id = randomUUID();
    const rec = this.opts.recorder;
    rec?.recordDecision({
      id, at: new Date(t), roomId: this.opts.roomId, matchId: this.opts.matchId, playerId: d.playerId,
      ruleSetVersion: version, ruleId: d.ruleId, kind: d.kind, inputs: d.inputs, changes: d.changes,
      recommendation: d.recommendation,
    });
    if (d.playerId === null) return;
    const sessionId = this.bySessionPlayer.get(d.playerId);
    const seat = sessionId ? this.seats.get(sessionId) : undefined;
    if (!seat) return;
    const why = `${d.ruleId}${formatInputs(d.because)}`;

    if (d.kind === 'deactivate') {
      // What made the suggestion has stopped holding (past the rule's hold time): a player who
      // began to struggle is no longer told they are cruising.
      for (const old of seat.pending.filter((x) => x.ruleId === d.ruleId)) this.resolve(seat, old, 'withdrawn', t, true);
    }
    if (d.kind === 'recommend' && d.recommendation) {
      this.recommend(seat, d, id, why, t, world);
      return;
    }
    if (d.changes.length === 0) return;
    const p = world.players.get(seat.sessionId);
    const from = before.get(d.playerId);
    const to = this.director.targets(d.playerId);
    if (!p || !to) return;
    const index = (targets: Record<string, number> | null | undefined) => difficultyIndex({ ...p.knobs, ...(targets ?? {}) });
    const delta = index(to) - index(from ?? to);
    const message: DirectorMessage = {
      ruleSetVersion: version,
      direction: delta < -0.005 ? 'easier' : delta > 0.005 ? 'harder' : 'same',
      target: round(index(to)),
      why: `${d.kind === 'deactivate' ? 'no longer ' : ''}${why}`,
      ruleId: d.ruleId,
      activeRules: this.director.activeRules(d.playerId),
    };
    this.opts.send(seat.sessionId, ServerMessage.Director, message);
  }

  private recommend(seat: Seat, d: Decision, decisionId: string, why: string, t: number, world: SimWorld): void {
    const r = d.recommendation!;
    const p = world.players.get(seat.sessionId);
    if (r.kind === 'mode' && r.value === seat.mode) return;
    if (r.kind === 'loadout' && (!p || r.value === p.loadout)) return;
    let value = r.value;
    let roomName: string | undefined;
    if (r.kind === 'room') {
      const found = this.opts.roomFinder?.suggest(this.opts.roomId, p ? difficultyIndex(p.knobs) : 0.5);
      if (!found) return; // nowhere better to go: say nothing
      value = found.roomId;
      roomName = found.roomName;
    }
    // A newer suggestion of the same kind replaces an unanswered one.
    for (const old of seat.pending.filter((x) => x.kind === r.kind)) this.resolve(seat, old, 'withdrawn', t, true);
    const pending: Pending = { id: randomUUID(), ruleId: d.ruleId, kind: r.kind, ...(value !== undefined && { value }), expiresAt: t + RECOMMENDATION_TTL_SECONDS * 1000 };
    seat.pending.push(pending);
    this.opts.recorder?.recordRecommendation({
      id: pending.id, playerId: seat.playerId, matchId: this.opts.matchId, roomId: this.opts.roomId,
      kind: r.kind, value: value ?? null, message: r.message, decisionId, createdAt: new Date(t),
    });
    const message: RecommendationMessage = {
      id: pending.id, kind: r.kind, ...(value !== undefined && { value }), ...(roomName && { roomName }),
      message: r.message, why, expiresInSeconds: RECOMMENDATION_TTL_SECONDS,
    };
    this.opts.send(seat.sessionId, ServerMessage.Recommendation, message);
  }

  /**
   * The player's answer. Accepting a mode or loadout applies it (the loadout at once, the
   * mode from the next director second). Returns false for an unknown or expired id.
   */
  respond(sessionId: string, id: string, action: 'accept' | 'dismiss', t: number, world: SimWorld): boolean {
    const seat = this.seats.get(sessionId);
    const pending = seat?.pending.find((p) => p.id === id);
    if (!seat || !pending) return false;
    if (action === 'accept') {
      if (pending.kind === 'mode' && (MODES as readonly string[]).includes(pending.value ?? '')) seat.mode = pending.value as Mode;
      const p = world.players.get(sessionId);
      if (pending.kind === 'loadout' && p && (LOADOUTS as readonly string[]).includes(pending.value ?? '')) p.loadout = pending.value as Loadout;
    }
    this.resolve(seat, pending, action === 'accept' ? 'accepted' : 'dismissed', t, true);
    return true;
  }

  private resolve(seat: Seat, pending: Pending, outcome: RecommendationResult['outcome'], t: number, tell: boolean): void {
    seat.pending = seat.pending.filter((p) => p !== pending);
    this.opts.recorder?.resolveRecommendation({ id: pending.id, outcome, resolvedAt: new Date(t) });
    if (!tell) return;
    const result: RecommendationResult = { id: pending.id, outcome };
    if (outcome === 'accepted') {
      if (pending.kind === 'mode') result.applied = { mode: pending.value as Mode };
      else if (pending.kind === 'loadout') result.applied = { loadout: pending.value as Loadout };
      else if (pending.kind === 'room' && pending.value) result.applied = { roomId: pending.value };
    }
    this.opts.send(seat.sessionId, ServerMessage.RecommendationResult, result);
  }

  /** This room as the designer console's live view shows it. */
  live(): LiveRoom {
    const { world, roomName } = this.opts.describe();
    return {
      roomId: this.opts.roomId, roomName, ruleSetVersion: this.director.version, wave: world.wave, phase: world.phase,
      knobs: { spawnRate: world.knobs.spawnRate, waveSize: world.knobs.waveSize, relaxSeconds: world.knobs.relaxSeconds },
      activeRules: this.director.activeRules(null),
      players: [...this.seats.values()].map((seat) => {
        const p = world.players.get(seat.sessionId);
        return {
          sessionId: seat.sessionId, playerId: seat.playerId, name: seat.name, mode: seat.mode,
          loadout: p?.loadout ?? DEFAULT_LOADOUT, probabilities: seat.lastProbabilities,
          difficulty: p ? round(difficultyIndex(p.knobs)) : 0,
          knobs: {
            enemySpeed: p?.knobs.enemySpeed ?? 0, enemyDamage: p?.knobs.enemyDamage ?? 0,
            enemyAccuracy: p?.knobs.enemyAccuracy ?? 0, pickupRate: p?.knobs.pickupRate ?? 0,
          },
          activeRules: this.director.activeRules(seat.playerId),
          history: seat.history,
        };
      }),
    };
  }
}

/** " (style.novice 0.82, stats.deathsPerMin 2)" — the inputs that decided a rule, for a short why. */
function formatInputs(inputs: InputValues): string {
  const parts = Object.entries(inputs).slice(0, 4).map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
