/**
 * Inference benchmark (figures, not a test):
 *
 *  1. per TensorFlow.js backend (node-gpu, node: "not installed" unless they are; wasm;
 *     cpu) and batch size (1, 32, 256): throughput and p50/p99 latency of a direct
 *     `model.predict` (+ reading the result) in this process, for the behavior CNN and
 *     the chat LSTM (pre-tokenised ids; the tokenizer's own cost is printed once);
 *  2. through the InferenceHost (worker thread, micro-batcher, default options): end-to-end
 *     latency under an offered load of behavior windows (default 2,000/s for 10 s), chat
 *     latency during that load, a single chat message's latency on an idle host, and chat
 *     throughput for a burst.
 *
 *   npm run bench:inference [-- --seconds 10 --rate 2000 --budget 1.5] [--chat-standin max|last]
 *
 * `--chat-standin` runs the chat rows on an untrained stand-in with that pooling even when
 * models/chat/v4 exists (to see what an architecture costs to serve; 'last' runs as the
 * worker's lean forward pass, 'max' as the layers model).
 *
 * Targets on wasm: CNN ≥ 25,000 windows/s, LSTM ≥ 2,000 messages/s batched, single chat
 * message p99 ≤ 15 ms. The whole run takes about two minutes.
 */
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FRAME_FEATURES, FRAME_WINDOW } from '@pulse-arena/shared';
import { BehaviorClassifier } from '../../models/src/behavior/classifier.js';
import { ChatClassifier } from '../../models/src/chat/classifier.js';
import { BACKEND_ORDER, describeBackend, initBackend, tf, type BackendChoice } from '../../models/src/runtime/index.js';
import { ChatRunner } from '../../server/src/inference/chatRunner.js';
import { DEFAULT_BEHAVIOR_DIR, InferenceHost, WINDOW_FLOATS } from '../../server/src/inference/host.js';
import { chatArtifact, writeChatStandIn } from '../inference/chatArtifact.js';
import { realWindows } from '../inference/realWindows.js';
import { percentile } from '../helpers/percentile.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    budget: { type: 'string', default: '1.5' },
    'chat-standin': { type: 'string' },
  },
});
const standin = args['chat-standin'];
if (standin !== undefined && standin !== 'max' && standin !== 'last') throw new Error('--chat-standin must be max or last');
const STANDIN: 'max' | 'last' | undefined = standin;
const SECONDS = Number(args.seconds), RATE = Number(args.rate), BUDGET_S = Number(args.budget);
for (const [k, v] of Object.entries({ seconds: SECONDS, rate: RATE, budget: BUDGET_S })) {
  if (!Number.isFinite(v) || v <= 0 || v > 100_000) throw new Error(`--${k} must be a positive number`);
}
/** 64 is the host's default maxBatch. */
const BATCHES = [1, 32, 64, 256];
/** Game chat as players type it: mostly a few words, some long lines. */
const CHAT_LINES = [
  'gg', 'gg wp', 'nice shot!', 'lol', 'help', 'omw', 'u r trash', 'ez', 'thanks team', 'heal me pls',
  'wave 12 incoming', 'behind you!!', 'who took the ammo', 'go left i go right', 'Y0U  R  Tr\u0430\u0430\u0430sh!!!',
  'that boss wave was actually insane, well played everyone', 'can we slow down a bit, i keep dying on the left side',
  'not bad for a first try', 'stop stealing my pickups noob', 'brb 2 min', 'wait for me at the spawn please',
  'this game is so much fun with you guys honestly best team i have had all week long',
];
const NATIVE: Partial<Record<BackendChoice, string>> = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' };

const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const int = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const pad = (s: string, n: number) => s.padEnd(n);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

interface Timing { perSecond: number; p50: number; p99: number; calls: number }

/** Calls `fn` (one batch of `batch` items) for about BUDGET_S seconds (at least 3 calls) after 2 warm-up calls. */
function time(batch: number, fn: () => void): Timing {
  fn();
  fn();
  const ms: number[] = [];
  const start = performance.now();
  while (ms.length < 3 || (performance.now() - start < BUDGET_S * 1000 && ms.length < 20_000)) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  const total = performance.now() - start;
  ms.sort((a, b) => a - b);
  return { perSecond: (batch * ms.length) / (total / 1000), p50: percentile(ms, 50), p99: percentile(ms, 99), calls: ms.length };
}

const row = (model: string, batch: number, t: Timing, unit: string) =>
  `  ${pad(model, 9)} batch ${String(batch).padStart(3)}  ${int(t.perSecond).padStart(8)} ${pad(unit, 10)} p50 ${f(t.p50).padStart(7)} ms  p99 ${f(t.p99).padStart(7)} ms  (${t.calls} calls)`;

async function directBenchmarks(chatDir: string, chatReal: boolean, windows: Float32Array[]): Promise<Map<string, Timing>> {
  const results = new Map<string, Timing>();
  console.log(`\n== Direct model.predict in this process (${BUDGET_S} s per row) ==`);
  for (const choice of BACKEND_ORDER) {
    const native = NATIVE[choice];
    let backend: string;
    try {
      backend = await initBackend([choice]);
    } catch {
      console.log(`${choice}: not installed${native ? ` (${native} is an optional dependency)` : ''}`);
      continue;
    }
    const info = await describeBackend();
    console.log(`${choice}: tfjs backend '${backend}'${info.simd === undefined ? '' : `, SIMD ${info.simd ? 'on' : 'off'}, threads ${info.threads ? 'on' : 'off'}`}`);
    const behavior = await BehaviorClassifier.load(DEFAULT_BEHAVIOR_DIR);
    const chat = await ChatClassifier.load(chatDir);
    const len = chat.tokenizer.sequenceLength;
    for (const batch of BATCHES) {
      const x = new Float32Array(batch * WINDOW_FLOATS);
      for (let i = 0; i < batch; i++) x.set(windows[i % windows.length]!, i * WINDOW_FLOATS);
      const input = tf.tensor3d(x, [batch, FRAME_WINDOW, FRAME_FEATURES]);
      const t = time(batch, () => tf.tidy(() => (behavior.model.predict(input) as tf.Tensor).dataSync()));
      input.dispose();
      results.set(`${choice}/behavior/${batch}`, t);
      console.log(row('behavior', batch, t, 'windows/s'));
    }
    for (const batch of BATCHES) {
      const ids = chat.tokenizer.encodeBatch(Array.from({ length: batch }, (_, i) => CHAT_LINES[i % CHAT_LINES.length]!));
      const input = tf.tensor2d(ids, [batch, len], 'int32');
      const t = time(batch, () => tf.tidy(() => (chat.model.predict(input) as tf.Tensor[]).map((o) => o.dataSync())));
      input.dispose();
      results.set(`${choice}/chat/${batch}`, t);
      console.log(row(`chat${chatReal ? '' : '*'}`, batch, t, 'msgs/s'));
    }
    // What the worker runs: tokenizer + the lean forward pass (when it knows the model).
    const runner = await ChatRunner.load(chatDir);
    console.log(`  worker chat path: ${runner.fallback === null ? 'lean forward pass' : `layers model (${runner.fallback})`}`);
    for (const batch of BATCHES) {
      const texts = Array.from({ length: batch }, (_, i) => CHAT_LINES[(i * 7) % CHAT_LINES.length]!);
      const t = time(batch, () => runner.predict(texts));
      results.set(`${choice}/chat-worker/${batch}`, t);
      console.log(row(`chat${chatReal ? '' : '*'} wk`, batch, t, 'msgs/s'));
    }
    runner.dispose();
    behavior.dispose();
    chat.dispose();
  }
  return results;
}

async function hostBenchmarks(chatDir: string, windows: Float32Array[]): Promise<{ behaviorP99: number; chatIdleP99: number }> {
  console.log(`\n== Through the InferenceHost (worker thread + micro-batcher, default options) ==`);
  const host = new InferenceHost({ chatDir, log: (l) => console.log(`  ${l}`) });
  if (!(await host.ready(60_000))) throw new Error('the inference host did not start');
  const o = host.options;
  console.log(`  options: workers ${o.workers}, maxBatch ${o.maxBatch}, maxWaitMs ${o.maxWaitMs}, maxQueue ${o.maxQueue}, batchTimeoutMs ${o.batchTimeoutMs}`);

  // Warm the path (first batches of new sizes allocate in the worker).
  await Promise.all(Array.from({ length: 256 }, (_, i) => host.classifyBehavior(windows[i % windows.length]!.slice())));
  await Promise.all(Array.from({ length: 64 }, (_, i) => host.scoreChat(`warm ${i}`)));

  // Offered behavior load at RATE windows/s, chat pings every 50 ms alongside.
  const lag = monitorEventLoopDelay({ resolution: 5 });
  const stats0 = host.stats().counters;
  const latencies: number[] = [];
  const chatUnderLoad: number[] = [];
  let neutral = 0, sent = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  lag.enable();
  await new Promise<void>((resolve) => {
    let lastChat = start;
    const pending = new Set<Promise<unknown>>();
    const step = (): void => {
      const now = performance.now();
      const due = Math.min(Math.floor(((Math.min(now, end) - start) / 1000) * RATE), Math.floor(SECONDS * RATE));
      while (sent < due) {
        const t = performance.now();
        const p = host.classifyBehavior(windows[sent % windows.length]!.slice()).then((r) => {
          latencies.push(performance.now() - t);
          if (!r.scored) neutral++;
        });
        pending.add(p);
        void p.then(() => pending.delete(p));
        sent++;
      }
      if (now - lastChat >= 50 && now < end) {
        lastChat = now;
        const t = performance.now();
        const p = host.scoreChat(CHAT_LINES[chatUnderLoad.length % CHAT_LINES.length]!).then(() => chatUnderLoad.push(performance.now() - t));
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (now < end) setTimeout(step, 1);
      else void Promise.all(pending).then(() => resolve());
    };
    step();
  });
  lag.disable();
  const elapsed = (performance.now() - start) / 1000;
  const stats1 = host.stats().counters;
  latencies.sort((a, b) => a - b);
  chatUnderLoad.sort((a, b) => a - b);
  const batches = stats1.behavior.batches - stats0.behavior.batches;
  console.log(`  behavior: offered ${int(RATE)} windows/s for ${SECONDS} s → ${int(sent)} sent, ${int(latencies.length / elapsed)} answered/s, ${neutral} neutral`);
  console.log(`    end-to-end latency p50 ${f(percentile(latencies, 50))} ms  p99 ${f(percentile(latencies, 99))} ms  max ${f(latencies.at(-1) ?? NaN)} ms`);
  console.log(`    ${int(batches)} worker batches, mean ${f(sent / Math.max(1, batches), 1)} windows/batch, largest ${stats1.behavior.maxBatch}`);
  console.log(`    main-thread event-loop delay p50 ${f(lag.percentile(50) / 1e6)} ms  p99 ${f(lag.percentile(99) / 1e6)} ms  max ${f(lag.max / 1e6)} ms (resolution 5 ms included)`);
  console.log(`  chat during that load (one message every 50 ms): p50 ${f(percentile(chatUnderLoad, 50))} ms  p99 ${f(percentile(chatUnderLoad, 99))} ms  (${chatUnderLoad.length} messages)`);

  // A single chat message at a time on an otherwise idle host.
  const idle: number[] = [];
  const idleEnd = performance.now() + 3000;
  for (let i = 0; performance.now() < idleEnd && i < 400; i++) {
    const t = performance.now();
    const r = await host.scoreChat(CHAT_LINES[i % CHAT_LINES.length]!);
    if (r.scored) idle.push(performance.now() - t);
    await new Promise((res) => setTimeout(res, 2));
  }
  idle.sort((a, b) => a - b);
  console.log(`  single chat message, idle host: p50 ${f(percentile(idle, 50))} ms  p99 ${f(percentile(idle, 99))} ms  max ${f(idle.at(-1) ?? NaN)} ms  (${idle.length} messages, one at a time)`);

  // A burst of chat: how fast the host drains it.
  const burst = 2000;
  const t0 = performance.now();
  const scored = (await Promise.all(Array.from({ length: burst }, (_, i) => host.scoreChat(`${CHAT_LINES[i % CHAT_LINES.length]!} ${i}`)))).filter((r) => r.scored).length;
  const burstS = (performance.now() - t0) / 1000;
  console.log(`  chat burst: ${int(burst)} messages at once → ${int(scored / burstS)} msgs/s (${scored} scored, ${burst - scored} neutral from the bounded queue)`);
  const [debug] = await host.debugStatus();
  console.log(`  worker tensors after the run: ${debug?.numTensors ?? 'n/a'} (${debug?.batches ?? 'n/a'} batches)`);
  await host.close();

  // Saturation: how many windows/s the host drains from a backlog, with one and two workers.
  for (const workers of [1, 2]) {
    const h = new InferenceHost({ chatDir: null, workers, maxQueue: 100_000, log: () => undefined });
    if (!(await h.ready(60_000))) throw new Error('the inference host did not start');
    await Promise.all(Array.from({ length: 512 }, (_, i) => h.classifyBehavior(windows[i % windows.length]!.slice())));
    const n = 16_384;
    const tb = performance.now();
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => h.classifyBehavior(windows[i % windows.length]!.slice())));
    const s = (performance.now() - tb) / 1000;
    console.log(`  behavior backlog of ${int(n)} windows, ${workers} worker(s): ${int(n / s)} windows/s (${answers.filter((r) => r.scored).length} scored)`);
    await h.close();
  }
  return { behaviorP99: percentile(latencies, 99), chatIdleP99: percentile(idle, 99) };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`Inference benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load()}`);
  await initBackend('wasm');
  const windows = realWindows(16).windows;
  const chat = STANDIN ? await writeChatStandIn({ pooling: STANDIN }) : await chatArtifact();
  if (STANDIN) {
    console.log(`chat*: untrained stand-in, the chat factory's architecture with pooling '${STANDIN}' (same cost as a trained one, meaningless scores)`);
  } else if (!chat.real) {
    console.log("chat*: models/chat/v4 is not there yet; the chat rows use an untrained stand-in with the chat factory's default architecture (same cost, meaningless scores)");
  }
  try {
    const direct = await directBenchmarks(chat.dir, chat.real, windows);
    const host = await hostBenchmarks(chat.dir, windows);
    const best = (model: string) => Math.max(...BATCHES.map((b) => direct.get(`wasm/${model}/${b}`)?.perSecond ?? NaN));
    const check = (ok: boolean) => (ok ? 'OK  ' : 'MISS');
    console.log('\n== Targets (wasm) ==');
    const cnn = best('behavior');
    const lstm = direct.get('wasm/chat/256')?.perSecond ?? NaN;
    const lstmWorker = direct.get('wasm/chat-worker/256')?.perSecond ?? NaN;
    console.log(`  ${check(cnn >= 25_000)} CNN ≥ 25,000 windows/s: ${int(cnn)} (best batch)`);
    console.log(`  ${check(lstm >= 2_000)} LSTM ≥ 2,000 msgs/s batched: ${int(lstm)} (model.predict, batch 256); worker path ${int(lstmWorker)}`);
    console.log(`  ${check(host.chatIdleP99 <= 15)} single chat message p99 ≤ 15 ms through the host: ${f(host.chatIdleP99)} ms`);
    console.log(`  (micro-batcher end-to-end p99 at ${int(RATE)} windows/s: ${f(host.behaviorP99)} ms)`);
  } finally {
    await chat.remove();
  }
  console.log(`\ndone in ${f((performance.now() - t0) / 1000, 1)} s, load average now ${load()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
