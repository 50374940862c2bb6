/**
 * Process-wide runtime figures that /health reports and the benchmarks read: room tick
 * durations, event-loop delay, and counts of rejected client messages by reason.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Keeps the last N samples; percentiles are computed on demand (rare: /health only). */
export class RollingSamples {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }

  add(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
  }

  clear(): void {
    this.next = 0;
    this.filled = 0;
  }

  get count(): number {
    return this.filled;
  }

  /** p in [0, 100]; NaN when empty. */
  percentiles(...ps: number[]): number[] {
    if (this.filled === 0) return ps.map(() => NaN);
    const sorted = this.samples.slice(0, this.filled).sort();
    return ps.map((p) => sorted[Math.min(this.filled - 1, Math.floor((p / 100) * this.filled))]!);
  }
}

export type RejectReason = 'invalid_message' | 'unknown_type' | 'rate_limited' | 'stale_input' | 'input_overflow'
  | 'muted' | 'spam' | 'unavailable';

export function emptyRejectCounts(): Record<RejectReason, number> {
  return { invalid_message: 0, unknown_type: 0, rate_limited: 0, stale_input: 0, input_overflow: 0, muted: 0, spam: 0, unavailable: 0 };
}

class ServerStats {
  /**
   * Duration of each room tick (simulation + state sync), ms, over all rooms: the last
   * 65,536 ticks (over two minutes at 100 rooms × 20 Hz), 512 KiB.
   */
  readonly tickMs = new RollingSamples(65536);
  /** Duration of each room's director second (inside its tick), ms: the last 8,192. */
  readonly directorMs = new RollingSamples(8192);
  readonly rejected: Record<RejectReason, number> = emptyRejectCounts();
  private loop: IntervalHistogram | null = null;

  /** Starts sampling event-loop delay (10 ms resolution). */
  startEventLoopMonitor(): void {
    if (this.loop) return;
    this.loop = monitorEventLoopDelay({ resolution: 10 });
    this.loop.enable();
  }

  /** Event-loop delay p50/p99/max in ms since start or the last {@link resetWindow}. */
  eventLoopDelay(): { p50: number; p99: number; max: number } {
    if (!this.loop) return { p50: NaN, p99: NaN, max: NaN };
    // The histogram includes the sampling resolution itself; subtract it to get lag.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - 10);
    return { p50: ms(this.loop.percentile(50)), p99: ms(this.loop.percentile(99)), max: ms(this.loop.max) };
  }

  /** Starts a new measurement window for tick durations and event-loop delay. */
  resetWindow(): void {
    this.tickMs.clear();
    this.directorMs.clear();
    this.loop?.reset();
  }

  reject(reason: RejectReason): void {
    this.rejected[reason]++;
  }

  totalRejected(): number {
    let n = 0;
    for (const v of Object.values(this.rejected)) n += v;
    return n;
  }
}

export const serverStats = new ServerStats();
