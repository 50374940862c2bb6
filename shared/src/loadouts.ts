/**
 * Weapon loadouts a player can take (a recommendation may suggest one). Each trades fire
 * rate for damage at about the same damage per second, so none is strictly better: the
 * right one depends on play style (rapid for kiting, heavy for accurate shots).
 */
import { BULLET_DAMAGE, FIRE_COOLDOWN_TICKS } from './constants.js';

export const LOADOUTS = ['blaster', 'rapid', 'heavy'] as const;
export type Loadout = (typeof LOADOUTS)[number];
export const DEFAULT_LOADOUT: Loadout = 'blaster';

export interface LoadoutStats {
  /** Ticks between two shots (halved while powered up). */
  fireCooldownTicks: number;
  /** Damage per bullet. */
  bulletDamage: number;
}

export const LOADOUT_STATS: Readonly<Record<Loadout, LoadoutStats>> = Object.freeze({
  blaster: { fireCooldownTicks: FIRE_COOLDOWN_TICKS, bulletDamage: BULLET_DAMAGE },
  rapid: { fireCooldownTicks: 2, bulletDamage: 13 },
  heavy: { fireCooldownTicks: 8, bulletDamage: 50 },
});
