/**
 * Estimates the server's simulation tick between patches, for what the client
 * extrapolates (projectiles) and counts down (respawn). Patch arrival times jitter, so
 * the clock offset is smoothed instead of jumping to every sample.
 */
import { DT, TICK_MS, type ProjectileView } from '@pulse-arena/shared';
import type { Point } from './prediction.js';

/** Weight of a new sample: ~10 patches (0.5 s) to settle on a new offset. */
const SMOOTHING = 0.1;
/** A sample this far off (ms) means a stall or a reconnect: jump instead of drifting. */
const RESYNC_MS = 500;

export class ServerClock {
  /** Server time (tick × TICK_MS) minus local time; null until the first patch. */
  private offset: number | null = null;

  /** Records that the state at `tick` arrived at local time `now` (ms). */
  observe(tick: number, now: number): void {
    const sample = tick * TICK_MS - now;
    if (this.offset === null || Math.abs(sample - this.offset) > RESYNC_MS) this.offset = sample;
    else this.offset += (sample - this.offset) * SMOOTHING;
  }

  /** The estimated (fractional) server tick at local time `now`. */
  tickAt(now: number): number {
    return this.offset === null ? 0 : (now + this.offset) / TICK_MS;
  }
}

/** Where a projectile is at (fractional) tick `tick`: it flies straight from where it was fired. */
export function projectilePosition(p: ProjectileView, tick: number): Point {
  const elapsed = Math.max(0, tick - p.tick0) * DT;
  return { x: p.x0 + p.vx * elapsed, y: p.y0 + p.vy * elapsed };
}
