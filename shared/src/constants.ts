/**
 * Game constants shared by the server (authoritative) and the client (prediction).
 * Changing one changes the game for both sides at once.
 */

/**
 * Simulation rate. 20 Hz: a co-op PvE arena needs no 60 Hz hit-registration, and half
 * the ticks of 40 Hz halves CPU and bandwidth per player, which is what lets one 2-core
 * process hold ~1,000 players. Client-side prediction hides the 50 ms step for the own
 * player; interpolation smooths everyone else.
 */
export const TICK_RATE = 20;
/** Fixed step in seconds. */
export const DT = 1 / TICK_RATE;
/** Fixed step in milliseconds. */
export const TICK_MS = 1000 / TICK_RATE;

/** The arena is exactly the client's default canvas: no camera to manage. */
export const ARENA_WIDTH = 1024;
export const ARENA_HEIGHT = 768;

export const MAX_PLAYERS_PER_ROOM = 4;
/** Hard cap on live enemies, whatever the knobs say: bounds CPU and patch size. */
export const MAX_ENEMIES = 40;
/** Hard cap on live projectiles per room. */
export const MAX_PROJECTILES = 160;
export const MAX_PICKUPS = 12;

export const PLAYER_RADIUS = 14;
export const PLAYER_SPEED = 200; // px/s
export const PLAYER_MAX_HP = 100;
export const PLAYER_MAX_AMMO = 30;
/** One round back per second so a player is never stuck without ammo. */
export const AMMO_REGEN_TICKS = TICK_RATE;
export const FIRE_COOLDOWN_TICKS = 4; // 5 shots/s
export const DASH_TICKS = 4; // 0.2 s
export const DASH_SPEED_MULTIPLIER = 3;
export const DASH_COOLDOWN_TICKS = 30; // 1.5 s
export const RESPAWN_TICKS = 3 * TICK_RATE;
/** Brief invulnerability after a respawn, so a player is not killed at the spawn point. */
export const SPAWN_PROTECTION_TICKS = 2 * TICK_RATE;

export const BULLET_SPEED = 600; // px/s
export const BULLET_RADIUS = 4;
export const BULLET_TTL_TICKS = TICK_RATE; // 1 s
export const BULLET_DAMAGE = 25;

export const ENEMY_RADIUS = 14;
export const CHASER_HP = 50;
export const SHOOTER_HP = 40;
/** Distance a shooter tries to keep from its target. */
export const SHOOTER_RANGE = 240;
export const SHOOTER_FIRE_TICKS = 30; // 1.5 s between shots
export const ENEMY_BULLET_SPEED = 320;
/** Contact damage applies at most this often per enemy. */
export const CHASER_HIT_COOLDOWN_TICKS = 10;
/** Share of shooters in a wave. */
export const SHOOTER_SHARE = 0.3;

export const PICKUP_RADIUS = 10;
export const PICKUP_TTL_TICKS = 15 * TICK_RATE;
export const HEALTH_PICKUP_HP = 30;
export const AMMO_PICKUP_ROUNDS = 15;
/** Power-up: double fire rate for a while. */
export const POWER_TICKS = 6 * TICK_RATE;

export const SCORE_PER_KILL = 10;
export const SCORE_PER_WAVE = 50;

export const MAX_NAME_LENGTH = 20;
export const MAX_CHAT_LENGTH = 200;
