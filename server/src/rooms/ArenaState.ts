/**
 * Schema of the arena room state: what Colyseus patches to clients each tick. It mirrors
 * the shared simulation (the server copies the sim into it after every step) and matches
 * the client's view types in shared/src/stateView.ts (checked below at compile time).
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import type { ArenaStateView, EnemyView, PickupView, PlayerView, ProjectileView } from '@pulse-arena/shared';

export const PlayerKnobsState = schema({
  enemySpeed: t.float32().default(0),
  enemyDamage: t.float32().default(0),
  enemyAccuracy: t.float32().default(0),
  pickupRate: t.float32().default(0),
}, 'PlayerKnobsState');

export const PlayerState = schema({
  name: t.string().default(''),
  x: t.float32().default(0),
  y: t.float32().default(0),
  aim: t.float32().default(0),
  hp: t.float32().default(0),
  ammo: t.uint8().default(0),
  alive: t.boolean().default(true),
  connected: t.boolean().default(true),
  protected: t.boolean().default(false),
  powered: t.boolean().default(false),
  dashTicks: t.uint8().default(0),
  dashCooldown: t.uint8().default(0),
  dashX: t.float32().default(0),
  dashY: t.float32().default(0),
  score: t.uint32().default(0),
  kills: t.uint32().default(0),
  deaths: t.uint32().default(0),
  lastSeq: t.uint32().default(0),
  difficulty: t.float32().default(0),
  knobs: t.ref(PlayerKnobsState),
  mode: t.string().default('standard'),
  loadout: t.string().default('blaster'),
}, 'PlayerState');
export type PlayerState = SchemaType<typeof PlayerState>;

export const EnemyState = schema({
  kind: t.string().default('chaser'),
  x: t.float32().default(0),
  y: t.float32().default(0),
  hp: t.float32().default(0),
}, 'EnemyState');
export type EnemyState = SchemaType<typeof EnemyState>;

export const ProjectileState = schema({
  x0: t.float32().default(0),
  y0: t.float32().default(0),
  vx: t.float32().default(0),
  vy: t.float32().default(0),
  tick0: t.uint32().default(0),
  hostile: t.boolean().default(false),
}, 'ProjectileState');
export type ProjectileState = SchemaType<typeof ProjectileState>;

export const PickupState = schema({
  kind: t.string().default('health'),
  x: t.float32().default(0),
  y: t.float32().default(0),
}, 'PickupState');
export type PickupState = SchemaType<typeof PickupState>;

export const KnobsState = schema({
  spawnRate: t.float32().default(0),
  enemySpeed: t.float32().default(0),
  enemyDamage: t.float32().default(0),
  enemyAccuracy: t.float32().default(0),
  pickupRate: t.float32().default(0),
  waveSize: t.float32().default(0),
  relaxSeconds: t.float32().default(0),
}, 'KnobsState');

export const ArenaState = schema({
  tick: t.uint32().default(0),
  wave: t.uint16().default(0),
  phase: t.string().default('relax'),
  nextWaveIn: t.float32().default(0),
  enemiesLeft: t.uint16().default(0),
  players: t.map(PlayerState),
  enemies: t.map(EnemyState),
  projectiles: t.map(ProjectileState),
  pickups: t.map(PickupState),
  knobs: t.ref(KnobsState),
}, 'ArenaState');
export type ArenaState = SchemaType<typeof ArenaState>;

// Compile-time proof that what clients decode matches shared/src/stateView.ts.
type Assignable<T extends U, U> = T;
export type _StateMatchesView = [
  Assignable<PlayerState, PlayerView>,
  Assignable<EnemyState, Omit<EnemyView, 'kind'> & { kind: string }>,
  Assignable<ProjectileState, ProjectileView>,
  Assignable<PickupState, Omit<PickupView, 'kind'> & { kind: string }>,
  Assignable<ArenaState, Omit<ArenaStateView, 'phase' | 'players' | 'enemies' | 'projectiles' | 'pickups'>>,
];
