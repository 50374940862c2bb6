/**
 * Client-side prediction of the own player. Inputs move the predicted player at once
 * with the very step the server runs (`stepPlayerMovement` from shared/); every state
 * patch resets it to the server's player and replays the inputs the server has not
 * applied yet (seq > lastSeq), so the prediction lands where the server will.
 */
import {
  stepPlayerMovement, TICK_RATE, type MovementState, type PlayerInput, type PlayerView,
} from '@pulse-arena/shared';

/** Unacknowledged inputs kept at most: 2 s. Beyond that the server is not listening. */
const MAX_PENDING = 2 * TICK_RATE;

/** The movement state the server patched for the own player. */
function movementFrom(view: PlayerView): MovementState {
  return {
    x: view.x, y: view.y, aim: view.aim, prevAim: view.aim, alive: view.alive, connected: view.connected,
    dashTicks: view.dashTicks, dashCooldown: view.dashCooldown, dashX: view.dashX, dashY: view.dashY,
  };
}

export interface Point {
  x: number;
  y: number;
}

export class OwnPlayerPredictor {
  private pending: PlayerInput[] = [];
  private player: MovementState | null = null;
  /** Position before the latest local tick, for rendering between ticks. */
  private previous: Point = { x: 0, y: 0 };

  /** The predicted position after the latest input, or null before the first state. */
  get position(): Point | null {
    return this.player ? { x: this.player.x, y: this.player.y } : null;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Predicts one locally sampled input (already sent to the server). */
  applyInput(input: PlayerInput): void {
    if (!this.player) return;
    this.previous = { x: this.player.x, y: this.player.y };
    stepPlayerMovement(this.player, input);
    this.pending.push(input);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
  }

  /**
   * Rebases the prediction on the server's player and replays what it has not applied.
   * Returns how far the prediction moved (the correction), so the renderer can smooth it.
   */
  reconcile(server: PlayerView): Point {
    const before = this.player ? { x: this.player.x, y: this.player.y } : null;
    this.pending = this.pending.filter((input) => input.seq > server.lastSeq);
    const player = movementFrom(server);
    for (const input of this.pending) stepPlayerMovement(player, input);
    this.player = player;
    if (!before) {
      this.previous = { x: player.x, y: player.y };
      return { x: 0, y: 0 };
    }
    const correction = { x: player.x - before.x, y: player.y - before.y };
    this.previous = { x: this.previous.x + correction.x, y: this.previous.y + correction.y };
    return correction;
  }

  /** Position `alpha` (0–1) of the way through the current tick. */
  interpolated(alpha: number): Point | null {
    if (!this.player) return null;
    return {
      x: this.previous.x + (this.player.x - this.previous.x) * alpha,
      y: this.previous.y + (this.player.y - this.previous.y) * alpha,
    };
  }
}
