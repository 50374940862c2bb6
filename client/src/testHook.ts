/**
 * The read-only hook that browser tests (test/e2e/) read through `window.__pulseArena`.
 * Types only, no imports: the test project compiles this file too.
 */
export interface PulseArenaHook {
  /** Phaser's renderer once the game has booted; null before the first join. */
  readonly renderer: 'WebGL' | 'Canvas' | null;
  readonly phase: 'menu' | 'playing';
  readonly roomId: string | null;
  readonly sessionId: string | null;
  /** Persistent guest id from the server's `welcome`. */
  readonly playerId: string | null;
  readonly connection: 'open' | 'reconnecting' | 'moving' | 'closed';
  /** The own player's predicted position. */
  ownPosition(): { x: number; y: number } | null;
  /** Every player in the room as the latest server state has them. */
  players(): Array<{ sessionId: string; name: string; x: number; y: number }>;
  /** Chat lines received this session, oldest first. */
  chatLog(): Array<{ name: string; text: string }>;
  /** The behavior model's latest read of the own player, as the HUD shows it. */
  profile(): { style: string; confidence: number; probabilities: Record<string, number> } | null;
  /** The HUD's difficulty readout, e.g. "Difficulty 31% ▼ easing off". */
  difficultyText(): string;
  /** The "why" of the latest director decision for the own player ('' before one). */
  why(): string;
  /** Recommendation toasts on screen now. */
  recommendations(): Array<{ id: string; kind: string; value?: string; message: string; why: string }>;
  /** Every recommendation shown this match, with what became of it. */
  recommendationHistory(): Array<{ id: string; kind: string; value?: string; message: string; outcome?: string }>;
}

declare global {
  interface Window {
    readonly __pulseArena?: PulseArenaHook;
  }
}
