/**
 * Which game keys are held. Listens on the window (not through Phaser) so that keys
 * typed into the chat box or the menu never reach the game: events aimed at an editable
 * element are ignored, and focusing one releases everything held.
 */
const KEY_BINDINGS = {
  up: ['KeyW', 'ArrowUp'],
  down: ['KeyS', 'ArrowDown'],
  left: ['KeyA', 'ArrowLeft'],
  right: ['KeyD', 'ArrowRight'],
  dash: ['Space', 'ShiftLeft', 'ShiftRight'],
} as const;

type Action = keyof typeof KEY_BINDINGS;

const GAME_CODES = new Set<string>(Object.values(KEY_BINDINGS).flat());

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement
    && (target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement);
}

export class KeyboardState {
  private readonly held = new Set<string>();
  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (isEditable(e.target) || !GAME_CODES.has(e.code)) return;
    e.preventDefault(); // no page scrolling on arrows / Space
    this.held.add(e.code);
  };
  private readonly onKeyUp = (e: KeyboardEvent): void => {
    this.held.delete(e.code);
  };
  private readonly release = (): void => this.held.clear();
  private readonly onFocusIn = (e: FocusEvent): void => {
    if (isEditable(e.target)) this.release();
  };

  constructor() {
    window.addEventListener('keydown', this.onKeyDown);
    window.addEventListener('keyup', this.onKeyUp);
    window.addEventListener('blur', this.release);
    document.addEventListener('focusin', this.onFocusIn);
  }

  isDown(action: Action): boolean {
    return KEY_BINDINGS[action].some((code) => this.held.has(code));
  }

  /** Movement axes in [-1, 1] (diagonals are normalised by the shared step). */
  axes(): { moveX: number; moveY: number } {
    return {
      moveX: Number(this.isDown('right')) - Number(this.isDown('left')),
      moveY: Number(this.isDown('down')) - Number(this.isDown('up')),
    };
  }

  dispose(): void {
    window.removeEventListener('keydown', this.onKeyDown);
    window.removeEventListener('keyup', this.onKeyUp);
    window.removeEventListener('blur', this.release);
    document.removeEventListener('focusin', this.onFocusIn);
  }
}
