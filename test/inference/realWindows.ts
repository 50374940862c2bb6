/**
 * Real behavior windows for the inference tests: the behavior bots playing the shared
 * simulation, recorded exactly as the server records live play (held-out seeds far from
 * the training ones), with the style that produced each window.
 */
import { BEHAVIOR_CLASSES, type BehaviorStyle } from '../../models/src/behavior/classes.js';
import { episodeSeed, runEpisode } from '../../models/src/behavior/dataset.js';

export interface LabelledWindows {
  windows: Float32Array[];
  labels: BehaviorStyle[];
}

/** About `perStyle` windows of every style (one short two-player episode each). */
export function realWindows(perStyle = 8, seedIndex = 700_000): LabelledWindows {
  const out: LabelledWindows = { windows: [], labels: [] };
  BEHAVIOR_CLASSES.forEach((style, s) => {
    const ep = runEpisode(episodeSeed('heldout', seedIndex + s), {
      players: 2, styles: [style, style], ticks: 400 + perStyle * 16, stride: 32, switches: false,
    });
    out.windows.push(...ep.windows.slice(0, perStyle));
    out.labels.push(...ep.labels.slice(0, perStyle));
  });
  return out;
}
