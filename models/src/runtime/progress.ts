/**
 * A one-line progress bar for training CLIs. On a TTY it redraws in place; in CI logs
 * (no TTY) it prints a plain line every 10 % so logs stay short and readable.
 */

/** Where the bar writes: process.stderr by default. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** Number of steps to 100 %. Must be a positive integer. */
  total: number;
  /** Shown before the bar, e.g. "epoch 3/12". */
  label?: string;
  /** Bar width in characters (default 24). */
  width?: number;
  stream?: ProgressStream;
  /** Injected clock (ms) for tests; defaults to performance.now. */
  now?: () => number;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly width: number;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly started: number;
  private done = 0;
  private lastDecile = -1;
  private lastDraw = -Infinity;
  private finished = false;

  /** @throws RangeError if total is not a positive integer. */
  constructor(options: ProgressBarOptions) {
    if (!Number.isInteger(options.total) || options.total <= 0) {
      throw new RangeError(`progress total must be a positive integer, got ${options.total}`);
    }
    this.total = options.total;
    this.label = options.label ?? '';
    this.width = options.width ?? 24;
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Advances by `steps` and redraws; `info` is appended (e.g. "loss 0.412"). */
  tick(steps = 1, info = ''): void {
    this.update(this.done + steps, info);
  }

  /** Sets the absolute progress and redraws (at most every 100 ms on a TTY). */
  update(done: number, info = ''): void {
    if (this.finished) return;
    this.done = Math.max(0, Math.min(this.total, done));
    const t = this.now();
    if (this.stream.isTTY) {
      if (t - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = t;
      this.stream.write(`\r${this.render(info)}\x1b[K`);
    } else {
      const decile = Math.floor((this.done / this.total) * 10);
      if (decile === this.lastDecile || this.done === this.total) return;
      this.lastDecile = decile;
      this.stream.write(`${this.render(info)}\n`);
    }
  }

  /** Draws the final state and ends the line. Further updates are ignored. */
  finish(info = ''): void {
    if (this.finished) return;
    this.done = this.total;
    this.stream.write(`${this.stream.isTTY ? '\r' : ''}${this.render(info)}${this.stream.isTTY ? '\x1b[K' : ''}\n`);
    this.finished = true;
  }

  /** The bar as text, without cursor control: `label [#####-----]  50% 5/10 1.2s eta 1.2s info`. */
  render(info = ''): string {
    const frac = this.done / this.total;
    const filled = Math.round(frac * this.width);
    const elapsed = (this.now() - this.started) / 1000;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(this.width - filled);
    const pct = `${Math.floor(frac * 100)}`.padStart(3);
    const timing = this.done >= this.total ? formatSeconds(elapsed) : `${formatSeconds(elapsed)} eta ${formatSeconds(eta)}`;
    const parts = [this.label, `[${bar}]`, `${pct}%`, `${this.done}/${this.total}`, timing, info];
    return parts.filter((p) => p !== '').join(' ');
  }
}
