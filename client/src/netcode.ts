/**
 * The client's netcode for one session, kept free of Phaser: a fixed 20 Hz input loop (one `input` message per server tick, seq from 1),
 * prediction of the own player, interpolation of everyone else, and the server clock
 * that projectiles are extrapolated with.
 */
import { TICK_MS, type ArenaStateView, type PlayerInput } from '@pulse-arena/shared';
import type { ArenaSession } from './net/arenaSession.js';
import { SnapshotInterpolator } from './interpolation.js';
import { OwnPlayerPredictor, type Point } from './prediction.js';
import { ServerClock } from './serverClock.js';

/**
 * Ticks caught up at most in one frame. A slow frame (a busy CPU, a GC pause) still sends
 * every tick's input; after a longer stall (a background tab) time is skipped instead of
 * flooding the server, whose queue holds 6 inputs.
 */
const MAX_CATCH_UP_TICKS = 5;
/** A correction bigger than this (px) is a teleport (respawn), not an error to smooth away. */
const SNAP_DISTANCE = 80;
/** Share of the remaining correction kept after 1 ms: ~100 ms to fade a small error. */
const CORRECTION_DECAY_PER_MS = 0.97;

export type InputSample = Omit<PlayerInput, 'seq'>;

export class Netcode {
  readonly predictor: OwnPlayerPredictor;
  readonly players = new SnapshotInterpolator();
  readonly enemies = new SnapshotInterpolator();
  readonly clock = new ServerClock();
  private seq = 0;
  private accumulator = 0;
  private lastAdvanceAt: number | null = null;
  /** Visual offset still to fade out after a reconciliation moved the prediction. */
  private correction: Point = { x: 0, y: 0 };

  constructor(private readonly session: ArenaSession) {
    this.predictor = new OwnPlayerPredictor();
  }

  /** Feeds a decoded state patch (arrived at local time `now`). */
  onState(state: ArenaStateView, now: number): void {
    this.clock.observe(state.tick, now);
    this.players.record(state.players, now);
    this.enemies.record(state.enemies, now);
    const own = state.players.get(this.session.sessionId);
    if (!own) return;
    const moved = this.predictor.reconcile(own);
    if (Math.hypot(moved.x, moved.y) > SNAP_DISTANCE) this.correction = { x: 0, y: 0 };
    else this.correction = { x: this.correction.x - moved.x, y: this.correction.y - moved.y };
  }

  /**
   * Advances the input loop to local time `now` (ms): for every whole tick elapsed,
   * samples the input, sends it, and predicts it. Uses the wall clock, not the frame
   * delta Phaser reports, which is smoothed and clamped and so loses time on slow frames.
   */
  advance(now: number, sample: () => InputSample): void {
    const deltaMs = this.lastAdvanceAt === null ? 0 : now - this.lastAdvanceAt;
    this.lastAdvanceAt = now;
    this.accumulator += deltaMs;
    if (this.accumulator > MAX_CATCH_UP_TICKS * TICK_MS) this.accumulator = MAX_CATCH_UP_TICKS * TICK_MS;
    while (this.accumulator >= TICK_MS) {
      this.accumulator -= TICK_MS;
      this.tick(sample());
    }
    const fade = CORRECTION_DECAY_PER_MS ** deltaMs;
    this.correction = { x: this.correction.x * fade, y: this.correction.y * fade };
  }

  /** Where to draw the own player this frame: between ticks, plus the fading correction. */
  ownRenderPosition(): Point | null {
    const p = this.predictor.interpolated(this.accumulator / TICK_MS);
    return p && { x: p.x + this.correction.x, y: p.y + this.correction.y };
  }

  private tick(sample: InputSample): void {
    // Until the first state arrives there is nothing to predict from; the server does not know us yet.
    if (!this.predictor.position) return;
    const input: PlayerInput = { seq: this.seq + 1, ...sample };
    if (!this.session.sendInput(input)) return;
    this.seq = input.seq;
    this.predictor.applyInput(input);
  }
}
