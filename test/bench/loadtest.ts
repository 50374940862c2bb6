/**
 * Load harness: N @colyseus/sdk players in P load-generator processes (test/bench/loadBots.ts)
 * against one server, playing the scripted styles and chatting, for a fixed time. Prints
 * what clients saw (CCU reached, join failures, patch intervals, chat acknowledgement) and
 * what the server reports in /metrics (CPU per client-second, tick p99, event-loop p99, RSS,
 * inference and chat pipeline latencies).
 *
 *   npm run loadtest -- --clients 400 --procs 2 --seconds 60 [--warmup 10] [--chat-every 20] [--join-rate 40] [--servers 1] [--url http://127.0.0.1:2567] [--bare]
 *
 * `--bare` runs the same players against test/bench/bareServer.ts instead — a bare Colyseus
 * room with the arena's schema, tick and patch rates and nothing else — and prints its CPU
 * per client-second: the floor to compare the real server's figure with, on this machine.
 *
 * Without --url it starts a server process on 127.0.0.1 with the embedded defaults (models,
 * director and moderation on; DATABASE_URL / REDIS_URL from the environment are passed on),
 * and stops it at the end. `--servers N` starts N processes in scale-out mode instead (they
 * share REDIS_URL and a PostgreSQL DATABASE_URL, which must be set): load process k
 * matchmakes through server k mod N, as behind a load balancer, and Colyseus seats players on
 * any of them; CPU, CCU and inference figures are summed, tick, event loop and RSS given per
 * process. With --url (loopback only) the server's CPU comes from its
 * /metrics, and MONITOR_PASSWORD must be its monitor password (to reset its tick window).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, startServerProcess, waitForModels, type ServerProcess } from '../helpers/serverProcess.js';
import { HIST_MS, type BotJob, type BotResult } from './loadBots.js';
import { scrapeMetrics, type Metrics } from '../helpers/metrics.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    procs: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    'chat-every': { type: 'string', default: '20' },
    'join-rate': { type: 'string', default: '40' },
    url: { type: 'string' },
    servers: { type: 'string', default: '1' },
    bare: { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(args.clients), PROCS = Number(args.procs), SECONDS = Number(args.seconds), WARMUP = Number(args.warmup);
const CHAT_EVERY = Number(args['chat-every']), JOIN_RATE = Number(args['join-rate']), SERVERS = Number(args.servers);
for (const [k, v, max] of [['clients', CLIENTS, 5000], ['procs', PROCS, 32], ['seconds', SECONDS, 3600], ['warmup', WARMUP, 600], ['chat-every', CHAT_EVERY, 3600], ['join-rate', JOIN_RATE, 1000], ['servers', SERVERS, 8]] as const) {
  if (!Number.isFinite(v) || v <= 0 || v > max) throw new Error(`--${k} must be a number in (0, ${max}]`);
}
if (!Number.isInteger(SERVERS)) throw new Error('--servers must be a whole number');
if (args.bare && args.url) throw new Error('--bare starts its own server: drop --url');
if (SERVERS > 1 && (args.bare || args.url)) throw new Error('--servers starts its own processes: drop --bare and --url');
if (SERVERS > 1 && (!process.env.REDIS_URL || !/^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? ''))) {
  throw new Error('--servers N runs N processes in scale-out mode: set REDIS_URL and a PostgreSQL DATABASE_URL for them to share');
}
if (args.url && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(args.url)) throw new Error('--url: load only ever targets http://127.0.0.1 or http://localhost');
// The servers it starts always run the models (what the issue measures): say so rather than
// let an ablation by environment silently measure the same thing twice.
if (!args.url && !args.bare && process.env.INFERENCE?.trim() === 'off') {
  console.warn('note: INFERENCE=off is ignored here: the servers this starts run with the models on (use npm run bench:room -- --inference off to measure without them)');
}

/** Upper bound (s) of the bucket holding quantile q of what a histogram counted between two scrapes. */
function histogramQuantile(m0: Metrics, m1: Metrics, name: string, labels: string, q: number): number | null {
  const buckets: Array<[number, number]> = [];
  for (const [k, v] of m1) {
    if (!k.startsWith(`${name}_bucket{`)) continue;
    const parts = k.slice(name.length + 8, -1).split(',');
    const le = parts.find((p) => p.startsWith('le='))?.slice(4, -1);
    const rest = parts.filter((p) => !p.startsWith('le=')).join(',');
    if (le === undefined || rest !== labels) continue;
    buckets.push([le === '+Inf' ? Infinity : Number(le), v - (m0.get(k) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  return buckets.find(([, n]) => n >= q * total)![0];
}

function histPercentile(hist: readonly number[], p: number): number {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= (p / 100) * total) return i;
  }
  return HIST_MS;
}

/** One histogram of every load process's results, bucket by bucket. */
function mergeHist(results: readonly BotResult[], key: 'patchHist' | 'ackHist'): number[] {
  return results.reduce((acc, r) => acc.map((v, i) => v + r[key][i]!), new Array<number>(HIST_MS + 1).fill(0));
}

function patchLine(patches: readonly number[]): string {
  return `patch interval      p50 ${histPercentile(patches, 50)} ms   p99 ${histPercentile(patches, 99)} ms   (seen by clients, ${patches.reduce((a, b) => a + b, 0)} patches)`;
}

const f = (v: number | null | undefined, digits = 1) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));
const ms = (s: number | null) => (s === null ? 'n/a' : s === Infinity ? '> 1000 ms' : `≤ ${f(s * 1000, 1)} ms`);

/** Every series of several processes' metrics added up (right for counters, histograms and totals; not for quantiles). */
function sumMetrics(all: readonly Metrics[]): Metrics {
  const out: Metrics = new Map();
  for (const m of all) for (const [k, v] of m) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/** Load process k matchmakes through `urls[k mod urls.length]`. */
function startBots(urls: readonly string[]): Array<{ child: ChildProcess; ready: Promise<void>; result: Promise<BotResult> }> {
  const per = Math.floor(CLIENTS / PROCS);
  return Array.from({ length: PROCS }, (_, k) => {
    const job: BotJob = {
      url: urls[k % urls.length]!, clients: k < PROCS - 1 ? per : CLIENTS - per * (PROCS - 1), first: k * per, joinRate: JOIN_RATE,
      warmupMs: WARMUP * 1000, measureMs: SECONDS * 1000, chatEverySeconds: CHAT_EVERY,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/bench/loadBots.ts'), JSON.stringify(job)], {
      cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let markReady: () => void;
    const ready = new Promise<void>((r) => { markReady = r; });
    const result = new Promise<BotResult>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready\n')) markReady();
      });
      child.once('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as BotResult);
        else reject(new Error(`load process ${k} exited with ${code} without a result`));
      });
    });
    return { child, ready, result };
  });
}

/** The CPU split: the event loop, and everything else (workers, V8's GC and compiler threads). */
function threadsLine(mainMs: number, totalMs: number, clients: number, seconds: number): string {
  const perClient = (ms: number) => f(ms / (clients * seconds), 3);
  return `  by thread         main ${perClient(mainMs)}, other threads ${perClient(totalMs - mainMs)} (workers, GC, JIT) ms per client-second`;
}

/** The bare reference: the same players against test/bench/bareServer.ts; prints what clients saw and its CPU. */
async function bare(): Promise<void> {
  const server = await startServerProcess({ script: 'test/bench/bareServer.ts' });
  const bots: ReturnType<typeof startBots> = [];
  try {
    bots.push(...startBots([server.url]));
    await Promise.all(bots.map((b) => b.ready));
    for (const b of bots) b.child.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    const [cpu0, main0] = [await server.cpuMs(), await server.mainThreadCpuMs()];
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const cpuMs = (await server.cpuMs()) - cpu0;
    const mainMs = (await server.mainThreadCpuMs()) - main0;
    const elapsed = (performance.now() - t0) / 1000;
    for (const b of bots) b.child.stdin!.write('stop\n');
    const results = await Promise.all(bots.map((b) => b.result));
    const joined = results.reduce((n, r) => n + r.joined, 0);
    console.log(`bare Colyseus room (test/bench/bareServer.ts) — ${CLIENTS} players in ${PROCS} load processes, ${f(elapsed)} s measured after ${WARMUP} s warm-up`);
    console.log(`CCU                 ${joined} joined, ${results.reduce((n, r) => n + r.joinFailures, 0)} join failures`);
    console.log(patchLine(mergeHist(results, 'patchHist')));
    console.log(`server CPU          ${f(cpuMs / (joined * elapsed), 3)} ms per client-second   (${f((cpuMs / (elapsed * 1000)) * 100)} % of one core)`);
    console.log(threadsLine(mainMs, cpuMs, joined, elapsed));
  } finally {
    for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGTERM');
    await server.stop();
  }
}

async function main(): Promise<void> {
  if (args.bare) return bare();
  const servers: ServerProcess[] = [];
  const passOn = Object.fromEntries(['DATABASE_URL', 'REDIS_URL'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const bots: ReturnType<typeof startBots> = [];
  try {
    // One after the other: the first applies the migrations the others then find done.
    if (!args.url) for (let i = 0; i < SERVERS; i++) servers.push(await startServerProcess({ env: { INFERENCE: 'on', ...passOn } }));
    const urls = args.url ? [args.url.replace(/\/$/, '')] : servers.map((s) => s.url);
    const monitorPassword = args.url ? process.env.MONITOR_PASSWORD ?? '' : 'bench';
    const scrapeAll = () => Promise.all(urls.map((u) => scrapeMetrics(u)));
    const allServers = async (read: (s: ServerProcess) => Promise<number>) => (await Promise.all(servers.map(read))).reduce((a, b) => a + b, 0);
    const cpuSeconds = async (ms: readonly Metrics[]) => (servers.length
      ? (await allServers((s) => s.cpuMs())) / 1000
      : ms.reduce((a, m) => a + (m.get('pulse_process_cpu_seconds_total') ?? NaN), 0));
    const mainCpuMs = async () => (servers.length ? allServers((s) => s.mainThreadCpuMs()) : undefined);
    for (const u of urls) await waitForModels(u);
    const joinStart = performance.now();
    bots.push(...startBots(urls));
    await Promise.all(bots.map((b) => b.ready));
    const joinSeconds = (performance.now() - joinStart) / 1000;
    for (const b of bots) b.child.stdin!.write('go\n');
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    for (const u of urls) {
      await fetch(`${u}/admin/stats/reset`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from(`admin:${monitorPassword}`).toString('base64')}` } });
    }
    const ms0 = await scrapeAll();
    const cpu0 = await cpuSeconds(ms0);
    const main0 = await mainCpuMs();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const ms1 = await scrapeAll();
    const cpu1 = await cpuSeconds(ms1);
    const main1 = await mainCpuMs();
    const elapsed = (performance.now() - t0) / 1000;
    for (const b of bots) b.child.stdin!.write('stop\n');
    const results = await Promise.all(bots.map((b) => b.result));

    const sum = (k: keyof Pick<BotResult, 'joined' | 'joinFailures' | 'chatSent' | 'chatAcked' | 'disconnected'>) => results.reduce((n, r) => n + r[k], 0);
    const acks = mergeHist(results, 'ackHist');
    const refused: Record<string, number> = {};
    for (const r of results) for (const [code, n] of Object.entries(r.chatRefused)) refused[code] = (refused[code] ?? 0) + n;
    const [m0, m1] = [sumMetrics(ms0), sumMetrics(ms1)];
    const ccu = m1.get('pulse_clients') ?? NaN;
    const cpuMs = (cpu1 - cpu0) * 1000;
    const g = (k: string) => m1.get(k) ?? NaN;
    const delta = (k: string) => g(k) - (m0.get(k) ?? 0);
    // Quantiles do not add up: each process's own.
    const perProcess = (line: (m: Metrics) => string) => (ms1.length === 1 ? line(ms1[0]!) : ms1.map((m, i) => `[${i + 1}] ${line(m)}`).join('\n                    '));
    const q = (m: Metrics, name: string, quantile: string, digits: number) => f((m.get(`${name}{quantile="${quantile}"}`) ?? NaN) * 1000, digits);

    console.log(`Pulse Arena load test — ${CLIENTS} players in ${PROCS} load processes${urls.length > 1 ? ` against ${urls.length} server processes (scale-out)` : ''}, ${f(elapsed)} s measured after ${WARMUP} s warm-up`);
    console.log(`CCU                 ${ccu} on the server${urls.length > 1 ? `s (${ms1.map((m) => m.get('pulse_clients') ?? NaN).join(' + ')})` : ''} in ${g('pulse_rooms')} rooms (${sum('joined')} joined in ${f(joinSeconds)} s, ${sum('joinFailures')} join failures${results.some((r) => r.joinErrors.length) ? `: ${[...new Set(results.flatMap((r) => r.joinErrors))].slice(0, 3).join('; ')}` : ''}), ${sum('disconnected')} dropped while measuring`);
    console.log(patchLine(mergeHist(results, 'patchHist')));
    console.log(`chat                ${sum('chatSent')} sent, ${sum('chatAcked')} acknowledged, refused ${JSON.stringify(refused)}; send → ack p50 ${histPercentile(acks, 50)} ms   p99 ${histPercentile(acks, 99)} ms`);
    console.log(`server CPU          ${f(cpuMs / (ccu * elapsed), 3)} ms per client-second   (${f((cpuMs / (elapsed * 1000)) * 100)} % of one core${urls.length > 1 ? ', all processes' : ''})`);
    if (main0 !== undefined && main1 !== undefined) console.log(threadsLine(main1 - main0, cpuMs, ccu, elapsed));
    console.log(`room tick           ${perProcess((m) => `p50 ${q(m, 'pulse_room_tick_seconds', '0.5', 3)} ms   p99 ${q(m, 'pulse_room_tick_seconds', '0.99', 3)} ms   max ${q(m, 'pulse_room_tick_seconds', '1', 3)} ms`)}`);
    console.log(`event-loop lag      ${perProcess((m) => `p50 ${q(m, 'pulse_event_loop_lag_seconds', '0.5', 2)} ms   p99 ${q(m, 'pulse_event_loop_lag_seconds', '0.99', 2)} ms   max ${q(m, 'pulse_event_loop_lag_seconds', '1', 2)} ms`)}`);
    console.log(`server RSS          ${perProcess((m) => `${f((m.get('pulse_process_resident_memory_bytes') ?? NaN) / 2 ** 20, 0)} MB`)}${urls.length > 1 ? `   (${f(g('pulse_process_resident_memory_bytes') / 2 ** 20, 0)} MB in all)` : ''}   write-behind backlog ${g('pulse_write_behind_backlog')}   open flags ${ms1[0]!.get('pulse_flags_open') ?? NaN}`);
    // The embedded database runs in the server process (a worker thread): its CPU and memory are in the figures above.
    const dbKind = ((await (await fetch(`${urls[0]}/health`)).json()) as { db?: { kind?: string } | null }).db?.kind;
    console.log(`database            ${dbKind === 'pglite' ? 'embedded PGlite: its CPU and memory are in the server figures' : dbKind === 'postgres' ? 'PostgreSQL: a separate process, not in the server figures' : 'none'}`);
    for (const model of ['behavior', 'chat']) {
      const label = `model="${model}"`;
      const batches = delta(`pulse_inference_batch_size_count{${label}}`);
      console.log(`inference ${model.padEnd(9)} ${f(delta(`pulse_inference_requests_total{${label}}`) / elapsed, 0)} requests/s, mean batch ${f(delta(`pulse_inference_batch_size_sum{${label}}`) / batches)}, `
        + `latency p50 ${ms(histogramQuantile(m0, m1, 'pulse_inference_latency_seconds', label, 0.5))} p99 ${ms(histogramQuantile(m0, m1, 'pulse_inference_latency_seconds', label, 0.99))}, `
        + `${delta(`pulse_inference_neutral_total{${label}}`)} neutral answers`);
    }
    console.log(`chat pipeline       p50 ${ms(histogramQuantile(m0, m1, 'pulse_chat_pipeline_seconds', '', 0.5))}   p99 ${ms(histogramQuantile(m0, m1, 'pulse_chat_pipeline_seconds', '', 0.99))}   (server: received → stored, broadcast, acknowledged)`);
    const problems = servers.flatMap((s) => s.output().split('\n').filter((l) => /error|not stored|failed/i.test(l)));
    if (problems.length) console.log(`server log          ${problems.length} error lines in the last 16 kB of each process, e.g.:\n  ${problems.slice(0, 5).join('\n  ')}`);
  } finally {
    for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGTERM');
    for (const server of servers) {
      const code = await server.stop();
      if (code !== 0) console.error(`server exited with ${code}:\n${server.output().slice(-2000)}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
