/**
 * Prometheus metrics (`GET /metrics`, text format) for the engineer on call: players and
 * rooms, tick and director durations, event-loop lag, inference batches and latency, chat
 * pipeline latency, queue depths, the write-behind backlog, open flags, and every refused
 * client message by reason. Figures the server already keeps (rolling tick samples,
 * counters) are read when Prometheus scrapes, so the game loop pays nothing extra; the
 * few histograms are observed where the work completes, off the tick.
 */
import { matchMaker } from '@colyseus/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { InferenceService, ModelName } from './inference/types.js';
import { serverStats, type RejectReason, type RollingSamples } from './stats.js';
import { deadProcessSweeps } from './cluster/sweep.js';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'pulse_' });

/** Time from a model request to its answer, seconds (observed by the inference host). */
export const inferenceLatency = new Histogram({
  name: 'pulse_inference_latency_seconds', help: 'Model request to answer, including the micro-batch wait', labelNames: ['model'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1], registers: [metricsRegistry],
});
/** Requests per batch sent to a worker. */
export const inferenceBatchSize = new Histogram({
  name: 'pulse_inference_batch_size', help: 'Requests per batch sent to an inference worker', labelNames: ['model'],
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers: [metricsRegistry],
});
/** Chat message received → stored and acknowledged, seconds (the whole pipeline, model included). */
export const chatPipelineLatency = new Histogram({
  name: 'pulse_chat_pipeline_seconds', help: 'Chat message received to stored, broadcast and acknowledged',
  buckets: [0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1], registers: [metricsRegistry],
});

export interface MetricsSources {
  inference: InferenceService | null;
  writeBacklog(): number;
  /** Flags waiting for a moderator (cached by the caller; may be null without a database). */
  openFlags(): Promise<number | null>;
  /** This process's player limit (null: none) and the joins it refused for it. */
  capacity(): { limit: number | null; refused: number };
}

const QUANTILES = [0.5, 0.9, 0.99, 1] as const;

function quantileGauge(name: string, help: string, samples: RollingSamples): void {
  new Gauge({
    name, help: `${help} (last samples; quantile 1 is the max)`, labelNames: ['quantile'], registers: [metricsRegistry],
    collect() {
      const values = samples.percentiles(...QUANTILES.map((q) => q * 100));
      QUANTILES.forEach((q, i) => { if (!Number.isNaN(values[i]!)) this.set({ quantile: String(q) }, values[i]! / 1000); });
    },
  });
}

let installed: MetricsSources | null = null;

/** Registers the scrape-time metrics over `sources` (once per process; later calls replace the sources). */
export function installMetrics(sources: MetricsSources): void {
  const first = installed === null;
  installed = sources;
  if (!first) return;
  // Both gauges read one listing per scrape (prom-client collects them concurrently; with
  // Redis a listing is a round trip to the driver).
  let listing: ReturnType<typeof matchMaker.query> | null = null;
  const local = () => (listing ??= matchMaker.query({ processId: matchMaker.processId }).finally(() => { listing = null; }));
  new Gauge({
    name: 'pulse_clients', help: 'Connected players in this process', registers: [metricsRegistry],
    async collect() { this.set((await local()).reduce((n, r) => n + r.clients, 0)); },
  });
  new Gauge({
    name: 'pulse_rooms', help: 'Rooms in this process', registers: [metricsRegistry],
    async collect() { this.set((await local()).length); },
  });
  quantileGauge('pulse_room_tick_seconds', 'Room tick duration (simulation + state sync)', serverStats.tickMs);
  quantileGauge('pulse_director_step_seconds', 'Director second inside a room tick', serverStats.directorMs);
  new Gauge({
    name: 'pulse_event_loop_lag_seconds', help: 'Event-loop delay since start (quantile 1 is the max)', labelNames: ['quantile'], registers: [metricsRegistry],
    collect() {
      const d = serverStats.eventLoopDelay();
      for (const [q, v] of [['0.5', d.p50], ['0.99', d.p99], ['1', d.max]] as const) if (!Number.isNaN(v)) this.set({ quantile: q }, v / 1000);
    },
  });
  new Counter({
    name: 'pulse_client_messages_rejected_total', help: 'Client messages refused, by reason', labelNames: ['reason'], registers: [metricsRegistry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(serverStats.rejected) as Array<[RejectReason, number]>) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'pulse_max_players', help: 'The most players this process takes (MAX_PLAYERS; absent: no limit)', registers: [metricsRegistry],
    collect() {
      const limit = installed!.capacity().limit;
      if (limit === null) this.reset();
      else this.set(limit);
    },
  });
  new Counter({
    name: 'pulse_joins_refused_full_total', help: 'Joins refused because this process had MAX_PLAYERS players', registers: [metricsRegistry],
    collect() {
      this.reset();
      this.inc(installed!.capacity().refused);
    },
  });
  new Counter({
    name: 'pulse_cluster_dead_processes_swept_total', help: 'Processes this one removed from the cluster (rooms, player count) for not answering', registers: [metricsRegistry],
    collect() {
      this.reset();
      this.inc(deadProcessSweeps.swept);
    },
  });
  new Gauge({
    name: 'pulse_write_behind_backlog', help: 'Game writes waiting for the database', registers: [metricsRegistry],
    collect() { this.set(installed!.writeBacklog()); },
  });
  new Gauge({
    name: 'pulse_inference_queue_depth', help: 'Model requests waiting for a batch', registers: [metricsRegistry],
    collect() { this.set(installed!.inference?.status().queued ?? 0); },
  });
  const counter = (name: string, help: string, field: 'requests' | 'scored' | 'neutral' | 'dropped') => new Counter({
    name, help, labelNames: ['model'], registers: [metricsRegistry],
    collect() {
      this.reset();
      const counters = installed!.inference?.status().counters;
      if (counters) for (const model of Object.keys(counters) as ModelName[]) this.inc({ model }, counters[model][field]);
    },
  });
  counter('pulse_inference_requests_total', 'Model requests', 'requests');
  counter('pulse_inference_neutral_total', 'Requests answered neutrally (no worker ready, crash, timeout, overflow)', 'neutral');
  counter('pulse_inference_dropped_total', 'Requests dropped from a full queue', 'dropped');
  new Gauge({
    name: 'pulse_inference_worker_restarts', help: 'Inference workers replaced after a crash', registers: [metricsRegistry],
    collect() { this.set(installed!.inference?.status().restarts ?? 0); },
  });
  new Gauge({
    name: 'pulse_flags_open', help: 'Moderation flags waiting for a moderator (whole deployment)', registers: [metricsRegistry],
    async collect() {
      const n = await installed!.openFlags().catch(() => null);
      if (n !== null) this.set(n);
    },
  });
}
