/**
 * Cheap checks on one window of input frames (FRAME_WINDOW × FRAME_FEATURES floats, as
 * `FrameRing.latest()` returns it), shared by data generation and inference. No
 * TensorFlow here: the inference host can gate windows before batching them.
 */
import { FRAME_FEATURE_NAMES, FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';

/**
 * A window is classified only if the player was alive for at least this share of it:
 * a dead player's frames (no input, alive = 0) say nothing about how they play. Training
 * and evaluation drop such windows; the inference host should skip them too.
 */
export const MIN_ALIVE_FRACTION = 0.5;

const ALIVE_FEATURE = FRAME_FEATURE_NAMES.indexOf('alive');
const ENEMY_DIST_FEATURE = FRAME_FEATURE_NAMES.indexOf('enemyDist');

/** Share of the window's ticks with the player alive. `offset` = first float of the window. */
export function aliveFraction(windows: Float32Array, offset = 0): number {
  let alive = 0;
  for (let t = 0; t < FRAME_WINDOW; t++) alive += windows[offset + t * FRAME_FEATURES + ALIVE_FEATURE]! > 0.5 ? 1 : 0;
  return alive / FRAME_WINDOW;
}

/** Share of the window's ticks with any enemy on the map (enemyDist is exactly 1 when there is none). */
export function enemyPresentFraction(windows: Float32Array, offset = 0): number {
  let n = 0;
  for (let t = 0; t < FRAME_WINDOW; t++) n += windows[offset + t * FRAME_FEATURES + ENEMY_DIST_FEATURE]! < 1 ? 1 : 0;
  return n / FRAME_WINDOW;
}

/** Whether a window passes the gate the model was trained behind ({@link MIN_ALIVE_FRACTION}). */
export function isClassifiable(windows: Float32Array, offset = 0): boolean {
  return aliveFraction(windows, offset) >= MIN_ALIVE_FRACTION;
}
