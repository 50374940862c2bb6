/**
 * The shape of the room state as clients see it (decoded from Colyseus schema patches).
 * The server's schema classes (server/src/rooms/ArenaState.ts) are checked against these
 * interfaces at compile time, so client code can rely on them without importing the server.
 */
import type { WavePhase, PickupKind, EnemyKind } from './sim.js';
import type { DifficultyKnobs } from './difficulty.js';

/** Read-only map view (Colyseus MapSchema on the client). */
export interface MapView<V> {
  get(key: string): V | undefined;
  forEach(cb: (value: V, key: string) => void): void;
  readonly size: number;
}

export interface PlayerView {
  name: string;
  x: number;
  y: number;
  aim: number;
  hp: number;
  ammo: number;
  alive: boolean;
  /** False while the player is inside the reconnection window. */
  connected: boolean;
  /** Spawn protection active. */
  protected: boolean;
  /** Fire-rate power-up active. */
  powered: boolean;
  dashTicks: number;
  dashCooldown: number;
  dashX: number;
  dashY: number;
  score: number;
  kills: number;
  deaths: number;
  /** Last input sequence the server applied (prediction reconciles from here). */
  lastSeq: number;
  /** 0–1 summary of this player's knobs (difficultyIndex). */
  difficulty: number;
  /** The knobs acting on this player (the director moves them). */
  knobs: PlayerKnobsView;
  /** Difficulty mode ("casual" | "standard" | "hardcore"). */
  mode: string;
  /** Weapon ("blaster" | "rapid" | "heavy"). */
  loadout: string;
}

export type PlayerKnobsView = Pick<DifficultyKnobs, 'enemySpeed' | 'enemyDamage' | 'enemyAccuracy' | 'pickupRate'>;

export interface EnemyView {
  kind: EnemyKind;
  x: number;
  y: number;
  hp: number;
}

/** Bullets are sent once; clients extrapolate x = x0 + vx·(tick − tick0)·DT. */
export interface ProjectileView {
  x0: number;
  y0: number;
  vx: number;
  vy: number;
  tick0: number;
  /** Fired by an enemy. */
  hostile: boolean;
}

export interface PickupView {
  kind: PickupKind;
  x: number;
  y: number;
}

export interface ArenaStateView {
  tick: number;
  wave: number;
  phase: WavePhase;
  /** Seconds until the next wave (relax phase only). */
  nextWaveIn: number;
  /** Enemies alive plus still to spawn in this wave. */
  enemiesLeft: number;
  players: MapView<PlayerView>;
  enemies: MapView<EnemyView>;
  projectiles: MapView<ProjectileView>;
  pickups: MapView<PickupView>;
  /** The room's knobs: the pacing ones (spawnRate, waveSize, relaxSeconds) act on the room; the others are a new player's starting point. */
  knobs: DifficultyKnobs;
}
