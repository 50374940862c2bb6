/**
 * The deterministic simulation of the arena: plain objects in, plain objects mutated, no
 * I/O, no clocks, no Math.random. The server runs {@link stepWorld} authoritatively; the
 * client runs {@link stepPlayerMovement} to predict its own player, and the behavior
 * bots in models/ play the very same step headless.
 */
import {
  AMMO_PICKUP_ROUNDS, AMMO_REGEN_TICKS, ARENA_HEIGHT, ARENA_WIDTH, BULLET_RADIUS,
  BULLET_SPEED, BULLET_TTL_TICKS, CHASER_HIT_COOLDOWN_TICKS, CHASER_HP, DASH_COOLDOWN_TICKS,
  DASH_SPEED_MULTIPLIER, DASH_TICKS, DT, ENEMY_BULLET_SPEED, ENEMY_RADIUS,
  HEALTH_PICKUP_HP, MAX_ENEMIES, MAX_PICKUPS, MAX_PROJECTILES, PICKUP_RADIUS, PICKUP_TTL_TICKS,
  PLAYER_MAX_AMMO, PLAYER_MAX_HP, PLAYER_RADIUS, PLAYER_SPEED, POWER_TICKS, RESPAWN_TICKS,
  SCORE_PER_KILL, SCORE_PER_WAVE, SHOOTER_FIRE_TICKS, SHOOTER_HP, SHOOTER_RANGE, SHOOTER_SHARE,
  SPAWN_PROTECTION_TICKS, TICK_RATE,
} from './constants.js';
import { clampKnobs, defaultKnobs, type DifficultyKnobs } from './difficulty.js';
import { DEFAULT_LOADOUT, LOADOUT_STATS, type Loadout } from './loadouts.js';
import { nextGaussian, nextRandom } from './rng.js';

/** What a player asks for in one tick. Validated by the protocol before it gets here. */
export interface PlayerInput {
  /** Client sequence number; the server acknowledges the last one it applied. */
  seq: number;
  /** Movement direction, each axis in [-1, 1]; normalised so diagonals are not faster. */
  moveX: number;
  moveY: number;
  /** Aim angle in radians (0 = right, π/2 = down). */
  aim: number;
  fire: boolean;
  dash: boolean;
}

/** The input used for a tick in which a player sent nothing: stand still, keep aiming. */
export function idleInput(aim: number, seq: number): PlayerInput {
  return { seq, moveX: 0, moveY: 0, aim, fire: false, dash: false };
}

/** Cumulative per-player counters: the game stats the director reads. */
export interface PlayerStats {
  damageTaken: number;
  shotsFired: number;
  shotsHit: number;
  pickups: number;
  /** Tick of the last death, -1 if never died. */
  lastDeathTick: number;
}

export interface SimPlayer {
  id: string;
  name: string;
  x: number;
  y: number;
  aim: number;
  /** Aim in the previous tick: the behavior model looks at how fast aim changes. */
  prevAim: number;
  hp: number;
  ammo: number;
  alive: boolean;
  /** Disconnected players (inside the reconnection window) are frozen and untargetable. */
  connected: boolean;
  respawnTicks: number;
  protectTicks: number;
  dashTicks: number;
  dashCooldown: number;
  /** Unit direction of the dash in progress. */
  dashX: number;
  dashY: number;
  fireCooldown: number;
  powerTicks: number;
  ammoRegenTicks: number;
  pickupTicks: number;
  score: number;
  kills: number;
  deaths: number;
  /** Sequence number of the last input applied (prediction reconciles from here). */
  lastSeq: number;
  /**
   * This player's knobs. The per-target ones (enemySpeed, enemyDamage, enemyAccuracy,
   * pickupRate) apply to enemies chasing/shooting this player and pickups for them;
   * the pacing ones (spawnRate, waveSize, relaxSeconds) come from the room's knobs.
   */
  knobs: DifficultyKnobs;
  /** Weapon: fire rate and bullet damage. */
  loadout: Loadout;
  stats: PlayerStats;
  /** Damage taken and hits landed in the current tick (reset every step). */
  tickDamage: number;
  tickHits: number;
}

export type EnemyKind = 'chaser' | 'shooter';

export interface SimEnemy {
  id: number;
  kind: EnemyKind;
  x: number;
  y: number;
  hp: number;
  /** Ticks until it may hit/fire again. */
  cooldown: number;
  targetId: string | null;
}

export interface SimProjectile {
  id: number;
  /** Id of the player who fired, or null for an enemy bullet. */
  ownerId: string | null;
  x: number;
  y: number;
  vx: number;
  vy: number;
  ttl: number;
  damage: number;
}

export type PickupKind = 'health' | 'ammo' | 'power';

export interface SimPickup {
  id: number;
  kind: PickupKind;
  x: number;
  y: number;
  ttl: number;
}

/** Intensity pacing: build-up (enemies arriving) → peak (fight the rest) → relax. */
export type WavePhase = 'build' | 'peak' | 'relax';

export type SimEvent =
  | { type: 'shot'; playerId: string }
  | { type: 'hit'; playerId: string; enemyId: number }
  | { type: 'kill'; playerId: string; enemyId: number }
  | { type: 'damage'; playerId: string; amount: number }
  | { type: 'death'; playerId: string }
  | { type: 'respawn'; playerId: string }
  | { type: 'pickup'; playerId: string; kind: PickupKind }
  | { type: 'waveStart'; wave: number; size: number }
  | { type: 'waveCleared'; wave: number };

export interface SimWorld {
  tick: number;
  /** PRNG state (see rng.ts). */
  rng: number;
  nextId: number;
  wave: number;
  phase: WavePhase;
  /** Ticks left in the relax phase. */
  phaseTicks: number;
  /** Enemies of the current wave still to spawn. */
  toSpawn: number;
  spawnAccumulator: number;
  /** Room knobs: pacing knobs apply to the room, the rest are each new player's default. */
  knobs: DifficultyKnobs;
  players: Map<string, SimPlayer>;
  enemies: SimEnemy[];
  projectiles: SimProjectile[];
  pickups: SimPickup[];
  /** What happened in the last step (cleared at the start of each step). */
  events: SimEvent[];
}

/** Countdown before the first wave. */
const FIRST_WAVE_DELAY_TICKS = 3 * TICK_RATE;

export function createWorld(seed: number, knobs: DifficultyKnobs = defaultKnobs()): SimWorld {
  return {
    tick: 0,
    rng: seed | 0,
    nextId: 1,
    wave: 0,
    phase: 'relax',
    phaseTicks: FIRST_WAVE_DELAY_TICKS,
    toSpawn: 0,
    spawnAccumulator: 0,
    knobs: clampKnobs(knobs),
    players: new Map(),
    enemies: [],
    projectiles: [],
    pickups: [],
    events: [],
  };
}

/** Adds a player at a spawn point near the centre. Returns the new player. */
export function addPlayer(world: SimWorld, id: string, name: string): SimPlayer {
  const player: SimPlayer = {
    id, name, x: 0, y: 0, aim: 0, prevAim: 0, hp: PLAYER_MAX_HP, ammo: PLAYER_MAX_AMMO,
    alive: true, connected: true, respawnTicks: 0, protectTicks: SPAWN_PROTECTION_TICKS,
    dashTicks: 0, dashCooldown: 0, dashX: 0, dashY: 0, fireCooldown: 0, powerTicks: 0,
    ammoRegenTicks: AMMO_REGEN_TICKS, pickupTicks: 0, score: 0, kills: 0, deaths: 0, lastSeq: 0,
    knobs: { ...world.knobs }, loadout: DEFAULT_LOADOUT,
    stats: { damageTaken: 0, shotsFired: 0, shotsHit: 0, pickups: 0, lastDeathTick: -1 },
    tickDamage: 0, tickHits: 0,
  };
  placeAtSpawn(world, player);
  player.pickupTicks = pickupInterval(player);
  world.players.set(id, player);
  return player;
}

export function removePlayer(world: SimWorld, id: string): void {
  world.players.delete(id);
  for (const e of world.enemies) if (e.targetId === id) e.targetId = null;
}

function placeAtSpawn(world: SimWorld, p: SimPlayer): void {
  const angle = nextRandom(world) * Math.PI * 2;
  p.x = ARENA_WIDTH / 2 + Math.cos(angle) * 60;
  p.y = ARENA_HEIGHT / 2 + Math.sin(angle) * 60;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The part of a player that movement reads and writes: what client prediction needs. */
export type MovementState = Pick<SimPlayer,
  'x' | 'y' | 'aim' | 'prevAim' | 'alive' | 'connected' | 'dashTicks' | 'dashCooldown' | 'dashX' | 'dashY'>;

/**
 * Moves one player by one input: walking, dashing, aiming, cooldowns. It reads and
 * writes only {@link MovementState}, so the client can replay its unacknowledged inputs
 * over the server's state and land exactly where the server will.
 */
export function stepPlayerMovement(p: MovementState, input: PlayerInput): void {
  p.prevAim = p.aim;
  if (p.dashCooldown > 0) p.dashCooldown--;
  if (!p.alive || !p.connected) return;
  p.aim = input.aim;
  let mx = clamp(input.moveX, -1, 1);
  let my = clamp(input.moveY, -1, 1);
  const len = Math.hypot(mx, my);
  if (len > 1) { mx /= len; my /= len; }
  if (p.dashTicks === 0 && input.dash && p.dashCooldown === 0 && len > 0) {
    p.dashTicks = DASH_TICKS;
    p.dashCooldown = DASH_COOLDOWN_TICKS;
    p.dashX = mx;
    p.dashY = my;
  }
  let speed = PLAYER_SPEED;
  if (p.dashTicks > 0) {
    p.dashTicks--;
    mx = p.dashX;
    my = p.dashY;
    speed *= DASH_SPEED_MULTIPLIER;
  }
  p.x = clamp(p.x + mx * speed * DT, PLAYER_RADIUS, ARENA_WIDTH - PLAYER_RADIUS);
  p.y = clamp(p.y + my * speed * DT, PLAYER_RADIUS, ARENA_HEIGHT - PLAYER_RADIUS);
}

function fire(world: SimWorld, p: SimPlayer, input: PlayerInput): void {
  if (p.fireCooldown > 0) p.fireCooldown--;
  if (p.ammoRegenTicks > 0 && --p.ammoRegenTicks === 0) {
    p.ammo = Math.min(PLAYER_MAX_AMMO, p.ammo + 1);
    p.ammoRegenTicks = AMMO_REGEN_TICKS;
  }
  if (!input.fire || !p.alive || !p.connected || p.fireCooldown > 0 || p.ammo <= 0) return;
  if (world.projectiles.length >= MAX_PROJECTILES) return;
  p.ammo--;
  const weapon = LOADOUT_STATS[p.loadout];
  p.fireCooldown = p.powerTicks > 0 ? Math.max(1, weapon.fireCooldownTicks >> 1) : weapon.fireCooldownTicks;
  p.stats.shotsFired++;
  const cos = Math.cos(p.aim), sin = Math.sin(p.aim);
  world.projectiles.push({
    id: world.nextId++, ownerId: p.id,
    x: p.x + cos * (PLAYER_RADIUS + BULLET_RADIUS), y: p.y + sin * (PLAYER_RADIUS + BULLET_RADIUS),
    vx: cos * BULLET_SPEED, vy: sin * BULLET_SPEED, ttl: BULLET_TTL_TICKS, damage: weapon.bulletDamage,
  });
  world.events.push({ type: 'shot', playerId: p.id });
}

/** Applies damage to a player (unless spawn-protected); handles death. */
export function damagePlayer(world: SimWorld, p: SimPlayer, amount: number): void {
  if (!p.alive || p.protectTicks > 0 || amount <= 0) return;
  p.hp -= amount;
  p.tickDamage += amount;
  p.stats.damageTaken += amount;
  world.events.push({ type: 'damage', playerId: p.id, amount });
  if (p.hp <= 0) {
    p.hp = 0;
    p.alive = false;
    p.deaths++;
    p.respawnTicks = RESPAWN_TICKS;
    p.dashTicks = 0;
    p.stats.lastDeathTick = world.tick;
    world.events.push({ type: 'death', playerId: p.id });
  }
}

function nearestTarget(world: SimWorld, x: number, y: number): SimPlayer | null {
  let best: SimPlayer | null = null;
  let bestD = Infinity;
  for (const p of world.players.values()) {
    if (!p.alive || !p.connected) continue;
    const d = (p.x - x) ** 2 + (p.y - y) ** 2;
    if (d < bestD) { bestD = d; best = p; }
  }
  return best;
}

function stepEnemies(world: SimWorld): void {
  for (const e of world.enemies) {
    if (e.cooldown > 0) e.cooldown--;
    const target = nearestTarget(world, e.x, e.y);
    e.targetId = target ? target.id : null;
    if (!target) continue;
    const dx = target.x - e.x, dy = target.y - e.y;
    const dist = Math.hypot(dx, dy) || 1e-9;
    const ux = dx / dist, uy = dy / dist;
    const step = target.knobs.enemySpeed * DT;
    if (e.kind === 'chaser') {
      if (dist > PLAYER_RADIUS + ENEMY_RADIUS) {
        const move = Math.min(step, dist - (PLAYER_RADIUS + ENEMY_RADIUS));
        e.x += ux * move;
        e.y += uy * move;
      } else if (e.cooldown === 0) {
        damagePlayer(world, target, target.knobs.enemyDamage);
        e.cooldown = CHASER_HIT_COOLDOWN_TICKS;
      }
    } else {
      // Shooters hold a ring around their target and strafe along it.
      const side = e.id % 2 === 0 ? 1 : -1;
      if (dist > SHOOTER_RANGE + 30) { e.x += ux * step; e.y += uy * step; }
      else if (dist < SHOOTER_RANGE - 30) { e.x -= ux * step; e.y -= uy * step; }
      else { e.x += -uy * side * step * 0.5; e.y += ux * side * step * 0.5; }
      if (e.cooldown === 0 && world.projectiles.length < MAX_PROJECTILES) {
        const spread = (1 - target.knobs.enemyAccuracy) * 0.6;
        const angle = Math.atan2(dy, dx) + nextGaussian(world) * spread;
        world.projectiles.push({
          id: world.nextId++, ownerId: null, x: e.x, y: e.y,
          vx: Math.cos(angle) * ENEMY_BULLET_SPEED, vy: Math.sin(angle) * ENEMY_BULLET_SPEED,
          ttl: BULLET_TTL_TICKS * 2, damage: target.knobs.enemyDamage,
        });
        e.cooldown = SHOOTER_FIRE_TICKS;
      }
    }
    e.x = clamp(e.x, ENEMY_RADIUS, ARENA_WIDTH - ENEMY_RADIUS);
    e.y = clamp(e.y, ENEMY_RADIUS, ARENA_HEIGHT - ENEMY_RADIUS);
  }
}

function stepProjectiles(world: SimWorld): void {
  const kept: SimProjectile[] = [];
  for (const b of world.projectiles) {
    b.x += b.vx * DT;
    b.y += b.vy * DT;
    b.ttl--;
    let spent = b.ttl <= 0 || b.x < 0 || b.y < 0 || b.x > ARENA_WIDTH || b.y > ARENA_HEIGHT;
    if (!spent && b.ownerId !== null) {
      const r2 = (ENEMY_RADIUS + BULLET_RADIUS) ** 2;
      for (let i = 0; i < world.enemies.length; i++) {
        const e = world.enemies[i]!;
        if ((e.x - b.x) ** 2 + (e.y - b.y) ** 2 > r2) continue;
        spent = true;
        e.hp -= b.damage;
        const shooter = world.players.get(b.ownerId);
        if (shooter) { shooter.stats.shotsHit++; shooter.tickHits++; }
        world.events.push({ type: 'hit', playerId: b.ownerId, enemyId: e.id });
        if (e.hp <= 0) {
          world.enemies.splice(i, 1);
          if (shooter) { shooter.kills++; shooter.score += SCORE_PER_KILL; }
          world.events.push({ type: 'kill', playerId: b.ownerId, enemyId: e.id });
        }
        break;
      }
    } else if (!spent) {
      const r2 = (PLAYER_RADIUS + BULLET_RADIUS) ** 2;
      for (const p of world.players.values()) {
        if (!p.alive || !p.connected || (p.x - b.x) ** 2 + (p.y - b.y) ** 2 > r2) continue;
        spent = true;
        damagePlayer(world, p, b.damage);
        break;
      }
    }
    if (!spent) kept.push(b);
  }
  world.projectiles = kept;
}

function pickupInterval(p: SimPlayer): number {
  return Math.max(1, Math.round((60 / p.knobs.pickupRate) * TICK_RATE));
}

function stepPickups(world: SimWorld): void {
  for (const p of world.players.values()) {
    if (!p.alive || !p.connected) continue;
    // Pickups come twice as fast while the room relaxes (pacing).
    p.pickupTicks -= world.phase === 'relax' ? 2 : 1;
    if (p.pickupTicks > 0) continue;
    p.pickupTicks = pickupInterval(p);
    if (world.pickups.length >= MAX_PICKUPS) continue;
    const r = nextRandom(world);
    const kind: PickupKind = r < 0.4 ? 'health' : r < 0.8 ? 'ammo' : 'power';
    const angle = nextRandom(world) * Math.PI * 2;
    const dist = 120 + nextRandom(world) * 200;
    world.pickups.push({
      id: world.nextId++, kind, ttl: PICKUP_TTL_TICKS,
      x: clamp(p.x + Math.cos(angle) * dist, 30, ARENA_WIDTH - 30),
      y: clamp(p.y + Math.sin(angle) * dist, 30, ARENA_HEIGHT - 30),
    });
  }
  const r2 = (PLAYER_RADIUS + PICKUP_RADIUS) ** 2;
  world.pickups = world.pickups.filter((k) => {
    if (--k.ttl <= 0) return false;
    for (const p of world.players.values()) {
      if (!p.alive || !p.connected || (p.x - k.x) ** 2 + (p.y - k.y) ** 2 > r2) continue;
      if (k.kind === 'health') p.hp = Math.min(PLAYER_MAX_HP, p.hp + HEALTH_PICKUP_HP);
      else if (k.kind === 'ammo') p.ammo = Math.min(PLAYER_MAX_AMMO, p.ammo + AMMO_PICKUP_ROUNDS);
      else p.powerTicks = POWER_TICKS;
      p.stats.pickups++;
      world.events.push({ type: 'pickup', playerId: p.id, kind: k.kind });
      return false;
    }
    return true;
  });
}

/** Enemies in wave `wave` (1-based): grows 15 % a wave from the knob, capped. */
export function waveSizeFor(wave: number, knobs: DifficultyKnobs): number {
  return Math.min(MAX_ENEMIES, Math.round(knobs.waveSize * (1 + 0.15 * (wave - 1))));
}

function spawnEnemy(world: SimWorld): void {
  const edge = Math.floor(nextRandom(world) * 4);
  const t = nextRandom(world);
  const x = edge === 0 ? ENEMY_RADIUS : edge === 1 ? ARENA_WIDTH - ENEMY_RADIUS : t * ARENA_WIDTH;
  const y = edge === 2 ? ENEMY_RADIUS : edge === 3 ? ARENA_HEIGHT - ENEMY_RADIUS : t * ARENA_HEIGHT;
  const kind: EnemyKind = nextRandom(world) < SHOOTER_SHARE ? 'shooter' : 'chaser';
  world.enemies.push({
    id: world.nextId++, kind, x, y, hp: kind === 'chaser' ? CHASER_HP : SHOOTER_HP,
    cooldown: SHOOTER_FIRE_TICKS, targetId: null,
  });
}

function stepWaves(world: SimWorld): void {
  let anyone = false;
  for (const p of world.players.values()) if (p.connected) { anyone = true; break; }
  if (!anyone) return; // an empty room holds its breath
  if (world.phase === 'relax') {
    if (--world.phaseTicks > 0) return;
    world.wave++;
    world.phase = 'build';
    world.toSpawn = waveSizeFor(world.wave, world.knobs);
    world.spawnAccumulator = 1; // first enemy at once
    world.events.push({ type: 'waveStart', wave: world.wave, size: world.toSpawn });
  }
  if (world.phase === 'build') {
    world.spawnAccumulator += world.knobs.spawnRate * DT;
    while (world.spawnAccumulator >= 1 && world.toSpawn > 0 && world.enemies.length < MAX_ENEMIES) {
      spawnEnemy(world);
      world.spawnAccumulator -= 1;
      world.toSpawn--;
    }
    if (world.toSpawn === 0) world.phase = 'peak';
  } else if (world.phase === 'peak' && world.enemies.length === 0) {
    for (const p of world.players.values()) if (p.alive) p.score += SCORE_PER_WAVE;
    world.events.push({ type: 'waveCleared', wave: world.wave });
    world.phase = 'relax';
    world.phaseTicks = Math.round(world.knobs.relaxSeconds * TICK_RATE);
  }
}

function stepLife(world: SimWorld, p: SimPlayer): void {
  if (p.protectTicks > 0) p.protectTicks--;
  if (p.powerTicks > 0) p.powerTicks--;
  if (p.alive || !p.connected) return;
  if (--p.respawnTicks > 0) return;
  p.alive = true;
  p.hp = PLAYER_MAX_HP;
  p.ammo = PLAYER_MAX_AMMO;
  p.protectTicks = SPAWN_PROTECTION_TICKS;
  placeAtSpawn(world, p);
  world.events.push({ type: 'respawn', playerId: p.id });
}

/**
 * Advances the world by one fixed tick. `inputs` holds at most one input per player for
 * this tick; a player with none stands still (see {@link idleInput}).
 */
export function stepWorld(world: SimWorld, inputs: ReadonlyMap<string, PlayerInput>): void {
  world.tick++;
  world.events.length = 0;
  for (const p of world.players.values()) {
    p.tickDamage = 0;
    p.tickHits = 0;
    const input = inputs.get(p.id) ?? idleInput(p.aim, p.lastSeq);
    stepPlayerMovement(p, input);
    p.lastSeq = input.seq;
    fire(world, p, input);
  }
  stepProjectiles(world);
  stepEnemies(world);
  stepPickups(world);
  stepWaves(world);
  for (const p of world.players.values()) stepLife(world, p);
}
