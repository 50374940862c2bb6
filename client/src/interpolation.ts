/**
 * Entity interpolation for everything the client does not predict (other players,
 * enemies): positions are rendered a little in the past, between the two snapshots
 * that bracket that moment, so movement stays smooth although patches arrive at 20 Hz
 * with network jitter.
 */
import type { MapView } from '@pulse-arena/shared';
import type { Point } from './prediction.js';

/**
 * How far in the past remote entities are drawn: two patch intervals (2 × 50 ms), so one
 * late or lost patch still leaves a snapshot to interpolate towards.
 */
export const INTERPOLATION_DELAY_MS = 100;

/** Snapshots kept per entity; at 20 Hz, 6 cover 300 ms, well past the delay. */
const MAX_SNAPSHOTS = 6;

interface Snapshot extends Point {
  at: number;
}

export class SnapshotInterpolator {
  private readonly tracks = new Map<string, Snapshot[]>();

  /** Records every entity's position at `at` (ms) and forgets the ones that are gone. */
  record(entities: MapView<Point>, at: number): void {
    entities.forEach((entity, id) => {
      let track = this.tracks.get(id);
      if (!track) this.tracks.set(id, (track = []));
      const last = track[track.length - 1];
      if (last && last.at === at) track.pop();
      track.push({ at, x: entity.x, y: entity.y });
      if (track.length > MAX_SNAPSHOTS) track.shift();
    });
    for (const id of this.tracks.keys()) if (!entities.get(id)) this.tracks.delete(id);
  }

  /** The entity's position as of `now − INTERPOLATION_DELAY_MS`, or null if unknown. */
  sample(id: string, now: number): Point | null {
    const track = this.tracks.get(id);
    if (!track || track.length === 0) return null;
    const renderAt = now - INTERPOLATION_DELAY_MS;
    let i = track.length - 1;
    while (i > 0 && track[i]!.at > renderAt) i--;
    const from = track[i]!;
    const to = track[i + 1];
    if (!to || from.at > renderAt) return { x: from.x, y: from.y };
    const t = (renderAt - from.at) / (to.at - from.at);
    return { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
  }
}
