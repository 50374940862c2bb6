/**
 * The live flag stream (server-sent events). The browser's own EventSource retry gives up
 * for good on an HTTP error and never backs off, so the stream reconnects itself: 1 s, 2 s,
 * 4 s … up to 30 s, with jitter so a server restart is not met by every console at once.
 * Each (re)connection is reported, so the queue re-fetches what it missed meanwhile.
 */
import type { FlagSummary } from '@pulse-arena/shared';
import { STREAM_URL } from './api.js';

const BASE_MS = 1000;
const MAX_MS = 30_000;

/** Wait before reconnect attempt `attempt` (0 = the first after a drop); `random` in [0, 1) spreads it ±25 %. */
export function backoffDelay(attempt: number, random = Math.random()): number {
  const plain = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempt, 10));
  return Math.round(plain * (0.75 + random * 0.5));
}

/** A `flag` event's data, or null if it is not a flag (the stream is trusted, but not blindly). */
export function parseFlagEvent(data: string): FlagSummary | null {
  try {
    const v = JSON.parse(data) as Partial<FlagSummary> | null;
    return v && typeof v.id === 'string' && typeof v.status === 'string' && typeof v.updatedAt === 'string'
      && typeof v.severity === 'number' && typeof v.createdAt === 'string' ? v as FlagSummary : null;
  } catch {
    return null;
  }
}

export type StreamState = { state: 'connecting' } | { state: 'live' } | { state: 'retrying'; inMs: number };

export interface StreamHooks {
  flag(flag: FlagSummary): void;
  /** Connected (first time or again): events flow from now on. */
  connected(): void;
  /** Dropped: a reconnect is scheduled. */
  dropped(): void;
  state(state: StreamState): void;
}

export class FlagStream {
  private source: EventSource | null = null;
  private timer: number | undefined;
  private attempt = 0;

  constructor(private readonly hooks: StreamHooks) {}

  start(): void {
    if (this.source || this.timer !== undefined) return;
    this.connect();
  }

  stop(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
    this.source?.close();
    this.source = null;
    this.attempt = 0;
  }

  private connect(): void {
    this.timer = undefined;
    this.hooks.state({ state: 'connecting' });
    const source = (this.source = new EventSource(STREAM_URL));
    source.addEventListener('open', () => {
      this.attempt = 0;
      this.hooks.state({ state: 'live' });
      this.hooks.connected();
    });
    source.addEventListener('flag', (e) => {
      const flag = parseFlagEvent((e as MessageEvent<string>).data);
      if (flag) this.hooks.flag(flag);
    });
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      const inMs = backoffDelay(this.attempt++);
      this.hooks.state({ state: 'retrying', inMs });
      this.hooks.dropped();
      this.timer = window.setTimeout(() => this.connect(), inMs);
    });
  }
}
