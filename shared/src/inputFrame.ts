/**
 * The input-frame record: what one player did in one tick, plus the few game-context
 * values a behavior model needs to tell play styles apart. This is the exact tensor row
 * the CNN sees, written by the server for live play and by the bots for training, so the
 * two can never drift apart.
 */
import { ARENA_HEIGHT, ARENA_WIDTH, PLAYER_MAX_AMMO, PLAYER_MAX_HP } from './constants.js';
import type { PlayerInput, SimPlayer, SimWorld } from './sim.js';

/** Feature names, in tensor order. Each is scaled to roughly [-1, 1]. */
export const FRAME_FEATURE_NAMES = [
  'moveX', // input move axis, -1..1
  'moveY',
  'moving', // 1 if any move input
  'aimSin', // aim direction as sin/cos (no wrap-around jump)
  'aimCos',
  'aimDelta', // |aim change since last tick| / π: snaps betray aimbots
  'fire', // 1 if fire held
  'dash', // 1 if dash pressed
  'hp', // hp / max
  'ammo', // ammo / max
  'alive',
  'enemyDist', // nearest enemy distance / arena diagonal (1 if none)
  'enemyAimError', // |aim − bearing to nearest enemy| / π (1 if none)
  'enemyApproach', // move direction · direction to nearest enemy (−1 fleeing, +1 rushing)
  'pickupDist', // nearest pickup distance / arena diagonal (1 if none)
  'pickupApproach', // move direction · direction to nearest pickup
  'damageTaken', // damage taken this tick / 30, capped at 1
  'hits', // enemies hit this tick / 3, capped at 1
  'enemiesNear', // enemies within 200 px / 10, capped at 1
] as const;

export const FRAME_FEATURES = FRAME_FEATURE_NAMES.length;

/**
 * Window length the behavior model classifies: 64 ticks = 3.2 s at 20 Hz, long enough to
 * see a dash-and-kite cycle, short enough to notice a change of style within seconds.
 */
export const FRAME_WINDOW = 64;

/**
 * Frames the server keeps per player: two windows, so reading the latest window never races
 * the writer. The behavior bots record through a ring of the same size.
 */
export const FRAME_RING_CAPACITY = FRAME_WINDOW * 2;

const DIAGONAL = Math.hypot(ARENA_WIDTH, ARENA_HEIGHT);
const NEAR_RADIUS2 = 200 * 200;

function wrapAngle(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

/**
 * Writes the frame of `player` for the tick just stepped, with the `input` that was
 * applied, into `out` at `offset` (FRAME_FEATURES floats).
 * @throws RangeError if `out` has no room for a frame at `offset`.
 */
export function encodeInputFrame(
  world: SimWorld, player: SimPlayer, input: PlayerInput, out: Float32Array, offset: number,
): void {
  if (offset < 0 || offset + FRAME_FEATURES > out.length) {
    throw new RangeError(`frame at ${offset} does not fit in a buffer of ${out.length}`);
  }
  let mx = Math.max(-1, Math.min(1, input.moveX));
  let my = Math.max(-1, Math.min(1, input.moveY));
  const moveLen = Math.hypot(mx, my);
  if (moveLen > 1) { mx /= moveLen; my /= moveLen; }
  const ux = moveLen > 0 ? mx / moveLen : 0;
  const uy = moveLen > 0 ? my / moveLen : 0;

  let enemyD2 = Infinity, ex = 0, ey = 0, near = 0;
  for (const e of world.enemies) {
    const d2 = (e.x - player.x) ** 2 + (e.y - player.y) ** 2;
    if (d2 < NEAR_RADIUS2) near++;
    if (d2 < enemyD2) { enemyD2 = d2; ex = e.x; ey = e.y; }
  }
  let pickupD2 = Infinity, kx = 0, ky = 0;
  for (const k of world.pickups) {
    const d2 = (k.x - player.x) ** 2 + (k.y - player.y) ** 2;
    if (d2 < pickupD2) { pickupD2 = d2; kx = k.x; ky = k.y; }
  }

  const o = out;
  let i = offset;
  o[i++] = mx;
  o[i++] = my;
  o[i++] = moveLen > 0 ? 1 : 0;
  o[i++] = Math.sin(player.aim);
  o[i++] = Math.cos(player.aim);
  o[i++] = Math.abs(wrapAngle(player.aim - player.prevAim)) / Math.PI;
  o[i++] = input.fire ? 1 : 0;
  o[i++] = input.dash ? 1 : 0;
  o[i++] = player.hp / PLAYER_MAX_HP;
  o[i++] = player.ammo / PLAYER_MAX_AMMO;
  o[i++] = player.alive ? 1 : 0;
  if (enemyD2 === Infinity) {
    o[i++] = 1; o[i++] = 1; o[i++] = 0;
  } else {
    const d = Math.sqrt(enemyD2) || 1e-9;
    o[i++] = d / DIAGONAL;
    o[i++] = Math.abs(wrapAngle(player.aim - Math.atan2(ey - player.y, ex - player.x))) / Math.PI;
    o[i++] = (ux * (ex - player.x) + uy * (ey - player.y)) / d;
  }
  if (pickupD2 === Infinity) {
    o[i++] = 1; o[i++] = 0;
  } else {
    const d = Math.sqrt(pickupD2) || 1e-9;
    o[i++] = d / DIAGONAL;
    o[i++] = (ux * (kx - player.x) + uy * (ky - player.y)) / d;
  }
  o[i++] = Math.min(1, player.tickDamage / 30);
  o[i++] = Math.min(1, player.tickHits / 3);
  o[i++] = Math.min(1, near / 10);
}

/**
 * A fixed-size ring of encoded frames for one player: the server records every tick here
 * and the inference host reads the latest {@link FRAME_WINDOW} frames in order.
 */
export class FrameRing {
  private readonly data: Float32Array;
  private head = 0;
  private count = 0;

  /** @throws RangeError if capacity is not a positive integer. */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.data = new Float32Array(capacity * FRAME_FEATURES);
  }

  /** Frames currently held (≤ capacity). */
  get size(): number {
    return this.count;
  }

  /** Records one tick's frame for `player`, overwriting the oldest when full. */
  record(world: SimWorld, player: SimPlayer, input: PlayerInput): void {
    encodeInputFrame(world, player, input, this.data, this.head * FRAME_FEATURES);
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Copies the latest `frames` frames, oldest first, into a new array
   * (frames × FRAME_FEATURES), or returns null if fewer have been recorded.
   */
  latest(frames: number = FRAME_WINDOW): Float32Array | null {
    if (frames > this.count || frames <= 0) return null;
    const out = new Float32Array(frames * FRAME_FEATURES);
    const start = (this.head - frames + this.capacity) % this.capacity;
    const firstPart = Math.min(frames, this.capacity - start);
    out.set(this.data.subarray(start * FRAME_FEATURES, (start + firstPart) * FRAME_FEATURES), 0);
    if (firstPart < frames) {
      out.set(this.data.subarray(0, (frames - firstPart) * FRAME_FEATURES), firstPart * FRAME_FEATURES);
    }
    return out;
  }
}
