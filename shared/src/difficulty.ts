/**
 * Difficulty knobs: the only levers the director (and designers' rules) may pull.
 * Every knob has hard safety bounds; {@link clampKnobs} is applied on every write, so no
 * rule or model output can push the game outside them.
 */
export interface DifficultyKnobs {
  /** Enemies spawned per second while a wave is building up. */
  spawnRate: number;
  /** Enemy movement speed, px/s. */
  enemySpeed: number;
  /** Damage per enemy hit (contact or bullet), HP. */
  enemyDamage: number;
  /** Shooter aim accuracy, 0 (wild) to 1 (perfect). */
  enemyAccuracy: number;
  /** Pickups spawned per minute (per player). */
  pickupRate: number;
  /** Enemies in the first wave; later waves grow from it. */
  waveSize: number;
  /** Length of the relax phase between waves, seconds (intensity pacing). */
  relaxSeconds: number;
}

export type KnobName = keyof DifficultyKnobs;

export interface KnobBounds {
  min: number;
  max: number;
  default: number;
}

export const KNOB_BOUNDS: Readonly<Record<KnobName, KnobBounds>> = Object.freeze({
  spawnRate: { min: 0.2, max: 4, default: 1 },
  enemySpeed: { min: 40, max: 160, default: 80 },
  enemyDamage: { min: 2, max: 30, default: 10 },
  enemyAccuracy: { min: 0.1, max: 0.95, default: 0.5 },
  pickupRate: { min: 1, max: 30, default: 6 },
  waveSize: { min: 2, max: 30, default: 6 },
  relaxSeconds: { min: 2, max: 20, default: 6 },
});

export const KNOB_NAMES = Object.keys(KNOB_BOUNDS) as readonly KnobName[];

export function defaultKnobs(): DifficultyKnobs {
  const knobs = {} as DifficultyKnobs;
  for (const name of KNOB_NAMES) knobs[name] = KNOB_BOUNDS[name].default;
  return knobs;
}

/** Clamp one knob value into its bounds; a non-finite value becomes the default. */
export function clampKnob(name: KnobName, value: number): number {
  const b = KNOB_BOUNDS[name];
  if (!Number.isFinite(value)) return b.default;
  return Math.min(b.max, Math.max(b.min, value));
}

/** Returns a copy of `knobs` with every value inside its bounds. */
export function clampKnobs(knobs: DifficultyKnobs): DifficultyKnobs {
  const out = {} as DifficultyKnobs;
  for (const name of KNOB_NAMES) out[name] = clampKnob(name, knobs[name]);
  return out;
}

/**
 * A 0–1 summary of how hard a knob set is, for the HUD ("difficulty 0.42"): the mean of
 * each knob's position inside its bounds, inverted for the knobs that make it easier.
 */
export function difficultyIndex(knobs: DifficultyKnobs): number {
  let sum = 0;
  for (const name of KNOB_NAMES) {
    const b = KNOB_BOUNDS[name];
    const t = (clampKnob(name, knobs[name]) - b.min) / (b.max - b.min);
    sum += name === 'pickupRate' || name === 'relaxSeconds' ? 1 - t : t;
  }
  return sum / KNOB_NAMES.length;
}
