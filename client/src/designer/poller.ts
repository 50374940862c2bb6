/**
 * Runs a refresh now and then every `intervalMs` (start to start) while it is wanted and
 * the browser tab is visible: a background tab costs the server nothing. Refreshes never
 * overlap, and stopping aborts the one in flight.
 */
import { isAbort } from './api.js';

export class Poller {
  private wanted = false;
  private running = false;
  /** Bumped on every stop/start so a refresh that finishes late schedules nothing. */
  private generation = 0;
  private timer: number | undefined;
  private abort: AbortController | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly refresh: (signal: AbortSignal) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {
    document.addEventListener('visibilitychange', () => this.sync());
  }

  start(): void {
    this.wanted = true;
    this.sync();
  }

  stop(): void {
    this.wanted = false;
    this.sync();
  }

  private sync(): void {
    const run = this.wanted && document.visibilityState === 'visible';
    if (run === this.running) return;
    this.running = run;
    this.generation++;
    window.clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = null;
    if (run) void this.tick(this.generation);
  }

  private async tick(generation: number): Promise<void> {
    const abort = (this.abort = new AbortController());
    const started = performance.now();
    try {
      await this.refresh(abort.signal);
    } catch (err) {
      if (!isAbort(err) && !abort.signal.aborted) this.onError(err);
    }
    if (generation !== this.generation) return;
    const wait = Math.max(0, this.intervalMs - (performance.now() - started));
    this.timer = window.setTimeout(() => void this.tick(generation), wait);
  }
}
